/**
 * The permission table of SPEC 4.3 through the External API, as other programs use it:
 * Python's own xmlrpc.client (`/xmlrpc/2/object` execute_kw) and JSON-RPC (`/jsonrpc`,
 * service object) against a live server. Every case runs on its own fresh ticket, so each
 * is one behaviour; effects are checked in the database afterwards.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { SUPERUSER_ID } from '../../core/orm/index.ts';
import { PROJECT_ROOT } from '../../core/config.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { jsonRpc } from '../http/helpers.ts';
import { createRoleUsers, ticketOf, type ErrorName, type HelpdeskFixture, type Role } from './helpers.ts';

type Outcome = 'ok' | ErrorName;
interface Case {
  key: string;
  role: Role;
  /** Default helpdesk.ticket. */
  model?: string;
  method: string;
  args: unknown[];
  kwargs?: Record<string, unknown>;
  expect: Outcome;
  /** Value expected from the call (when ok). */
  result?: unknown;
  /** Reads the effect in the database; compared with `effect` (ok) or `before` (refused). */
  probe?: () => Promise<unknown>;
  effect?: unknown;
  before?: unknown;
}

let srv: TestServer;
let fx: HelpdeskFixture;
const cases: Record<'xmlrpc' | 'jsonrpc', Case[]> = { xmlrpc: [], jsonrpc: [] };
const answers: Record<'xmlrpc' | 'jsonrpc', Record<string, { result?: unknown; error?: string; message?: string }>> = { xmlrpc: {}, jsonrpc: {} };

const ROLES: Role[] = ['user', 'other', 'technician', 'admin', 'employee'];
const STAFF = (r: Role): Outcome => (r === 'technician' || r === 'admin' ? 'ok' : 'AccessError');
const REPORTER = (r: Role): Outcome => (r === 'user' ? 'ok' : 'AccessError');
const password = (r: Role) => `hd_${r}_pw`;

async function su<T>(fn: (env: any) => Promise<T>): Promise<T> {
  return srv.app.withEnv(SUPERUSER_ID, fn);
}
const ticketField = (id: number, name: string) => async () => su(async (env) => {
  const rows = await env.model('helpdesk.ticket').browse([id]).exists();
  if (!rows.ids.length) return 'deleted';
  const v = (await rows.read([name]))[0][name];
  return Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string' ? v[0] : v;
});

