/**
 * Messages raised in code are translatable and translated: every `err(Cls, '…')` and
 * `_t(env, '…')` template of the core and of every addon has a Spanish msgstr in some
 * addon's i18n/es.po (the core's own messages live in base's, the framework's addon), and
 * no error is built by concatenating values into its text (a template literal with `${}`),
 * which no catalogue could translate. The web client's strings have their own check
 * (test/unit/web-arch.test.ts).
 */
import test from 'ava';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../../core/config.ts';
import { parsePo } from '../../core/i18n/index.ts';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'static' || name === 'node_modules' ? [] : tsFiles(p);
    return name.endsWith('.ts') ? [p] : [];
  });
}

const addonsDir = join(PROJECT_ROOT, 'addons');
const addons = readdirSync(addonsDir).filter((name) => existsSync(join(addonsDir, name, 'manifest.ts')));
const spanish = new Map<string, string>();
for (const addon of addons) {
  const file = join(addonsDir, addon, 'i18n', 'es.po');
  if (existsSync(file)) for (const [id, str] of parsePo(readFileSync(file))) spanish.set(id, str);
}

/** The string literal at the start of `text` ('…' or "…"), unescaped, or null. */
function literal(text: string): string | null {
  const m = /^\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/.exec(text);
  if (!m) return null;
  return (m[1] ?? m[2]).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Code without its comments (examples in doc comments are not messages). */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Translatable templates of a source file: err(Cls, '…') and _t(env, '…'). */
function templates(code: string): string[] {
  const source = stripComments(code);
  const out: string[] = [];
  for (const m of source.matchAll(/\berr\(\s*\w+,|\b_t\(\s*[\w.]+,/g)) {
    const value = literal(source.slice(m.index! + m[0].length));
    if (value !== null) out.push(value);
  }
  return out;
}

const ERRORS = /new (?:ValidationError|UserError|AccessError|MissingError)\(`[^`]*\$\{/;

const areas = [{ name: 'core', dir: join(PROJECT_ROOT, 'core') }, ...addons.map((a) => ({ name: a, dir: join(addonsDir, a) }))];

for (const area of areas) {
  test(`${area.name}: every message raised in code has its Spanish translation`, (t) => {
    const files = tsFiles(area.dir);
    const missing: string[] = [];
    let count = 0;
    for (const file of files) {
      for (const msg of templates(readFileSync(file, 'utf8'))) {
        count += 1;
        if (!spanish.get(msg)) missing.push(`${relative(PROJECT_ROOT, file)}: ${msg}`);
      }
    }
    t.deepEqual(missing, []);
    if (area.name === 'core' || area.name === 'helpdesk_bytacora') t.true(count > 30, `found ${count} messages`);
  });

  test(`${area.name}: no error message is built by concatenation`, (t) => {
    const offenders = tsFiles(area.dir).filter((file) => ERRORS.test(readFileSync(file, 'utf8'))).map((file) => relative(PROJECT_ROOT, file));
    t.deepEqual(offenders, []);
  });
}
