/** Reads gettext .po files (an addon's i18n/<lang>.po) into msgid → msgstr pairs. */
import { readFile } from 'node:fs/promises';
import { po } from 'gettext-parser';

export async function readPo(file: string): Promise<Array<[string, string]>> {
  const parsed = po.parse(await readFile(file));
  const out: Array<[string, string]> = [];
  for (const ctx of Object.values(parsed.translations) as Array<Record<string, { msgstr: string[] }>>) {
    for (const [msgid, entry] of Object.entries(ctx)) if (msgid && entry.msgstr[0]) out.push([msgid, entry.msgstr[0]]);
  }
  return out;
}
