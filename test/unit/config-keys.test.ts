/**
 * Every key of the default configuration file is read by some code: a setting that nothing
 * reads would promise users a knob that does nothing.
 */
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, readConfigFile } from '../../core/config.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'static') return [];
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : name.endsWith('.ts') ? [p] : [];
  });
}

const code = ['core', 'addons'].flatMap((d) => sourceFiles(join(PROJECT_ROOT, d)))
  .filter((file) => !file.endsWith(join('core', 'config.ts')))
  .map((file) => readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1'))
  .join('\n');

const { docs } = readConfigFile();

test('the configuration file documents the settings', (t) => {
  t.true(docs.length >= 15, `only ${docs.length} keys found in config/erp.conf`);
});

for (const { key } of docs) {
  test(`setting ${key} is read by the code`, (t) => {
    t.regex(code, new RegExp(`config\\??\\.${key}\\b`), `nothing outside core/config.ts reads config.${key}`);
  });
}
