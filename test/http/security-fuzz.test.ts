/**
 * Property-based security fuzzing (fast-check) against the helpdesk demo database, as each
 * demo role (usuario, tecnico, admin), through call_kw (/web/dataset/call_kw) and XML-RPC
 * (/xmlrpc/2/object). Generated: domains (every operator, dotted paths, values of every type,
 * malformed shapes), `order` strings, `fields` lists, context keys, RPC argument shapes, and
 * record-rule expressions for the literal evaluator. Properties of every answer:
 *   1. never a crash: a result, or an error of a documented class — never an internal error
 *      or an HTML page;
 *   2. never a row outside the caller's record rules (compared with a sudo query filtered by
 *      the rule domain);
 *   3. never a value of a field the caller may not read (nor a password hash, for anyone).
 *
 * `npm test` runs a fixed seed and a few hundred cases; FUZZ_RUNS=5000 (and FUZZ_SEED=n)
 * runs a longer campaign. The number of cases and the answers' classes are logged.
 */
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { evaluate } from '../../core/data/literal-eval.ts';
import { ErpError } from '../../core/errors.ts';
import { visibleFields } from '../../core/orm/field-access.ts';
import { SUPERUSER_ID, type ModelClass } from '../../core/orm/index.ts';
import { ruleDomain } from '../../core/security/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { callKwHttp, webLogin, xmlRpc } from './helpers.ts';

const RUNS = Number(process.env.FUZZ_RUNS) || 150;
const SEED = Number(process.env.FUZZ_SEED) || 20261206;
const ROLES = ['usuario', 'tecnico', 'admin'] as const;
type Role = (typeof ROLES)[number];

/** Error classes the API documents (core/http/rpc/errors.ts); anything else is a crash. */
const DOCUMENTED = new Set([
  'odoo.exceptions.AccessError', 'odoo.exceptions.AccessDenied', 'odoo.exceptions.UserError',
  'odoo.exceptions.ValidationError', 'odoo.exceptions.MissingError',
  // A request the server cannot read (e.g. an XML-RPC struct member named __proto__).
  'werkzeug.exceptions.BadRequest',
]);
const MODELS = ['helpdesk.ticket', 'res.users', 'res.partner', 'ir.attachment', 'mail.message', 'helpdesk.ticket.category', 'helpdesk.ticket.tag'];

let srv: TestServer;
const uid = {} as Record<Role, number>;
const cookie = {} as Record<Role, string>;
let tagRule = 0;

test.before(async () => {
  srv = await startTestServer({ addons: ['helpdesk_bytacora'], demo: true, webClient: false });
  for (const login of ROLES) {
    uid[login] = (await xmlRpc(srv.url, '/xmlrpc/2/common', 'authenticate', ['helpdesk', login, login, {}])).value;
    cookie[login] = await webLogin(srv.url, login, login);
  }
  // A rule whose expression the fuzzer rewrites (as admin), on a model the other cases only read.
  tagRule = await srv.app.withEnv(SUPERUSER_ID, async (env) => (await env.model('ir.rule').create({
    name: 'fuzzed tag rule', model_id: (await env.model('ir.model').search([['model', '=', 'helpdesk.ticket.tag']])).ids[0],
    domain_force: '[(1, "=", 1)]', groups: [[4, await env.refId('helpdesk_bytacora.group_helpdesk_user')]], active: false,
  })).ids[0]);
});
test.after.always(async () => srv?.close());

// ── generators ──────────────────────────────────────────────────────────────────────
const meta = (model: string) => srv.app.registry.get(model)!._meta;
const fieldNames = (model: string) => [...meta(model).fields.keys()];
const JUNK_PATHS = ['password', 'user_id.password', 'create_uid.password', 'partner_id.user_ids.password', 'nope', 'id.id', '', 'a b', 'name"; DROP TABLE res_users; --', 'partner_id.', '__proto__', 'constructor'];
const OPERATORS = ['=', '!=', '<>', '>', '>=', '<', '<=', 'like', 'ilike', 'not like', 'not ilike', '=like', '=ilike', 'in', 'not in', 'child_of', 'parent_of', 'any', 'not any', '=?', 'LIKE', 'between', '', 1, null];

