/**
 * A small reader of gettext `.po` files (`msgid`/`msgstr`, multi-line strings, escapes,
 * `msgctxt` ignored, fuzzy entries skipped), for the login page's strings and for tests.
 */

function unquote(line: string): string {
  const m = /^"(.*)"\s*$/.exec(line.trim());
  if (!m) return '';
  return m[1].replace(/\\(n|t|"|\\)/g, (_, c: string) => ({ n: '\n', t: '\t', '"': '"', '\\': '\\' })[c]!);
}

/** msgid → msgstr of the translated, non-fuzzy entries. */
export function parsePo(text: string): Record<string, string> {
  const messages: Record<string, string> = {};
  let id: string | null = null;
  let str: string | null = null;
  let fuzzy = false;
  let target: 'id' | 'str' | null = null;
  const flush = () => {
    if (id && str && !fuzzy) messages[id] = str;
    [id, str, fuzzy, target] = [null, null, false, null];
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#,') && line.includes('fuzzy')) {
      if (id !== null) flush();
      fuzzy = true;
    } else if (line.startsWith('msgid ')) {
      if (id !== null) flush();
      [id, target] = [unquote(line.slice(6)), 'id'];
    } else if (line.startsWith('msgstr ')) {
      [str, target] = [unquote(line.slice(7)), 'str'];
    } else if (line.startsWith('"')) {
      if (target === 'id') id += unquote(line);
      else if (target === 'str') str += unquote(line);
    } else if (line === '') {
      if (id !== null) flush();
    }
  }
  if (id !== null) flush();
  return messages;
}
