/**
 * The Zammad data generator (`zammad/generate.mjs`) for awkward ticket counts: small data sets
 * have fewer agents than groups, and a group left without agents used to crash it (240, 300).
 * No database: the COPY blocks on stdout are parsed and checked.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../core/config.ts';

const GENERATOR = join(PROJECT_ROOT, 'addons', 'base_external_import_zammad', 'zammad', 'generate.mjs');

interface Block { cols: string[]; rows: string[][] }

/** Rows of each COPY block of the generated SQL, by table, as arrays of column texts. */
function copyBlocks(sql: string): Map<string, Block> {
  const out = new Map<string, Block>();
  let current: Block | null = null;
  for (const line of sql.split('\n')) {
    if (current) {
      if (line === '\\.') current = null;
      else current.rows.push(line.split('\t'));
      continue;
    }
    const head = /^COPY (\w+) \((.*)\) FROM stdin;$/.exec(line);
    if (head) {
      current = { cols: head[2].split(', ').map((c) => c.replace(/"/g, '')), rows: [] };
      const previous = out.get(head[1]);
      if (previous) current.rows = previous.rows;
      out.set(head[1], current);
    }
  }
  return out;
}

function generate(tickets: number, articles: number) {
  const run = spawnSync(process.execPath, [GENERATOR, '--tickets', String(tickets), '--articles-per-ticket', String(articles)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: run.status, stderr: run.stderr, blocks: run.status === 0 ? copyBlocks(run.stdout) : new Map<string, Block>() };
}

const column = (block: { cols: string[] }, name: string) => {
  const i = block.cols.indexOf(name);
  if (i < 0) throw new Error(`Column ${name} missing from the COPY block`);
  return i;
};

const awkwardCount = test.macro({
  exec(t, tickets: number, articles: number) {
    const { status, stderr, blocks } = generate(tickets, articles);
    t.is(status, 0, stderr);
    const ticketRows = blocks.get('tickets')!;
    t.is(ticketRows.rows.length, tickets);
    t.is(blocks.get('ticket_articles')?.rows.length ?? 0, tickets * articles);
    // Every assigned ticket's owner is an agent of the ticket's group (owner 1 = unassigned).
    const members = new Set(blocks.get('groups_users')!.rows.map((r) => `${r[0]}/${r[1]}`));
    const [owner, group] = [column(ticketRows, 'owner_id'), column(ticketRows, 'group_id')];
    const strangers = ticketRows.rows.filter((r) => r[owner] !== '1' && !members.has(`${r[owner]}/${r[group]}`));
    t.deepEqual(strangers.map((r) => r[0]), []);
    // Every group has at least one agent.
    const groupsWithAgents = new Set(blocks.get('groups_users')!.rows.map((r) => r[1]));
    for (const g of blocks.get('groups')!.rows.map((r) => r[0])) t.true(groupsWithAgents.has(g), `group ${g} has no agent`);
  },
  title: (_given, tickets: number, articles: number) => `generate.mjs makes ${tickets} tickets with ${articles} articles each, owners in their groups`,
});

for (const [tickets, articles] of [[240, 5], [300, 5], [300, 1], [0, 5], [1, 0], [7, 2], [2001, 1]] as const) test(awkwardCount, tickets, articles);

test('generate.mjs gives the same bytes for the same arguments', (t) => {
  const args = [GENERATOR, '--tickets', '240', '--seed', '3'];
  const a = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const b = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  t.is(a.status, 0, a.stderr);
  t.is(a.stdout, b.stdout);
});

test('generate.mjs refuses a count that is not a number, naming the argument', (t) => {
  const run = spawnSync(process.execPath, [GENERATOR, '--tickets', 'many'], { encoding: 'utf8' });
  t.is(run.status, 2);
  t.regex(run.stderr, /--tickets needs a non-negative integer/);
});