const scalar = fc.oneof(
  fc.integer({ min: -3, max: 60 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 10 }), fc.boolean(), fc.constant(null),
  fc.constantFrom('2026-01-01', '2026-01-01 10:00:00', 'scrypt%', '%', "'", '\\', 'T-0000%', 'new', 'closed', 'helpdesk.ticket', 'base.group_system', '0', '1e400', ' '),
);
const value = fc.oneof({ weight: 5, arbitrary: scalar }, fc.array(scalar, { maxLength: 4 }), fc.constant({}), fc.array(fc.array(scalar, { maxLength: 3 }), { maxLength: 2 }));

function pathArb(model: string): fc.Arbitrary<string> {
  const names = fieldNames(model);
  const relational = names.filter((n) => meta(model).fields.get(n)!.comodel && srv.app.registry.get(meta(model).fields.get(n)!.comodel!));
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...names) },
    { weight: 3, arbitrary: fc.constantFrom(...relational).chain((f) => fc.constantFrom(...fieldNames(meta(model).fields.get(f)!.comodel!)).map((g) => `${f}.${g}`)) },
    { weight: 1, arbitrary: fc.constantFrom(...JUNK_PATHS) },
  );
}

/** Stored fields, searchable without a ValidationError: most generated domains should run. */
const storedNames = (model: string) => fieldNames(model).filter((n) => meta(model).fields.get(n)!.stored && !['binary', 'html'].includes(meta(model).fields.get(n)!.type));
const saneValue = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constantFrom('a', 'e', 'T-', 'new', 'closed', 'admin', '%', 'scrypt%', '2026-01-01'), fc.constant(false), fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 3 }));

function leafArb(model: string): fc.Arbitrary<unknown> {
  const names = storedNames(model);
  return fc.oneof(
    { weight: 12, arbitrary: fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: pathArb(model) }), fc.constantFrom('=', '!=', 'in', 'not in', 'ilike', 'not ilike', '=like', '>', '<='), saneValue) },
    { weight: 4, arbitrary: fc.tuple(pathArb(model), fc.constantFrom(...OPERATORS), value) },
    { weight: 2, arbitrary: fc.tuple(pathArb(model), fc.constantFrom('any', 'not any'), fc.constantFrom<unknown>([['id', '>', 0]], [['name', 'ilike', 'a']], [], 'x', [['password', '!=', false]])) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>([1, '=', 1], [0, '=', 1], [], ['name'], ['name', '='], ['name', '=', 'x', 'y'], { field: 'name' }, 'name', 42, null) },
  );
}

/** Well-formed prefix domains (a tree) and random token soups (mostly malformed). */
function wildDomainArb(model: string): fc.Arbitrary<unknown> {
  const { node } = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true },
      leafArb(model).map((l) => [l]),
      fc.tuple(fc.constantFrom('&', '|'), tie('node'), tie('node')).map(([op, a, b]) => [op, ...(a as unknown[]), ...(b as unknown[])]),
      tie('node').map((a) => ['!', ...(a as unknown[])])),
  }));
  return fc.oneof(
    { weight: 10, arbitrary: fc.array(node, { maxLength: 3 }).map((parts) => parts.flat()) },
    { weight: 2, arbitrary: fc.array(fc.oneof({ weight: 3, arbitrary: leafArb(model) }, { weight: 1, arbitrary: fc.constantFrom('&', '|', '!', '^') }), { maxLength: 5 }) },
    { weight: 1, arbitrary: fc.oneof(scalar, fc.constant({})) },
  );
}

function wildOrderArb(model: string): fc.Arbitrary<unknown> {
  const term = fc.tuple(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...storedNames(model)) }, fc.constantFrom(...fieldNames(model), 'password', 'nope', 'partner_id.name')), fc.constantFrom('', ' asc', ' desc', ' DESC NULLS LAST', ' sideways', '; DROP TABLE x'));
  return fc.oneof({ weight: 12, arbitrary: fc.array(term, { minLength: 1, maxLength: 3 }).map((ts) => ts.map(([f, d]) => f + d).join(', ')) }, fc.string({ maxLength: 10 }), fc.constant(null), fc.integer(), fc.constant(['name']));
}