/** One fresh set of cases (and their tickets) for one transport. */
async function buildCases(tag: string): Promise<Case[]> {
  const out: Case[] = [];
  const fresh = (owner: Role, state?: string) => su((env) => ticketOf(fx, env, owner, { subject: `${tag} ticket of ${owner}` }, state));
  const note = await fresh('user');
  const noteId = await srv.app.withEnv(fx.uid.technician, (env: any) => env.model('helpdesk.ticket').browse([note]).message_post('<p>internal</p>', false, 'comment', 'mail.mt_note'));
  for (const role of ROLES) {
    out.push({ key: `create:${role}`, role, method: 'create', args: [{ subject: `${tag} new`, description: '<p>x</p>' }], expect: role === 'employee' ? 'AccessError' : 'ok' });

    const own = await fresh(role);
    out.push({ key: `read own:${role}`, role, method: 'read', args: [[own], ['subject']], expect: role === 'employee' ? 'AccessError' : 'ok' });
    const theirs = await fresh(role === 'user' ? 'other' : 'user');
    out.push({ key: `read others':${role}`, role, method: 'read', args: [[theirs], ['subject']], expect: STAFF(role) });

    const ids = [await fresh('user'), await fresh('other'), await fresh('technician')];
    const visible = role === 'user' ? [ids[0]] : role === 'other' ? [ids[1]] : [...ids].sort((a, b) => b - a);
    out.push({ key: `search:${role}`, role, method: 'search', args: [[['id', 'in', ids]]], expect: role === 'employee' ? 'AccessError' : 'ok', result: visible });

    const w1 = await fresh('user');
    out.push({ key: `write subject:${role}`, role, method: 'write', args: [[w1], { subject: 'changed' }], expect: 'UserError', probe: ticketField(w1, 'subject') });
    const w2 = await fresh('user');
    const high = await su((env) => env.refId('helpdesk_bytacora.priority_high'));
    out.push({ key: `write priority_id:${role}`, role, method: 'write', args: [[w2], { priority_id: high }], expect: STAFF(role), probe: ticketField(w2, 'priority_id'), effect: high });
    const w3 = await fresh('user');
    out.push({ key: `write state:${role}`, role, method: 'write', args: [[w3], { state: 'closed' }], expect: 'UserError', probe: ticketField(w3, 'state') });
    const w4 = await fresh('user');
    out.push({ key: `write user_id:${role}`, role, method: 'write', args: [[w4], { user_id: fx.uid.technician2 }], expect: 'AccessError', probe: ticketField(w4, 'user_id') });

    const a1 = await fresh('user', 'new');
    out.push({ key: `action_open:${role}`, role, method: 'action_open', args: [[a1]], expect: STAFF(role), probe: ticketField(a1, 'state'), effect: 'open' });
    const a2 = await fresh('user', 'open');
    out.push({ key: `action_wait:${role}`, role, method: 'action_wait', args: [[a2]], expect: STAFF(role), probe: ticketField(a2, 'state'), effect: 'pending' });
    const a3 = await fresh('user', 'open');
    out.push({ key: `action_solve:${role}`, role, method: 'action_solve', args: [[a3]], kwargs: { solution: '<p>Fixed over the API</p>' }, expect: STAFF(role), probe: ticketField(a3, 'state'), effect: 'closed' });
    const a4 = await fresh('user', 'open');
    out.push({ key: `action_reassign:${role}`, role, method: 'action_reassign', args: [[a4]], kwargs: { user_id: fx.uid.technician2 }, expect: STAFF(role), probe: ticketField(a4, 'user_id'), effect: fx.uid.technician2 });
    const a5 = await fresh('user', 'closed');
    out.push({ key: `action_reopen:${role}`, role, method: 'action_reopen', args: [[a5]], expect: role === 'other' || role === 'employee' ? 'AccessError' : 'ok', probe: ticketField(a5, 'state'), effect: 'open' });
    const a6 = await fresh('user', 'closed');
    out.push({ key: `action_rate:${role}`, role, method: 'action_rate', args: [[a6], '4', 'Fine'], expect: REPORTER(role), probe: ticketField(a6, 'rating'), effect: '4' });
    const a7 = await fresh('user', 'open');
    out.push({ key: `action_close:${role}`, role, method: 'action_close', args: [[a7]], kwargs: { note: 'Works now' }, expect: REPORTER(role), probe: ticketField(a7, 'state'), effect: 'closed' });
    const a8 = await fresh('user', 'open');
    out.push({ key: `unlink:${role}`, role, method: 'unlink', args: [[a8]], expect: role === 'admin' ? 'ok' : 'AccessError', probe: ticketField(a8, 'state'), effect: 'deleted' });

    const m1 = await fresh('user');
    out.push({ key: `message_post public:${role}`, role, method: 'message_post', args: [[m1]], kwargs: { body: '<p>Any news?</p>' }, expect: role === 'other' || role === 'employee' ? 'AccessError' : 'ok' });
    const m2 = await fresh('user');
    out.push({ key: `message_post note:${role}`, role, method: 'message_post', args: [[m2]], kwargs: { body: '<p>Internal</p>', subtype_xmlid: 'mail.mt_note' }, expect: STAFF(role) });
    if (role !== 'other' && role !== 'employee') {
      out.push({ key: `internal note visible:${role}`, role, model: 'mail.message', method: 'search_count', args: [[['model', '=', 'helpdesk.ticket'], ['res_id', '=', note], ['id', '=', noteId]]], expect: 'ok', result: role === 'user' ? 0 : 1 });
    }
    out.push({ key: `private method:${role}`, role, method: '_checkWriteVals', args: [[own], {}], expect: 'AccessError' });
  }
  const e1 = await fresh('user', 'open');
  out.push({ key: 'action_solve empty solution:technician', role: 'technician', method: 'action_solve', args: [[e1], ''], expect: 'UserError', probe: ticketField(e1, 'state') });
  const e2 = await fresh('user', 'open');
  out.push({ key: 'action_reassign to a user:technician', role: 'technician', method: 'action_reassign', args: [[e2], fx.uid.user], expect: 'UserError' });
  const e3 = await fresh('user', 'open');
  out.push({ key: 'action_rate open ticket:user', role: 'user', method: 'action_rate', args: [[e3], '5'], expect: 'UserError' });
  const e4 = await fresh('user', 'open');
  out.push({ key: 'action_solve_wizard:technician', role: 'technician', method: 'action_solve_wizard', args: [[e4]], expect: 'ok' });
  for (const c of out) if (c.probe) c.before = await c.probe();
  return out;
}

function errorName(text: string): ErrorName | 'other' {
  const m = /odoo\.exceptions\.(\w+)/.exec(text);
  return (m?.[1] as ErrorName) ?? 'other';
}

