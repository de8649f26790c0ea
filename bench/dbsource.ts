/**
 * External database streaming benchmark (issue 13): N rows (id, text, timestamp) read from a
 * PostgreSQL table and from a MariaDB table through base_external_dbsource's `streamQuery`,
 * beside the bare driver reading the same rows the same way (pg-cursor with pg's stock type
 * parsers / mysql2 prepared-statement row events) — the ceiling — with the peak heap growth
 * during each read (the largest of the runs; time: the best of two alternated runs).
 * MariaDB: ERP_BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306/).
 */
import mysql from 'mysql2';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { bootApp } from '../core/app.ts';
import { loadConfig } from '../core/config.ts';
import { closeAllPools, configureSecret, streamQuery } from '../addons/base_external_dbsource/index.ts';
import { createRequire } from 'node:module';
import { round, type Row } from './stats.ts';

/**
 * pg's stock text parsers (timestamps become Dates, as streamQuery's do), so the bare driver
 * does the same work: the ERP's own database connection replaces some of them process-wide.
 */
const STOCK_TYPES = (() => {
  const table = new Map<number, (s: string) => unknown>();
  createRequire(import.meta.url)('pg-types/lib/textParsers').init((oid: number, fn: (s: string) => unknown) => table.set(oid, fn));
  return { getTypeParser: (oid: number) => table.get(oid) ?? ((s: string) => s) } as unknown as pg.CustomTypesConfig;
})();

const BATCH = 5000;
const SQL = 'SELECT id, name, created FROM bench_rows ORDER BY id';

interface Measure { rows: number; seconds: number; peakHeapMb: number }

async function measure(read: (onBatch: (rows: number) => void) => Promise<void>): Promise<Measure> {
  (globalThis as any).gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  let rows = 0;
  const t0 = performance.now();
  await read((n) => {
    rows += n;
    const h = process.memoryUsage().heapUsed;
    if (h > peak) peak = h;
  });
  return { rows, seconds: (performance.now() - t0) / 1000, peakHeapMb: (peak - base) / 1024 / 1024 };
}

async function seedPg(url: string, n: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('CREATE TABLE IF NOT EXISTS bench_rows (id int PRIMARY KEY, name text, created timestamp)');
  const have = Number((await c.query('SELECT count(*) AS n FROM bench_rows')).rows[0].n);
  if (have !== n) {
    await c.query('TRUNCATE bench_rows');
    await c.query(`INSERT INTO bench_rows SELECT g, 'Row ' || g || ' ' || md5(g::text), timestamp '2024-01-01' + g * interval '1 second' FROM generate_series(1, $1) g`, [n]);
    await c.query('ANALYZE bench_rows');
  }
  await c.end();
}

async function seedMysql(base: URL, db: string, n: number): Promise<void> {
  const c = mysql.createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username) || 'root', password: decodeURIComponent(base.password) }).promise();
  await c.query(`CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET utf8mb4`);
  await c.query(`USE \`${db}\``);
  await c.query('CREATE TABLE IF NOT EXISTS bench_rows (id INT PRIMARY KEY, name VARCHAR(100), created DATETIME)');
  const [[{ n: have }]] = (await c.query('SELECT COUNT(*) AS n FROM bench_rows')) as any;
  if (Number(have) !== n) {
    await c.query('TRUNCATE bench_rows');
    await c.query(`INSERT INTO bench_rows SELECT seq, CONCAT('Row ', seq, ' ', MD5(seq)), TIMESTAMP('2024-01-01') + INTERVAL seq SECOND FROM seq_1_to_${n}`);
  }
  await c.end();
}

function barePg(url: string, types?: pg.CustomTypesConfig): (onBatch: (n: number) => void) => Promise<void> {
  return async (onBatch) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('BEGIN TRANSACTION READ ONLY');
    const cursor = c.query(new Cursor(SQL, [], { rowMode: 'array', ...(types ? { types } : {}) }));
    for (;;) {
      const rows = await cursor.read(BATCH);
      if (!rows.length) break;
      onBatch(rows.length);
    }
    await cursor.close();
    await c.query('ROLLBACK');
    await c.end();
  };
}

function bareMysql(opts: mysql.ConnectionOptions): (onBatch: (n: number) => void) => Promise<void> {
  return (onBatch) => new Promise((resolve, reject) => {
    const c = mysql.createConnection(opts);
    let pending = 0;
    const cmd = c.execute({ sql: SQL, rowsAsArray: true } as any) as any;
    cmd.on('result', () => {
      if (++pending === BATCH) { onBatch(pending); pending = 0; }
    });
    cmd.on('error', reject);
    cmd.on('end', () => { if (pending) onBatch(pending); c.end(); resolve(); });
  });
}