function wildFieldsArb(model: string): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.subarray(fieldNames(model), { maxLength: 6 }) },
    { weight: 3, arbitrary: fc.subarray([...fieldNames(model), 'password', 'nope'], { maxLength: 6 }) },
    fc.constant(null), fc.string({ maxLength: 6 }), fc.array(scalar, { maxLength: 3 }), fc.constant({}),
  );
}

const contextArb = fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, fc.dictionary(
  fc.constantFrom('lang', 'tz', 'active_test', 'default_state', 'default_partner_id', 'default_user_id', 'active_id', 'active_ids', 'active_model', 'uid', 'su', 'sudo', 'bin_size', 'tracking_disable', 'install_mode', 'group_by', '__proto__'),
  fc.oneof(value, fc.constantFrom('es_ES', 'en_US', 'xx', '../../etc', 'UTC', 'Mars/Base')), { maxKeys: 4 },
));

/** Sane mode: leaves whose operator and value suit the field's type, so most cases run. */
function saneLeafArb(model: string): fc.Arbitrary<unknown> {
  return fc.constantFrom(...storedNames(model)).chain((name): fc.Arbitrary<unknown> => {
    const f = meta(model).fields.get(name)!;
    switch (f.type) {
      case 'integer': case 'float': case 'monetary': case 'many2one':
        return fc.tuple(fc.constant(name), fc.constantFrom('=', '!=', '>', '<=', 'in', 'not in'), fc.oneof(fc.integer({ min: 0, max: 30 }), fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 3 }), fc.constant(false)))
          .map(([n, op, v]) => [n, op, Array.isArray(v) && !op.includes('in') ? 3 : v]);
      case 'boolean': return fc.tuple(fc.constant(name), fc.constantFrom('=', '!='), fc.boolean());
      case 'date': case 'datetime': return fc.tuple(fc.constant(name), fc.constantFrom('>', '<=', '=', '!='), fc.constantFrom('2020-01-01', '2026-12-31', false));
      default: return fc.tuple(fc.constant(name), fc.constantFrom('=', '!=', 'ilike', 'not ilike', '=like', 'in'), fc.constantFrom('a', 'e', 'new', 'closed', 'T-%', '%', false, ['new', 'open']))
        .map(([n, op, v]) => [n, op, Array.isArray(v) && op !== 'in' ? 'a' : v]);
    }
  });
}

function saneDomainArb(model: string): fc.Arbitrary<unknown> {
  const leaf = saneLeafArb(model);
  return fc.oneof(
    fc.array(leaf, { maxLength: 3 }),
    fc.tuple(fc.constantFrom('|', '&'), leaf, leaf).map(([op, a, b]) => [op, a, b]),
    fc.tuple(leaf, pathArb(model).filter((p) => p.includes('.')), fc.constantFrom('=', 'ilike', '!=')).map(([l, p, op]) => ['!', l, [p, op, 'a']]),
  );
}

const saneOrderArb = (model: string) => fc.array(fc.tuple(fc.constantFrom(...storedNames(model)), fc.constantFrom('', ' asc', ' desc')), { minLength: 1, maxLength: 2 }).map((ts) => ts.map(([f, d]) => f + d).join(', '));

const idsArb = fc.oneof({ weight: 5, arbitrary: fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 5 }) }, fc.integer({ min: -2, max: 60 }), fc.constant([]), fc.constant('1'), fc.array(scalar, { maxLength: 2 }));

/** Models the fuzzer writes random values to (the demo users and groups stay as they are). */
const WRITABLE = ['helpdesk.ticket', 'res.partner', 'ir.attachment'];

interface Case { role: Role; transport: 'call_kw' | 'xmlrpc'; model: string; method: string; args: unknown; kwargs: Record<string, unknown> }

