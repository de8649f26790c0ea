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

/** Runs `fn` with the signal trigger of ir_sequence off: only the cache can answer then. */
async function withoutSignals<T>(fn: () => Promise<T>): Promise<T> {
  await app.db.knex.raw('ALTER TABLE ir_sequence DISABLE TRIGGER erp_cache_signal');
  try {
    return await fn();
  } finally {
    await app.db.knex.raw('ALTER TABLE ir_sequence ENABLE TRIGGER erp_cache_signal');
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
