#!/usr/bin/env node
// The README's test command: installs what the tests need beyond `npm install` (Debian's
// Chromium for the browser tests), type-checks, then runs the ava suite and prints a
// closing "N passed, N failed" line. Extra arguments are passed to ava (e.g. a file).
import { execSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0) {
    console.error('Chromium is missing: run `apt-get install -y chromium` as root (browser tests need /usr/bin/chromium).');
    return;
  }
  console.log('Installing Chromium for the browser tests (apt-get install chromium)…');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null', { stdio: 'inherit' });
}

ensureChromium();
console.log('Type-checking…');
execSync('npx tsc --noEmit -p .', { stdio: 'inherit' });
console.log(`Running the suite on ${process.env.ERP_DB_URL ? `PostgreSQL (${process.env.ERP_DB_URL.replace(/:[^:@/]*@/, ':***@')})` : 'embedded PGlite'}…`);
const child = spawn('npx', ['ava', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
let output = '';
const tee = (stream, target) => stream.on('data', (chunk) => { output += chunk; target.write(chunk); });
tee(child.stdout, process.stdout);
tee(child.stderr, process.stderr);
child.on('close', (code) => {
  const clean = output.replace(/\x1b\[[0-9;]*m/g, '');
  const num = (re) => Number((clean.match(re) ?? [])[1] ?? 0);
  // With failures ava prints no passed count: count the ticked lines then.
  const passed = num(/(\d+) tests? passed/) || (clean.match(/^\s*✔/gm) ?? []).length;
  const failed = num(/(\d+) tests? failed/) + num(/(\d+) uncaught exceptions?/) + num(/(\d+) unhandled rejections?/);
  const skipped = num(/(\d+) tests? skipped/);
  console.log(`\nava: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(code === 0 && failed === 0 && passed > 0 ? 0 : 1);
});