function caseArb(): fc.Arbitrary<Case> {
  // One case in three is wild (junk everywhere); the others are sane apart from what they test.
  const base = fc.record({ role: fc.constantFrom(...ROLES), transport: fc.constantFrom('call_kw' as const, 'xmlrpc' as const), model: fc.constantFrom(...MODELS), wild: fc.nat(2).map((n) => n === 0) });
  return base.chain(({ role, transport, model, wild }) => fc.oneof({ weight: wild ? 0 : 3, arbitrary: fc.constantFrom<Record<string, unknown>>({}, { lang: 'es_ES' }, { active_test: false }) }, { weight: wild ? 1 : 0, arbitrary: contextArb }).chain((context) => {
    const domainArb = (m: string) => (wild ? wildDomainArb(m) : saneDomainArb(m));
    const orderArb = (m: string) => (wild ? wildOrderArb(m) : saneOrderArb(m));
    const fieldsArb = (m: string) => (wild ? wildFieldsArb(m) : fc.subarray(fieldNames(m), { maxLength: 5 }));
    const ctx = (extra: Record<string, unknown> = {}) => ({ ...extra, context });
    const mk = (method: string, args: fc.Arbitrary<unknown[]>, kwargs: fc.Arbitrary<Record<string, unknown>> = fc.constant({})) =>
      fc.tuple(args, kwargs).map(([a, k]) => ({ role, transport, model, method, args: a, kwargs: ctx(k) }));
    const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
    const paging = wild
      ? fc.record({ offset: opt(fc.oneof(fc.nat(5), fc.integer(), fc.string({ maxLength: 3 }))), limit: opt(fc.oneof(fc.nat(10), fc.integer(), fc.constant(false), fc.string({ maxLength: 3 }))) }, { requiredKeys: [] })
      : fc.record({ offset: opt(fc.nat(3)), limit: opt(fc.nat(10)) }, { requiredKeys: [] });
    const dropUndefined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    const aggregates = fc.oneof({ weight: wild ? 0 : 3, arbitrary: fc.constantFrom(['__count'], ['id:count'], []) }, { weight: wild ? 1 : 0, arbitrary: fc.subarray([...fieldNames(model), 'password', '__count', 'id:count', 'id:sum', 'create_date:max', 'password:max', 'total:count_distinct(password)', 'x:pg_sleep(id)', 'nope'], { maxLength: 4 }) });
    const groupby = wild ? fc.oneof(fc.subarray([...fieldNames(model), 'create_date:month', 'create_date:hour', 'password', 'write_date:week', 'nope'], { maxLength: 2 }), fc.constantFrom(...fieldNames(model)), fc.constant(null), fc.integer()) : fc.subarray(['state', 'partner_id', 'user_id', 'create_uid', 'name', 'create_date:month', 'res_model', 'author_id', 'lang'].filter((n) => meta(model).fields.has(n.split(':')[0])), { minLength: 1, maxLength: 2 });
    return fc.oneof(
      { weight: 4, arbitrary: mk('search_read', fc.tuple(domainArb(model)), fc.record({ fields: fieldsArb(model), order: orderArb(model), paging }).map(({ paging: p, ...r }) => dropUndefined({ ...r, ...p }))) },
      { weight: 3, arbitrary: mk('search', fc.tuple(domainArb(model)), fc.record({ order: opt(orderArb(model)), paging }).map(({ paging: p, ...r }) => dropUndefined({ ...r, ...p }))) },
      { weight: 3, arbitrary: mk('search_count', fc.tuple(domainArb(model))) },
      { weight: 3, arbitrary: mk('read_group', fc.tuple(domainArb(model), aggregates, groupby), fc.record({ lazy: opt(fc.boolean()), orderby: opt((wild ? fc.oneof(orderArb(model), fc.constantFrom('__count desc', 'create_date:month')) : fc.constantFrom('__count desc', '__count'))), paging }).map(({ paging: p, ...r }) => dropUndefined({ ...r, ...p }))) },
      { weight: 2, arbitrary: mk('read', fc.tuple(wild ? idsArb : fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 4 }), fieldsArb(model))) },
      { weight: 1, arbitrary: mk('name_search', fc.tuple(fc.oneof(fc.string({ maxLength: 6 }), fc.constant('T-')), domainArb(model), fc.constantFrom('ilike', '=', 'not ilike', 'like', 'bogus'), fc.oneof(fc.nat(10), fc.constant(null)))) },
      { weight: 1, arbitrary: mk('export_data', fc.tuple(idsArb, fc.array(fc.oneof(fc.constantFrom(...fieldNames(model)), pathArb(model).map((p) => p.replace(/\./g, '/')), fc.constantFrom('.id', 'id', 'partner_id/.id', 'password', '')), { maxLength: 3 }))) },
      { weight: 1, arbitrary: mk('fields_get', fc.tuple(fc.oneof(fc.constant(null), fieldsArb(model)), fc.oneof(fc.constant(null), fc.constant(['string', 'type']), scalar))) },
      { weight: 1, arbitrary: mk('default_get', fc.tuple(fieldsArb(model))) },
      { weight: 1, arbitrary: mk('write', fc.tuple(idsArb, fc.dictionary(fc.constantFrom('name', 'subject', 'description', 'category_id', 'priority_id', 'state', 'email', 'res_id', 'password', 'nope'), value, { maxKeys: 2 }))).map((c) => (WRITABLE.includes(c.model) ? c : { ...c, model: 'helpdesk.ticket' })) },
      // RPC argument shapes: any method name, args that are not a list, kwargs of every kind.
      { weight: wild ? 4 : 0, arbitrary: fc.record({
        method: fc.constantFrom('search', 'read', 'search_read', 'read_group', 'name_search', 'fields_get', 'check_access_rights', 'exists', 'copy', '_authenticate', '__proto__', 'constructor', 'toString', 'secret_method', 'message_post', 'action_open', 'change_password', ''),
        args: fc.oneof(fc.array(value, { maxLength: 4 }), scalar, fc.constant({})),
        kwargs: fc.dictionary(fc.constantFrom('domain', 'fields', 'order', 'limit', 'ids', 'context', 'vals', 'nope', '__proto__'), value, { maxKeys: 3 }),
      }).map((r) => ({ role, transport, model, ...r, kwargs: r.kwargs as Record<string, unknown> })).map((c) => (c.role === 'admin' && ['copy', 'message_post', 'action_open', 'change_password'].includes(c.method) ? { ...c, method: 'exists' } : c)) },
    );
  }));
}

