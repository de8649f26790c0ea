/**
 * The shared cache (core/orm/shared-cache.ts): lookups of rarely-changing configuration kept
 * across units of work, dropped when any connection commits a change to their tables (the
 * `erp_cache` signal). On a PostgreSQL server a raw client stands for another worker; on
 * embedded PGlite the notification is delivered inside the process at commit. Serial: the
 * tests switch triggers and cut the listening connection.
 */
import test from 'ava';
import pg from 'pg';
import type { App } from '../../core/app.ts';
import { SUPERUSER_ID, type Environment } from '../../core/orm/index.ts';
import { makeTestApp } from '../helpers/app.ts';
import { within } from '../helpers/poll.ts';

const onServer = !!process.env.ERP_DB_URL;
const serverTest = onServer ? test.serial : test.serial.skip;

let app: App;
test.before(async () => { app = await makeTestApp({ addons: ['base'] }); });
test.after.always(async () => app?.close());

const su = <T>(fn: (env: Environment) => Promise<T>) => app.withEnv(SUPERUSER_ID, fn);
const cache = () => app.registry.sharedCache;
let counter = 0;

/** A sequence and a key reading its prefix through `env.cached` (ir.sequence is watched by base). */
async function newSequence(): Promise<{ id: number; prefix: (env: Environment) => Promise<string> }> {
  const code = `cache.seq.${++counter}`;
  const id = await su(async (env) => (await env.model('ir.sequence').create({ name: code, code, prefix: 'A-' })).ids[0]);
  const prefix = (env: Environment) => env.cached('ir.sequence', `test.prefix:${id}`, async () =>
    String((await env.cr('ir_sequence').where({ id }).first('prefix'))?.prefix));
  return { id, prefix };
}

/** A statement outside the ORM on the same database: a raw client on a server (another process), knex on PGlite. */
async function rawSql(sql: string, bindings: Array<string | number> = []): Promise<void> {
  if (!onServer) {
    await app.db.knex.raw(sql, bindings);
    return;
  }
  const client = new pg.Client({ connectionString: app.config.db_url });
  await client.connect();
  try {
    await client.query(sql.replace(/\?/g, (() => { let i = 0; return () => `$${++i}`; })()), bindings);
  } finally {
    await client.end();
  }
}

/** Runs `fn` with the signal trigger of `table` off: only the cache can answer then. */
async function withoutSignals<T>(fn: () => Promise<T>, table = 'ir_sequence'): Promise<T> {
  await app.db.knex.raw(`ALTER TABLE ${table} DISABLE TRIGGER erp_cache_signal`);
  try {
    return await fn();
  } finally {
    await app.db.knex.raw(`ALTER TABLE ${table} ENABLE TRIGGER erp_cache_signal`);
  }
}


/**
 * Looks `prefix` up until the cache answers it. On a server the signal of the sequence's own
 * creation may reach the listener after the first lookup began to fill, and a value filled
 * while a signal for its table comes in is not kept: the next lookup fills it again.
 */
async function cachedNow(prefix: (env: Environment) => Promise<string>): Promise<boolean> {
  return (await within(async () => {
    const before = cache().stats.hits;
    return (await su(prefix)) === 'A-' && cache().stats.hits > before;
  })) >= 0;
}

test.serial('a lookup is served from the cache by the next unit of work', async (t) => {
  const { id, prefix } = await newSequence();
  t.is(await su(prefix), 'A-');
  t.true(await cachedNow(prefix), 'the next lookups are served from the cache');
  const hits = cache().stats.hits;
  // Changed without a signal: the cache, not the database, answers.
  await withoutSignals(() => rawSql('UPDATE ir_sequence SET prefix = ? WHERE id = ?', ['Z-', id]));
  t.is(await su(prefix), 'A-');
  t.is(cache().stats.hits, hits + 1);
});

test.serial('a change committed by another connection is seen by the next lookups', async (t) => {
  const { id, prefix } = await newSequence();
  t.is(await su(prefix), 'A-');
  await rawSql('UPDATE ir_sequence SET prefix = ? WHERE id = ?', ['B-', id]);
  if (!onServer) {
    // Embedded: the notification is handled when the COMMIT returns.
    t.is(await su(prefix), 'B-');
    return;
  }
  t.true(await within(async () => (await su(prefix)) === 'B-') >= 0);
});

