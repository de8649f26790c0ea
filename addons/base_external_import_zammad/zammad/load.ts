/**
 * Builds a Zammad-shaped PostgreSQL database: `schema.sql` (Zammad's DDL and seed rows) and
 * the rows printed by `generate.mjs` (deterministic synthetic data as COPY blocks).
 *
 *   node generate.mjs ──stdout──▶ lines ─┬─ SQL text ───────────────▶ client.query (as is)
 *                                        └─ COPY t (cols) FROM stdin ─▶ rows parsed from the
 *                                           COPY text format, sent in batches through
 *                                           json_populate_recordset (PostgreSQL's input
 *                                           functions read each value as COPY would)
 *
 * Only `pg` is needed (no psql, no COPY streaming package), so `npm run cli -- zammad-demo`,
 * the tests and the benchmark work on a machine with nothing but Node and a server.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ZAMMAD_DIR = dirname(fileURLToPath(import.meta.url));
const ROWS_PER_INSERT = 2000;

export interface GenerateOptions {
  tickets: number;
  articlesPerTicket?: number;
  seed?: number;
}

/** `postgres://…/name` with another database name. */
export function databaseUrl(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates database `name` on the server of `serverUrl` (dropping it first when `replace`). */
export async function createDatabase(serverUrl: string, name: string, opts: { replace?: boolean } = {}): Promise<string> {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid database name '${name}': use letters, digits and underscores`);
  const admin = new pg.Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await admin.connect();
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rows.length > 0;
    if (exists && !opts.replace) throw new Error(`Database '${name}' already exists (use --replace to drop and rebuild it)`);
    if (exists) await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return databaseUrl(serverUrl, name);
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Loads schema.sql, then the generated rows, into the (empty) database at `url`. */
export async function loadZammad(url: string, opts: GenerateOptions, onProgress?: (table: string, rows: number) => void): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(readFileSync(join(ZAMMAD_DIR, 'schema.sql'), 'utf8'));
    await loadGenerated(client, opts, onProgress);
  } finally {
    await client.end();
  }
}

async function loadGenerated(client: pg.Client, opts: GenerateOptions, onProgress?: (table: string, rows: number) => void): Promise<void> {
  const args = [join(ZAMMAD_DIR, 'generate.mjs'), '--tickets', String(opts.tickets)];
  if (opts.articlesPerTicket !== undefined) args.push('--articles-per-ticket', String(opts.articlesPerTicket));
  if (opts.seed !== undefined) args.push('--seed', String(opts.seed));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  let sql: string[] = [];
  let copy: { table: string; cols: string[]; rows: Array<Array<string | null>>; count: number } | null = null;
  const flushSql = async () => {
    const text = sql.join('\n').trim();
    sql = [];
    if (text) await client.query(text);
  };
  const flushRows = async () => {
    if (!copy || !copy.rows.length) return;
    const objects = copy.rows.map((r) => Object.fromEntries(copy!.cols.map((c, i) => [c, r[i]])));
    const cols = copy.cols.map((c) => `"${c}"`).join(', ');
    await client.query(`INSERT INTO ${copy.table} (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::${copy.table}, $1::json)`, [JSON.stringify(objects)]);
    copy.count += copy.rows.length;
    copy.rows = [];
    onProgress?.(copy.table, copy.count);
  };
  try {
    for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
      if (copy) {
        if (line === '\\.') {
          await flushRows();
          copy = null;
          continue;
        }
        copy.rows.push(parseCopyLine(line));
        if (copy.rows.length >= ROWS_PER_INSERT) await flushRows();
        continue;
      }
      const head = /^COPY (\w+) \(([^)]*)\) FROM stdin;$/.exec(line);
      if (head) {
        await flushSql();
        copy = { table: head[1], cols: head[2].split(',').map((c) => c.trim().replace(/^"|"$/g, '')), rows: [], count: 0 };
        continue;
      }
      sql.push(line);
    }
    await flushSql();
  } catch (err) {
    child.kill('SIGKILL');
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  const code = await exited;
  if (code !== 0) throw new Error(`generate.mjs failed (exit ${code}): ${stderr.trim()}`);
}

const UNESCAPE: Record<string, string> = { '\\': '\\', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v' };

/** One row of PostgreSQL's COPY text format: tab-separated, `\N` is NULL, backslash escapes. */
export function parseCopyLine(line: string): Array<string | null> {
  return line.split('\t').map((field) => (field === '\\N' ? null : field.replace(/\\(.)/g, (_m, c: string) => UNESCAPE[c] ?? c)));
}