// ── running a case and the oracles ──────────────────────────────────────────────────
interface Answer { ok: boolean; result?: unknown; errorName?: string; message?: string; raw: string }

async function run(c: Case): Promise<Answer> {
  if (c.transport === 'call_kw') {
    const res = await fetch(`${srv.url}/web/dataset/call_kw/${encodeURIComponent(c.model)}/${encodeURIComponent(c.method)}`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: cookie[c.role] },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { model: c.model, method: c.method, args: c.args, kwargs: c.kwargs }, id: 1 }),
    });
    const raw = await res.text();
    if (res.status !== 200 || !/json/.test(res.headers.get('content-type') ?? '')) return { ok: false, errorName: `HTTP ${res.status} ${res.headers.get('content-type')}`, raw };
    const body = JSON.parse(raw);
    return body.error ? { ok: false, errorName: body.error.data?.name, message: body.error.data?.message, raw } : { ok: true, result: body.result, raw };
  }
  const r = await xmlRpc(srv.url, '/xmlrpc/2/object', 'execute_kw', ['helpdesk', uid[c.role], c.role, c.model, c.method, c.args, c.kwargs]);
  const raw = JSON.stringify(r);
  if (r.status !== 200) return { ok: false, errorName: `HTTP ${r.status}`, raw };
  if (!r.fault) return { ok: true, result: r.value, raw };
  const name = r.fault.faultString.split(': ')[0];
  return { ok: false, errorName: name, message: r.fault.faultString, raw };
}

/** Ids the role may read: a sudo search filtered by the role's rule domain (document-linked models: the ORM's own check). */
async function allowedIds(role: Role, model: string): Promise<Set<number>> {
  return srv.app.withEnv(SUPERUSER_ID, async (env) => {
    const userEnv = env.withUser(uid[role]).withContext({ active_test: false });
    if (meta(model).documentLink) return new Set((await userEnv.model(model).search([])).ids);
    const rule = await ruleDomain(userEnv, model, 'read');
    return new Set((await env.sudo().withContext({ active_test: false }).model(model).search(rule ?? [])).ids);
  });
}