test.serial('XML ids are shared and follow their changes', async (t) => {
  const before = await su((env) => env.refId('base.partner_admin'));
  const { id } = await newSequence();
  const xmlid = `base.cache_test_${counter}`;
  await su(async (env) => { await env.cr('ir_model_data').insert({ module: 'base', name: xmlid.slice(5), model: 'ir.sequence', res_id: id, noupdate: true }); });
  t.is(await su((env) => env.refId(xmlid)), id);
  t.is(await su((env) => env.refId('base.partner_admin')), before);
  await rawSql('UPDATE ir_model_data SET res_id = ? WHERE module = ? AND name = ?', [id + 1000, 'base', xmlid.slice(5)]);
  t.true(await within(async () => (await su((env) => env.refId(xmlid))) === id + 1000) >= 0);
});

test.serial('a unit of work that writes a watched model reads its own writes, and a rollback leaves nothing behind', async (t) => {
  const { id, prefix } = await newSequence();
  t.is(await su(prefix), 'A-');
  await t.throwsAsync(su(async (env) => {
    t.is(await prefix(env), 'A-');
    await env.model('ir.sequence').browse([id]).write({ prefix: 'C-' });
    t.is(await prefix(env), 'C-', 'its own write');
    // Another environment on the same transaction sees it too.
    t.is(await prefix(env.withUser(SUPERUSER_ID)), 'C-');
    throw new Error('roll back');
  }), { message: 'roll back' });
  t.is(await su(prefix), 'A-', 'the uncommitted value was not kept');
  // Committed: this process sees it at once, before its own listener hears of it.
  await su((env) => env.model('ir.sequence').browse([id]).write({ prefix: 'D-' }));
  t.is(await su(prefix), 'D-');
});

test.serial('an XML id changed in a unit of work is read back by it', async (t) => {
  const { id } = await newSequence();
  const name = `cache_own_${counter}`;
  await su(async (env) => { await env.cr('ir_model_data').insert({ module: 'base', name, model: 'ir.sequence', res_id: id, noupdate: true }); });
  t.is(await su((env) => env.refId(`base.${name}`)), id);
  await su(async (env) => {
    t.is(await env.refId(`base.${name}`), id);
    const [row] = await env.model('ir.model.data').search([['module', '=', 'base'], ['name', '=', name]]).then((r) => r.ids);
    await env.model('ir.model.data').browse([row]).write({ res_id: id + 5 });
    t.is(await env.refId(`base.${name}`), id + 5);
  });
  t.is(await su((env) => env.refId(`base.${name}`)), id + 5);
});

serverTest('with the listener down, lookups read the database', async (t) => {
  const { id, prefix } = await newSequence();
  t.is(await su(prefix), 'A-');
  const listener = cache().listener!;
  t.true(listener.live);
  await app.db.knex.raw('SELECT pg_terminate_backend(?)', [listener.backendPid]);
  t.true(await within(async () => !listener.live) >= 0);
  // Unannounced change: only a fallback to the database can see it.
  await withoutSignals(() => rawSql('UPDATE ir_sequence SET prefix = ? WHERE id = ?', ['E-', id]));
  const bypasses = cache().stats.bypasses;
  t.is(await su(prefix), 'E-');
  t.true(cache().stats.bypasses > bypasses || listener.live, 'read while the listener was down (or after it came back, in a new epoch)');
  // It comes back, and the cache with it.
  t.true(await within(async () => listener.live) >= 0);
  t.true(await within(async () => { const h = cache().stats.hits; await su(prefix); await su(prefix); return cache().stats.hits > h; }) >= 0);
});

// ── many2one names of lists (SharedCache.names; res_partner is watched by base) ──

/** A company and a contact of it; `shown` reads the contact's company as a list does. */
async function contactOfCompany(): Promise<{ company: number; shown: (env?: Environment) => Promise<unknown> }> {
  const n = ++counter;
  const [company, contact] = await su(async (env) => {
    const c = (await env.model('res.partner').create({ name: `Company ${n}` })).ids[0];
    const p = (await env.model('res.partner').create({ name: `Contact ${n}`, parent_id: c })).ids[0];
    return [c, p];
  });
  const read = async (env: Environment) => (await env.model('res.partner').search_read([['id', '=', contact]], ['parent_id']))[0].parent_id;
  return { company, shown: (env?: Environment) => (env ? read(env) : su(read)) };
}

