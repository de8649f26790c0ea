/**
 * The core knows no addon: nothing under core/ imports from addons/, and no code there
 * names a model, table or addon of the addons (base aside: it is the framework's own
 * addon, as in Odoo). What an addon brings to the server goes through the seam.
 */
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../../core/config.ts';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : name.endsWith('.ts') ? [p] : [];
  });
}

/** Code without its comments (block and line comments; strings are kept). */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const coreFiles = tsFiles(join(PROJECT_ROOT, 'core')).map((file) => ({ file: relative(PROJECT_ROOT, file), code: stripComments(readFileSync(file, 'utf8')) }));
const addonsDir = join(PROJECT_ROOT, 'addons');
const addonNames = readdirSync(addonsDir).filter((name) => name !== 'base' && statSync(join(addonsDir, name)).isDirectory());

/** Model names (`_name = '…'`) an addon other than base declares, with their table names. */
function addonModelNames(): string[] {
  const names = new Set<string>();
  for (const addon of addonNames) {
    for (const file of tsFiles(join(addonsDir, addon)).filter((f) => !f.includes(`${join('static', 'src')}`))) {
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/static _name = '([a-z0-9_.]+)'/g)) names.add(m[1]);
      // `static _name = MODEL` with `const MODEL = '…'` in the same file.
      for (const m of source.matchAll(/static _name = ([A-Z_]+);/g)) {
        const value = new RegExp(`const ${m[1]} = '([a-z0-9_.]+)'`).exec(source);
        if (value) names.add(value[1]);
      }
    }
  }
  return [...names].flatMap((n) => [n, n.replace(/\./g, '_')]);
}

test('no file under core/ imports from addons/', (t) => {
  const offenders = coreFiles.filter(({ code }) => /(?:from|import)\s*\(?\s*['"][^'"]*\baddons\//.test(code)).map((f) => f.file);
  t.deepEqual(offenders, []);
});

test('no code under core/ names a model or table of an addon', (t) => {
  const names = addonModelNames();
  t.true(names.includes('mail.message') && names.includes('helpdesk_ticket'), 'the scan finds the addons\' models');
  const offenders: string[] = [];
  for (const { file, code } of coreFiles) {
    for (const name of names) {
      if (new RegExp(`['"\`]${name.replace(/\./g, '\\.')}['"\`]`).test(code)) offenders.push(`${file}: '${name}'`);
    }
  }
  t.deepEqual(offenders, []);
});

test('no code under core/ names an addon other than base', (t) => {
  t.true(addonNames.includes('web') && addonNames.includes('helpdesk_bytacora'));
  const offenders: string[] = [];
  for (const { file, code } of coreFiles) {
    for (const addon of addonNames) {
      if (new RegExp(`['"\`]${addon}['"\`]`).test(code)) offenders.push(`${file}: '${addon}'`);
    }
    if (/['"`][^'"`\n]*\bHelpdesk\b/i.test(code)) offenders.push(`${file}: a text naming the helpdesk`);
  }
  t.deepEqual(offenders, []);
});