async function readableFields(role: Role, model: string): Promise<Set<string>> {
  return srv.app.withEnv(SUPERUSER_ID, async (env) => new Set((await visibleFields(env.withUser(uid[role]), srv.app.registry.get(model) as ModelClass)).map((f) => f.name)));
}

/** Fails the test with the counterexample and the property's own error message. */
function report<T>(t: ExecutionContext, details: fc.RunDetails<T>): void {
  if (!details.failed) return;
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  t.fail(`after ${details.numRuns} cases (seed ${details.seed}, path ${details.counterexamplePath}): ${error}\ncounterexample: ${fc.stringify(details.counterexample)}`);
}
async function assertProperty<T extends [unknown, ...unknown[]]>(t: ExecutionContext, property: fc.IAsyncProperty<T>, params: fc.Parameters<T>): Promise<void> {
  report(t, await fc.check(property, params));
}

const tally = new Map<string, number>();
let cases = 0;

async function checkCase(c: Case): Promise<void> {
  cases++;
  const started = Date.now();
  if (process.env.FUZZ_VERBOSE) console.error(`case ${cases}: ${JSON.stringify(c).slice(0, 1500)}`);
  const a = await run(c);
  if (process.env.FUZZ_VERBOSE) console.error(`${Date.now() - started} ms ${JSON.stringify(c).slice(0, 400)} → ${a.raw.slice(0, 200)}`);
  const key = a.ok ? `${c.method}: ok` : `${c.method}: ${a.errorName}`;
  tally.set(key, (tally.get(key) ?? 0) + 1);
  // 1. only documented error classes
  if (!a.ok && !DOCUMENTED.has(a.errorName ?? '')) throw new Error(`undocumented answer ${a.errorName}: ${a.message ?? a.raw.slice(0, 300)}`);
  // 3a. never a password hash, for anyone
  if (/scrypt\$/.test(a.raw)) throw new Error('a password hash left the server');
  if (!a.ok || !MODELS.includes(c.model)) return;
  // 2. rows within the record rules; 3b. only readable fields
  const rows = (c.method === 'search_read' || c.method === 'read') && Array.isArray(a.result) && a.result.every((r) => r && typeof r === 'object' && 'id' in r) ? a.result as Array<Record<string, unknown>> : null;
  let ids: number[] | null = null;
  if (c.method === 'search' && Array.isArray(a.result)) ids = a.result as number[];
  if ((c.method === 'search_read' || c.method === 'read') && rows) ids = rows.map((r) => r.id as number);
  if (c.method === 'name_search' && Array.isArray(a.result)) ids = (a.result as Array<[number, string]>).map((p) => p[0]);
  if (ids?.length) {
    const allowed = await allowedIds(c.role, c.model);
    const outside = ids.filter((id) => !allowed.has(id));
    if (outside.length) throw new Error(`rows outside the record rules of ${c.role}: ${c.model} ${outside.join(', ')}`);
  }
  if ((c.method === 'search_count' && typeof a.result === 'number') || (c.method === 'read_group' && Array.isArray(a.result))) {
    const n = c.method === 'search_count' ? a.result as number : (a.result as Array<Record<string, unknown>>).reduce((s, g) => s + Number(g.__count ?? Object.entries(g).find(([k]) => k.endsWith('_count'))?.[1] ?? 0), 0);
    const allowed = await allowedIds(c.role, c.model);
    if (n > allowed.size) throw new Error(`${c.method} counted ${n} ${c.model} rows, ${c.role} may read ${allowed.size}`);
  }
  if (rows?.length) {
    const readable = await readableFields(c.role, c.model);
    for (const r of rows) for (const k of Object.keys(r)) if (!readable.has(k)) throw new Error(`${c.role} received field ${c.model}.${k}`);
  }
  if (c.method === 'fields_get' && a.result && typeof a.result === 'object') {
    const readable = await readableFields(c.role, c.model);
    for (const k of Object.keys(a.result)) if (!readable.has(k)) throw new Error(`fields_get showed ${c.role} the field ${c.model}.${k}`);
  }
}