export async function benchDbsource(opts: { dbUrl: string; rows: number }): Promise<Row[]> {
  const n = opts.rows;
  const mysqlBase = new URL(process.env.ERP_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');
  const mysqlDb = 'erp_bench_dbsource';
  await seedPg(opts.dbUrl, n);
  await seedMysql(mysqlBase, mysqlDb, n);
  const { config } = loadConfig([], { ERP_LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv);
  const app = await bootApp({ ...config, db_url: opts.dbUrl, demo: false, addons: ['base_external_dbsource'] });
  configureSecret(app.registry, { secretKey: 'benchmark secret', dataDir: config.data_dir });
  const pgUrl = new URL(opts.dbUrl);
  const mysqlUser = decodeURIComponent(mysqlBase.username) || 'root';
  try {
    const [pgId, myId] = await app.withEnv(2, async (env) => {
      const model = env.model('base.external.dbsource');
      await env.cr('base_external_dbsource').where('name', 'like', 'bench %').delete();
      const a = await model.create({ name: 'bench pg', connector: 'postgresql', timeout: 60, password: decodeURIComponent(pgUrl.password), conn_string: `host=${pgUrl.hostname} port=${pgUrl.port || 5432} dbname=${pgUrl.pathname.slice(1)} user=${decodeURIComponent(pgUrl.username) || 'postgres'} password=%s` });
      const b = await model.create({ name: 'bench mysql', connector: 'mysql', timeout: 60, password: decodeURIComponent(mysqlBase.password), conn_string: `host=${mysqlBase.hostname} port=${mysqlBase.port || 3306} dbname=${mysqlDb} user=${mysqlUser} password=%s` });
      return [a.ids[0], b.ids[0]];
    });
    const through = (id: number) => (onBatch: (n: number) => void) => app.withEnv(2, async (env) => {
      for await (const batch of streamQuery(env, id, SQL, null, { batchSize: BATCH })) onBatch(batch.rows.length);
    });
    const out: Row[] = [];
    const pairs: Array<[string, string, (f: (n: number) => void) => Promise<void>, (f: (n: number) => void) => Promise<void>, string]> = [
      ['PostgreSQL', 'postgresql', through(pgId), barePg(opts.dbUrl, STOCK_TYPES), 'pg + pg-cursor'],
      ['MariaDB', 'mariadb', through(myId), bareMysql({ host: mysqlBase.hostname, port: Number(mysqlBase.port || 3306), user: mysqlUser, password: decodeURIComponent(mysqlBase.password), database: mysqlDb, timezone: 'Z' }), 'mysql2 execute'],
    ];
    for (const [label, key, ours, bare, bareName] of pairs) {
      await ours(() => undefined); // warm-up: connections, prepared statements, caches
      // Alternated, best of two each: the machine is shared, so one slow run says little.
      const b1 = await measure(bare);
      const s1 = await measure(ours);
      const b2 = await measure(bare);
      const s2 = await measure(ours);
      const best = (x: Measure, y: Measure) => ({ ...(x.seconds <= y.seconds ? x : y), peakHeapMb: Math.max(x.peakHeapMb, y.peakHeapMb) });
      const b = best(b1, b2);
      const s = best(s1, s2);
      if (s.rows !== n || b.rows !== n) throw new Error(`${label}: read ${s.rows} / ${b.rows} rows, expected ${n}`);
      const rate = s.rows / s.seconds, bareRate = b.rows / b.seconds;
      if (key === 'postgresql') {
        // Also the least work pg can do: the process-wide parsers leave timestamps as text.
        const raw = await measure(barePg(opts.dbUrl));
        out.push({ key: 'dbsource.postgresql_bare_text_timestamps_rows_per_s', name: 'bare pg + pg-cursor, timestamps left as text', value: round(raw.rows / raw.seconds, 0), unit: 'rows/s', reference: `streamQuery ratio ${round(rate / (raw.rows / raw.seconds))} (it builds a Date per timestamp)` });
      }
      out.push({ key: `dbsource.${key}_stream_rows_per_s`, name: `dbsource streamQuery ${label}, ${n} rows`, value: round(rate, 0), unit: 'rows/s', reference: `bare ${bareName} ${round(bareRate, 0)} rows/s (ratio ${round(rate / bareRate)}, goal ≥0.7)` });
      out.push({ key: `dbsource.${key}_stream_peak_heap_mb`, name: `dbsource streamQuery ${label} peak heap growth`, value: round(s.peakHeapMb, 1), unit: 'MB', reference: `bare ${bareName} ${round(b.peakHeapMb, 1)} MB (flat: independent of the row count)` });
    }
    return out;
  } finally {
    await closeAllPools();
    await app.close();
  }
}