test.before(async () => {
  srv = await startTestServer({ addons: ['helpdesk_bytacora'], webClient: false });
  fx = { app: srv.app, ...(await createRoleUsers(srv.app, { passwords: true })) };
  cases.xmlrpc = await buildCases('xmlrpc');
  cases.jsonrpc = await buildCases('jsonrpc');

  // XML-RPC: Python's xmlrpc.client, one process for every case.
  const script = join(PROJECT_ROOT, 'test', 'helpdesk', 'python', 'run_cases.py');
  const payload = cases.xmlrpc.map((c) => ({ key: c.key, login: `hd_${c.role}`, password: password(c.role), model: c.model ?? 'helpdesk.ticket', method: c.method, args: c.args, kwargs: c.kwargs ?? {} }));
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile('python3', [script, srv.url, 'helpdesk'], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, out) => (err ? reject(err) : resolve(out)));
    child.stdin!.end(JSON.stringify(payload));
  });
  for (const [key, v] of Object.entries(JSON.parse(stdout) as Record<string, any>)) {
    answers.xmlrpc[key] = 'result' in v ? { result: v.result } : { error: errorName(v.faultString), message: v.faultString };
  }

  // JSON-RPC: /jsonrpc object.execute_kw.
  const uids: Record<string, number> = {};
  for (const c of cases.jsonrpc) {
    uids[c.role] ??= await jsonRpc(srv.url, 'common', 'authenticate', ['helpdesk', `hd_${c.role}`, password(c.role), {}]);
    try {
      const result = await jsonRpc(srv.url, 'object', 'execute_kw', ['helpdesk', uids[c.role], password(c.role), c.model ?? 'helpdesk.ticket', c.method, c.args, c.kwargs ?? {}]);
      answers.jsonrpc[c.key] = { result };
    } catch (err: any) {
      const name = String(err.rpc?.data?.name ?? '');
      answers.jsonrpc[c.key] = { error: errorName(name), message: err.message };
    }
  }
});
test.after.always(async () => { await srv?.close(); });

// The case list is only known after set-up; titles are declared from the same generator.
const TITLES: Array<[string, Outcome]> = [];
for (const role of ROLES) {
  const staff = STAFF(role), reporter = REPORTER(role);
  TITLES.push(
    [`create:${role}`, role === 'employee' ? 'AccessError' : 'ok'], [`read own:${role}`, role === 'employee' ? 'AccessError' : 'ok'], [`read others':${role}`, staff],
    [`search:${role}`, role === 'employee' ? 'AccessError' : 'ok'], [`write subject:${role}`, 'UserError'], [`write priority_id:${role}`, staff],
    [`write state:${role}`, 'UserError'], [`write user_id:${role}`, 'AccessError'], [`action_open:${role}`, staff], [`action_wait:${role}`, staff],
    [`action_solve:${role}`, staff], [`action_reassign:${role}`, staff], [`action_reopen:${role}`, role === 'other' || role === 'employee' ? 'AccessError' : 'ok'],
    [`action_rate:${role}`, reporter], [`action_close:${role}`, reporter], [`unlink:${role}`, role === 'admin' ? 'ok' : 'AccessError'],
    [`message_post public:${role}`, role === 'other' || role === 'employee' ? 'AccessError' : 'ok'], [`message_post note:${role}`, staff],
    [`private method:${role}`, 'AccessError'],
  );
  if (role !== 'other' && role !== 'employee') TITLES.push([`internal note visible:${role}`, 'ok']);
}
TITLES.push(['action_solve empty solution:technician', 'UserError'], ['action_reassign to a user:technician', 'UserError'], ['action_rate open ticket:user', 'UserError'], ['action_solve_wizard:technician', 'ok']);

for (const transport of ['xmlrpc', 'jsonrpc'] as const) {
  for (const [key, outcome] of TITLES) {
    const [what, role] = key.split(':');
    test(`${transport}: ${what} as ${role} → ${outcome}`, async (t) => {
      const c = cases[transport].find((x) => x.key === key);
      t.truthy(c, `case ${key} was built`);
      t.is(c!.expect, outcome, 'case table and titles agree');
      const answer = answers[transport][key];
      t.truthy(answer, `answer for ${key}`);
      if (outcome === 'ok') {
        t.is(answer.error, undefined, answer.message);
        if (c!.result !== undefined) t.deepEqual(answer.result, c!.result);
        if (c!.probe) t.deepEqual(await c!.probe(), c!.effect);
      } else {
        t.is(answer.error, outcome, answer.message);
        if (c!.probe) t.deepEqual(await c!.probe(), c!.before, 'nothing changed');
      }
    });
  }
}

test('xmlrpc: the solve wizard action comes back as a plain dict for API clients', (t) => {
  const answer = answers.xmlrpc['action_solve_wizard:technician'].result as any;
  t.is(answer.res_model, 'helpdesk.ticket.solve');
  t.is(answer.target, 'new');
  t.is(answer.context.active_model, 'helpdesk.ticket');
});
