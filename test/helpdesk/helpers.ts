/**
 * Shared set-up of the helpdesk tests: one database per test file with a user of every
 * role (committed once), and `rollback()` to run each test in a transaction that is undone
 * afterwards, so the tests of a file are independent of each other.
 */
import type { ExecutionContext } from 'ava';
import type { App } from '../../core/app.ts';
import { Environment, SUPERUSER_ID, type Model } from '../../core/orm/index.ts';
import { makeTestApp } from '../helpers/app.ts';

export type Role = 'user' | 'other' | 'technician' | 'technician2' | 'admin' | 'employee';

export interface HelpdeskFixture {
  app: App;
  /** Users by role: `user` and `other` are reporters (group user), `employee` has no helpdesk group. */
  uid: Record<Role, number>;
  partner: Record<Role, number>;
}

const GROUP: Record<Role, string> = {
  user: 'helpdesk_bytacora.group_helpdesk_user',
  other: 'helpdesk_bytacora.group_helpdesk_user',
  technician: 'helpdesk_bytacora.group_helpdesk_technician',
  technician2: 'helpdesk_bytacora.group_helpdesk_technician',
  admin: 'helpdesk_bytacora.group_helpdesk_admin',
  employee: 'base.group_user',
};

/** Boots a fresh database with helpdesk_bytacora and one user per role. */
export async function setupHelpdesk(opts: { demo?: boolean; passwords?: boolean } = {}): Promise<HelpdeskFixture> {
  const app = await makeTestApp({ addons: ['helpdesk_bytacora'], demo: opts.demo ?? false });
  return { app, ...(await createRoleUsers(app, opts)) };
}

/** One committed user per role (login `hd_<role>`, password `hd_<role>_pw` when asked). */
export async function createRoleUsers(app: App, opts: { passwords?: boolean } = {}): Promise<Omit<HelpdeskFixture, 'app'>> {
  const uid = {} as Record<Role, number>;
  const partner = {} as Record<Role, number>;
  await app.withEnv(SUPERUSER_ID, async (env) => {
    for (const role of Object.keys(GROUP) as Role[]) {
      const group = await env.refId(GROUP[role]);
      const p = await env.model('res.partner').create({ name: `HD ${role}`, email: `hd.${role}@example.com`, city: `City ${role}`, phone: `+34 600 00 ${role.length}` });
      const vals: Record<string, unknown> = { name: `HD ${role}`, login: `hd_${role}`, partner_id: p.ids[0], groups_id: [[6, 0, [group]]] };
      if (opts.passwords) vals.password = `hd_${role}_pw`;
      const u = await env.model('res.users').create(vals);
      uid[role] = u.ids[0];
      partner[role] = p.ids[0];
    }
  });
  return { uid, partner };
}

const ROLLBACK = Symbol('rollback');

/** Runs `fn` as superuser in a transaction that is always rolled back; returns its result. */
export async function rollback<T>(app: App, fn: (env: Environment) => Promise<T>, context: Record<string, unknown> = {}): Promise<T> {
  let result: T;
  try {
    await app.db.knex.transaction(async (trx) => {
      const env = new Environment({ cr: trx, uid: SUPERUSER_ID, registry: app.registry, context: { lang: 'en_US', tz: 'UTC', ...context } });
      result = await fn(env);
      throw ROLLBACK;
    });
  } catch (err) {
    if (err !== ROLLBACK) throw err;
  }
  return result!;
}

/** The model `name` as user `uid` (same transaction as `env`). */
export function as(env: Environment, uid: number, name = 'helpdesk.ticket'): any {
  return env.withUser(uid).model(name);
}

/** A ticket reported by `role` (created by them through the ORM), in `state` (set as sudo). */
export async function ticketOf(fx: HelpdeskFixture, env: Environment, role: Role, vals: Record<string, unknown> = {}, state?: string): Promise<number> {
  const creator = role === 'employee' ? SUPERUSER_ID : fx.uid[role];
  const base: Record<string, unknown> = { subject: `Ticket of ${role}`, description: `<p>Problem reported by ${role}</p>`, ...vals };
  if (creator === SUPERUSER_ID) base.partner_id ??= fx.partner[role];
  const rec = await as(env, creator).create(base);
  if (state) await env.model('helpdesk.ticket').browse(rec.ids).sudo().write({ state, ...(state === 'closed' ? { solution: '<p>Done</p>', close_date: '2025-01-01 10:00:00' } : {}) });
  return rec.ids[0];
}

/** Reads one field of a record as superuser. */
export async function field<T = unknown>(env: Environment, model: string, id: number, name: string): Promise<T> {
  const [rec] = await env.model(model).browse([id]).read([name]);
  return rec[name] as T;
}

export type ErrorName = 'AccessError' | 'UserError' | 'ValidationError' | 'MissingError';

/** Asserts that `promise` rejects with the named error class (and a message matching `message`). */
export async function rejects(t: ExecutionContext, promise: Promise<unknown>, name: ErrorName, message?: RegExp): Promise<Error> {
  const err = await t.throwsAsync(promise);
  t.is(err?.name, name, `expected ${name}, got ${err?.name}: ${err?.message}`);
  if (message) t.regex(err?.message ?? '', message);
  return err!;
}

export type { Model };
