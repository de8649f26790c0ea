/**
 * The one reader of gettext .po files (an addon's i18n/<lang>.po): msgid → msgstr of the
 * translated entries; fuzzy entries are skipped (a guess is not a translation). Every
 * catalogue goes into the registry (Registry.translations), the one cache that server-side
 * code, the web client's /web/webclient/translations and the login page read.
 */
import { readFile } from 'node:fs/promises';
import { po } from 'gettext-parser';

/** msgid → msgstr pairs of a .po text. */
export function parsePo(text: string | Buffer): Array<[string, string]> {
  const parsed = po.parse(text);
  const out: Array<[string, string]> = [];
  for (const ctx of Object.values(parsed.translations) as Array<Record<string, { msgstr: string[]; comments?: { flag?: string } }>>) {
    for (const [msgid, entry] of Object.entries(ctx)) {
      if (!msgid || !entry.msgstr[0] || /\bfuzzy\b/.test(entry.comments?.flag ?? '')) continue;
      out.push([msgid, entry.msgstr[0]]);
    }
  }
  return out;
}

export async function readPo(file: string): Promise<Array<[string, string]>> {
  return parsePo(await readFile(file));
}