/** The ids read by the statements `fn` ran to name partners (cache misses), one list per statement. */
async function nameReads(fn: () => Promise<unknown>): Promise<number[][]> {
  const reads: number[][] = [];
  const onQuery = (q: { sql: string; bindings?: unknown[] }) => { if (/FROM "res_partner" o WHERE o\.id = ANY/.test(q.sql)) reads.push([...(q.bindings?.[0] as number[])].sort((a, b) => a - b)); };
  app.db.knex.on('query', onQuery);
  try { await fn(); } finally { app.db.knex.off('query', onQuery); }
  return reads;
}

test.serial('a list names its many2ones from the names kept across units of work', async (t) => {
  const { company, shown } = await contactOfCompany();
  let kept = `Company ${counter}`;
  t.deepEqual(await shown(), [company, kept]);
  t.true(await within(async () => (await nameReads(shown)).length === 0) >= 0, 'the next lists read no name');
  // Unannounced change: the kept name answers (what proves it is kept). Under load the signal
  // of the partners' own creation may still come in and drop the kept names: the name read
  // then is kept in turn, and the next unannounced change must be answered by it.
  let attempt = 0;
  t.true(await within(async () => {
    const quiet = `Renamed quietly ${++attempt}`;
    const hits = cache().stats.nameHits;
    await withoutSignals(() => rawSql('UPDATE res_partner SET name = ? WHERE id = ?', [quiet, company]), 'res_partner');
    const served = JSON.stringify(await shown()) === JSON.stringify([company, kept]) && cache().stats.nameHits === hits + 1;
    kept = quiet;
    return served;
  }) >= 0, 'an unannounced change is not seen: the name comes from the cache');
  // Announced: followed.
  await rawSql('UPDATE res_partner SET name = ? WHERE id = ?', ['Renamed', company]);
  t.true(await within(async () => JSON.stringify(await shown()) === JSON.stringify([company, 'Renamed'])) >= 0);
});

test.serial('a unit of work that renames a partner lists its own name, and a rollback keeps nothing', async (t) => {
  const { company, shown } = await contactOfCompany();
  const name = `Company ${counter}`;
  t.true(await within(async () => (await nameReads(shown)).length === 0) >= 0);
  await t.throwsAsync(su(async (env) => {
    await env.model('res.partner').browse([company]).write({ name: 'Uncommitted' });
    t.deepEqual(await shown(env), [company, 'Uncommitted']);
    throw new Error('roll back');
  }), { message: 'roll back' });
  t.deepEqual(await shown(), [company, name]);
  await su((env) => env.model('res.partner').browse([company]).write({ name: 'Committed' }));
  t.deepEqual(await shown(), [company, 'Committed'], 'seen at once by this process');
});

test.serial('names of many records: the kept ones are served, only the missing ones read', async (t) => {
  const companies = await su(async (env) => (await env.model('res.partner').create(Array.from({ length: 30 }, (_, i) => ({ name: `Batch company ${i}` })))).ids);
  const contacts = await su(async (env) => (await env.model('res.partner').create(companies.map((c, i) => ({ name: `Batch contact ${i}`, parent_id: c })))).ids);
  const list = () => su((env) => env.model('res.partner').search_read([['id', 'in', contacts]], ['parent_id'], 0, null, 'id'));
  const expected = companies.map((c, i) => [c, `Batch company ${i}`]);
  t.deepEqual((await list()).map((r) => r.parent_id), expected);
  t.true(await within(async () => (await nameReads(list)).length === 0) >= 0);
  // A contact of a company added unannounced (no signal drops the names kept): one read, of
  // that company alone (retried while a late signal of the creations drops the kept names).
  let attempt = 0;
  t.true(await within(async () => {
    const extraCompany = Math.max(...companies) + 1000 + (++attempt);
    await withoutSignals(async () => {
      await rawSql(`INSERT INTO res_partner (id, name, active) VALUES (?, ?, true)`, [extraCompany, `Late company ${attempt}`]);
      await rawSql('UPDATE res_partner SET parent_id = ? WHERE id = ?', [extraCompany, contacts[0]]);
    }, 'res_partner');
    const reads = await nameReads(async () => {
      t.deepEqual((await list()).map((r) => r.parent_id), [[extraCompany, `Late company ${attempt}`], ...expected.slice(1)]);
    });
    return JSON.stringify(reads) === JSON.stringify([[extraCompany]]);
  }) >= 0, 'only the missing name is read');
});