test.serial('RPC fuzz: every role, call_kw and XML-RPC — no crash, no row outside the rules, no forbidden field', async (t) => {
  await assertProperty(t, fc.asyncProperty(caseArb(), checkCase), { numRuns: RUNS, seed: SEED, endOnFailure: true });
  t.log(`${cases} generated cases (seed ${SEED}); answers: ${[...tally].sort().map(([k, n]) => `${k} ×${n}`).join('; ')}`);
  t.true(cases >= RUNS);
  t.true([...tally.keys()].some((k) => k.endsWith(': ok')) && [...tally.keys()].some((k) => k.includes('AccessError')), 'the cases reach both answers and refusals');
});

// ── literal-eval: rule expressions through RPC, and the evaluator on its own ─────────
const exprArb: fc.Arbitrary<string> = fc.letrec((tie) => ({
  expr: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('1', '0', '-1', '1.5', '1e400', "'a'", '"x"', 'True', 'False', 'None', 'user.id', 'user.partner_id.id', 'user.groups_id.ids', 'uid', 'user', 'ref', 'nope', 'user.__proto__', 'user.constructor', '[]', '{}', '()'),
    fc.tuple(tie('expr'), fc.constantFrom('+', '-', '*', '/', '//', '%', '==', '!=', '<', 'in', 'not in', 'and', 'or', 'is', ','), tie('expr')).map(([a, op, b]) => `${a} ${op} ${b}`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `[(${a}, '=', ${b})]`),
    fc.array(tie('expr'), { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `{${a}: ${b}}`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `${a}[${b}]`),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([a, b, c]) => `${a} if ${b} else ${c}`),
    tie('expr').map((a) => `not ${a}`),
    tie('expr').map((a) => `ref(${a})`),
    fc.nat(3000).map((n) => `${'('.repeat(n)}1${')'.repeat(n)}`),
    fc.string({ maxLength: 12 }),
  ),
})).expr as fc.Arbitrary<string>;

test.serial('literal-eval fuzz: any expression evaluates or is a ValidationError, never a crash', (t) => {
  let n = 0;
  report(t, fc.check(fc.property(exprArb, (src) => {
    n++;
    try {
      evaluate(src, { user: { id: 2, partner_id: { id: 3 }, groups_id: { ids: [1, 2] } }, uid: 2 });
    } catch (e) {
      if (!(e instanceof ErpError)) throw new Error(`${(e as Error).name}: ${(e as Error).message} for ${src.slice(0, 80)}`);
    }
  }), { numRuns: RUNS * 10, seed: SEED }));
  t.log(`${n} generated expressions`);
  t.true(n >= RUNS * 10);
});

test.serial('rule-expression fuzz: a record rule with any expression, then a user search over XML-RPC — a documented answer, never a crash', async (t) => {
  let n = 0;
  await fc.check(fc.asyncProperty(exprArb, fc.constantFrom('search_read', 'search_count', 'read_group'), async (expr, method) => {
    n++;
    const set = await xmlRpc(srv.url, '/xmlrpc/2/object', 'execute_kw', ['helpdesk', uid.admin, 'admin', 'ir.rule', 'write', [[tagRule], { domain_force: expr, active: true }]]);
    if (set.fault && !DOCUMENTED.has(set.fault.faultString.split(': ')[0])) throw new Error(`writing the rule: ${set.fault.faultString}`);
    const args = method === 'read_group' ? [[], ['name'], ['name']] : [[]];
    const a = await run({ role: 'usuario', transport: 'xmlrpc', model: 'helpdesk.ticket.tag', method, args, kwargs: method === 'search_read' ? { fields: ['name'] } : {} });
    if (!a.ok && !DOCUMENTED.has(a.errorName ?? '')) throw new Error(`undocumented answer ${a.errorName}: ${a.message}`);
  }), { numRuns: Math.ceil(RUNS / 5), seed: SEED, endOnFailure: true }).then((d) => report(t, d));
  await srv.app.withEnv(SUPERUSER_ID, (env) => env.model('ir.rule').browse([tagRule]).write({ active: false }));
  t.log(`${n} generated rule expressions`);
  t.true(n > 0);
});
