/**
 * Inbound mail, step 2: Odoo's `message_process`. One parsed message → one transaction:
 *
 *   duplicate Message-ID? ──▶ ignored (already here: a client resending after a lost 250)
 *   sent by us / an alias? ──▶ ignored (loop)
 *   auto-reply / bounce?   ──▶ ignored (never creates records, never answered)
 *   In-Reply-To / References = message_id of a mail.message ──▶ record.message_update
 *   subject names a record of the alias's model ([T-00012]) ──▶ record.message_update
 *   alias with a forced thread ──▶ that record.message_update
 *   alias ──▶ model.message_new(mail, alias defaults)
 *
 * Every message leaves a `mail.gateway.message` row saying what happened and why, in the
 * same transaction as its effects; what was not routed keeps its raw bytes there. A message
 * that fails (bug, bad data) is rolled back and kept raw by `keepRaw` in a transaction of
 * its own — the SMTP client still gets its 250: the mail is not lost, an admin sees it.
 */
import type { App } from '../../../core/app.ts';
import { rawStatement, statementRowsNamed } from '../../../core/db/index.ts';
import { SUPERUSER_ID, type Environment, type Model } from '../../../core/orm/index.ts';
import { parseAliasDefaults } from '../models/mail_alias.ts';
import { rememberMessageIdFree } from '../models/mail_message.ts';
import { postedInboundMessage } from '../models/mail_thread.ts';
import { findPartnerByEmail, formatEmailAddress, parseEmailList } from '../tools.ts';
import { parseInbound, UnparseableMail, type ParsedInbound } from './parse.ts';

export interface GatewaySettings {
  /** Domains whose mail we accept (lower-case); the first one names our aliases. */
  domains: string[];
  /** The address our notifications are sent from (never accepted back). */
  fromAddress: string;
}

export interface Envelope {
  /** MAIL FROM ('' for the null sender). */
  from: string;
  /** RCPT TO addresses, lower-cased. */
  to: string[];
}

export interface RouteOutcome {
  state: 'routed' | 'ignored' | 'failed';
  reason: string;
  detail?: string;
  model?: string;
  resId?: number;
  /** The mail.message created, if any. */
  messageId?: number;
  /** The mail.gateway.message row. */
  logId: number;
}

interface Target { model: string; resId: number | false; reason: string; detail: string; alias?: AliasRow }
interface AliasRow { id: number; alias_name: string; model: string; alias_defaults: string; alias_force_thread_id: number | null; alias_contact: string }

/** The alias rows for local parts of our domains among `addresses`. */
export async function aliasesFor(env: Environment, addresses: string[], domains: string[]): Promise<AliasRow[]> {
  const locals = addresses.map((a) => a.toLowerCase().split('@')).filter(([, d]) => d && domains.includes(d)).map(([l]) => l);
  if (!locals.length) return [];
  const names = [...new Set(locals)].sort();
  // Shared across units of work, per set of names: every mail to the same alias asks.
  const rows = await env.cached(['mail.alias', 'ir.model'], `mail.alias.named:${names.join(',')}`, () => env.cr('mail_alias as a').join('ir_model as m', 'm.id', 'a.alias_model_id')
    .whereIn('a.alias_name', names).where('a.active', true)
    .select('a.id', 'a.alias_name', 'm.model', 'a.alias_defaults', 'a.alias_force_thread_id', 'a.alias_contact'));
  const order = new Map(locals.map((l, i) => [l, i]));
  return (rows as AliasRow[]).map((r) => ({ ...r, id: Number(r.id) })).sort((a, b) => (order.get(a.alias_name) ?? 0) - (order.get(b.alias_name) ?? 0));
}

/** Is `local@domain` one of our active aliases? (The SMTP listener asks at RCPT TO.) */
export async function isKnownRecipient(app: App, address: string, settings: GatewaySettings): Promise<boolean> {
  const [local, domain] = address.toLowerCase().split('@');
  if (!domain || !settings.domains.includes(domain)) return false;
  // Shared with the units of work of this process; outside any transaction.
  return app.registry.sharedCache.get(['mail_alias'], `mail.alias.known:${local}`, async () =>
    !!(await app.db.knex('mail_alias').where({ alias_name: local, active: true }).first('id')));
}

async function threadFromHeaders(env: Environment, mail: ParsedInbound): Promise<Target | null> {
  const inReplyTo = mail.in_reply_to ? [String(mail.in_reply_to)] : [];
  const refs = String(mail.references || '').split(/\s+/).filter(Boolean).reverse();
  for (const [header, ids] of [['In-Reply-To', inReplyTo], ['References', refs]] as const) {
    if (!ids.length) continue;
    const rows = await env.cr('mail_message').whereIn('message_id', ids).whereNotNull('model').where('res_id', '>', 0).select('message_id', 'model', 'res_id');
    for (const id of ids) {
      const row = rows.find((r: any) => r.message_id === id);
      if (row && env.registry.has(row.model) && (await recordExists(env, row.model, Number(row.res_id)))) {
        return { model: row.model, resId: Number(row.res_id), reason: 'header', detail: `${header}: ${id}` };
      }
    }
  }
  return null;
}

async function recordExists(env: Environment, model: string, id: number): Promise<boolean> {
  const m = env.model(model) as Model;
  if (typeof (m as any).message_update !== 'function') return false;
  return (await m.browse([id]).exists()).ids.length === 1;
}

async function findTarget(env: Environment, mail: ParsedInbound, aliases: AliasRow[]): Promise<Target | null> {
  const byHeader = await threadFromHeaders(env, mail);
  if (byHeader) return byHeader;
  for (const alias of aliases) {
    if (!env.registry.has(alias.model)) continue;
    const model = env.model(alias.model) as any;
    if (mail.subject && typeof model._messageRouteFromSubject === 'function') {
      const id = await model._messageRouteFromSubject(String(mail.subject));
      if (id && (await recordExists(env, alias.model, id))) return { model: alias.model, resId: id, reason: 'subject_tag', detail: String(mail.subject), alias };
    }
  }
  for (const alias of aliases) {
    if (!env.registry.has(alias.model)) continue;
    const forced = Number(alias.alias_force_thread_id || 0);
    if (forced && (await recordExists(env, alias.model, forced))) return { model: alias.model, resId: forced, reason: 'forced_thread', detail: `${alias.alias_name}`, alias };
    if (!forced) return { model: alias.model, resId: false, reason: 'alias', detail: `${alias.alias_name}`, alias };
  }
  return null;
}

type LogVals = Omit<RouteOutcome, 'logId'> & { raw?: Buffer };

function logRow(mail: Partial<ParsedInbound>, envelope: Envelope, raw: Buffer, vals: LogVals): Record<string, unknown> {
  const keepRaw = vals.state !== 'routed';
  return {
    email_from: mail.email_from || envelope.from || false,
    email_to: envelope.to.join(', '),
    subject: mail.subject || false,
    message_id: mail.message_id || false,
    state: vals.state,
    reason: vals.reason,
    detail: vals.detail || false,
    model: vals.model || false,
    res_id: vals.resId || false,
    mail_message_id: vals.messageId || false,
    size: raw.length,
    raw: keepRaw ? raw : false,
  };
}

async function writeLog(env: Environment, mail: Partial<ParsedInbound>, envelope: Envelope, raw: Buffer, vals: LogVals): Promise<number> {
  const created = await env.sudo().model('mail.gateway.message').create(logRow(mail, envelope, raw, vals));
  return created.ids[0];
}

/** What mail_message held for a Message-ID when it was locked; null: no message has it. */
type SeenRow = { id: number; model: string | null; res_id: number | null } | null;

const messageIdLock = (messageId: string) => `mail.gateway:${messageId}`;

/**
 * The mails of one transaction (a batch, see batch.ts) share two steps that would otherwise
 * be three statements each:
 *  - `lock()`: every Message-ID locked at once (in one order, so two batches cannot deadlock),
 *    then what mail_message holds for them read at once, after the locks (a fresh snapshot);
 *  - the `mail.gateway.message` rows written by one INSERT (`flush()`) before the commit.
 * A Message-ID's pre-read answers only the first mail that carries it: a second one in the
 * same batch checks again (its lock is already held), and sees the first one's message.
 */
export class BatchRouting {
  private readonly seen = new Map<string, SeenRow>();
  private readonly logs: Array<{ row: Record<string, unknown>; outcome: RouteOutcome }> = [];

  /** Locks the Message-IDs of `mails` for this transaction and reads which are already here. */
  async lock(env: Environment, mails: ParsedInbound[]): Promise<void> {
    const ids = [...new Set(mails.map((m) => m.message_id).filter((id): id is string => !!id).map(String))];
    if (!ids.length) return;
    // Straight on the connection (statementRowsNamed): knex's runner costs more than the statements.
    await statementRowsNamed(env.cr, 'SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT hashtext(x) AS k FROM unnest(?::text[]) AS x ORDER BY 1) s', [ids.map(messageIdLock)]);
    const rows = await statementRowsNamed(env.cr, 'SELECT DISTINCT ON (message_id) message_id, id, model, res_id FROM mail_message WHERE message_id = ANY(?::text[]) ORDER BY message_id, id', [ids]);
    for (const id of ids) this.seen.set(id, null);
    for (const r of rows as Array<{ message_id: string; id: number; model: string | null; res_id: number | null }>) this.seen.set(r.message_id, { id: Number(r.id), model: r.model, res_id: r.res_id });
  }

  /** The pre-read of this Message-ID, once (undefined: check it now). */
  take(messageId: string): SeenRow | undefined {
    const row = this.seen.get(messageId);
    this.seen.delete(messageId);
    return row;
  }

  /** Keeps a mail's log row for `flush`; its outcome gets the row's id then. */
  keepLog(row: Record<string, unknown>, outcome: RouteOutcome): void {
    this.logs.push({ row, outcome });
  }

  /** Forgets what the last mail kept (its savepoint was rolled back). */
  dropSince(count: number): void {
    this.logs.length = Math.min(this.logs.length, count);
  }

  get kept(): number {
    return this.logs.length;
  }

  /** Writes the kept log rows (one INSERT) and gives each outcome its row's id. */
  async flush(env: Environment): Promise<void> {
    if (!this.logs.length) return;
    const created = await env.sudo().model('mail.gateway.message').create(this.logs.map((l) => l.row));
    this.logs.forEach((l, i) => { l.outcome.logId = created.ids[i]; });
    this.logs.length = 0;
  }
}

/**
 * Routes one parsed message inside `env`'s transaction (as superuser); returns what happened.
 * Within a batch (`batch`), its Message-ID was locked and looked up with the others', and its
 * log row is written with theirs (the outcome's `logId` is set once `batch.flush` has run).
 */
export async function routeParsed(env: Environment, mail: ParsedInbound, envelope: Envelope, raw: Buffer, settings: GatewaySettings, batch?: BatchRouting): Promise<RouteOutcome> {
  const log = async (vals: LogVals): Promise<RouteOutcome> => {
    if (batch) {
      const outcome: RouteOutcome = { ...vals, logId: 0 };
      batch.keepLog(logRow(mail, envelope, raw, vals), outcome);
      return outcome;
    }
    return { ...vals, logId: await writeLog(env, mail, envelope, raw, vals) };
  };
  if (mail.message_id) {
    let seen = batch?.take(String(mail.message_id));
    if (seen === undefined) {
      // One Message-ID at a time across processes: a client resending a mail to another worker
      // waits for the first to commit, then finds it below as a duplicate.
      await rawStatement(env.cr, 'SELECT pg_advisory_xact_lock(hashtext(?))', [messageIdLock(String(mail.message_id))]);
      const row = await env.cr('mail_message').where({ message_id: mail.message_id }).first('id', 'model', 'res_id');
      seen = row ? { id: Number(row.id), model: row.model, res_id: row.res_id } : null;
    }
    if (seen) return log({ state: 'ignored', reason: 'duplicate', detail: String(mail.message_id), model: seen.model || undefined, resId: Number(seen.res_id) || undefined, messageId: Number(seen.id) });
    // message_post's own duplicate check need not ask again.
    await rememberMessageIdFree(env, String(mail.message_id));
  }
  const aliases = await aliasesFor(env, [...envelope.to, ...mail.recipients], settings.domains);
  const [senderLocal, senderDomain] = mail.sender.split('@');
  const ownAlias = senderDomain && settings.domains.includes(senderDomain)
    && (await env.cr('mail_alias').where({ alias_name: senderLocal }).first('id'));
  if (mail.sender && (mail.sender === settings.fromAddress.toLowerCase() || ownAlias)) {
    return log({ state: 'ignored', reason: 'loop', detail: mail.sender });
  }
  if (mail.automatic) return log({ state: 'ignored', reason: mail.automatic, detail: mail.sender || envelope.from });
  const target = await findTarget(env, mail, aliases);
  if (!target) return log({ state: 'failed', reason: 'unroutable', detail: envelope.to.join(', ') });
  const model = env.model(target.model) as any;
  // Aliases restricted to known partners (alias_contact 'partners') refuse strangers.
  if (target.alias?.alias_contact === 'partners' && !(await findPartnerByEmail(env, mail.sender))) {
    return log({ state: 'ignored', reason: 'sender_refused', detail: mail.sender });
  }
  // Our own addresses never become followers or partners of what the mail creates.
  const inbound: ParsedInbound = { ...mail, cc: ownFree(mail.cc, settings) };
  if (target.resId) {
    const messageId: number = await model.browse([target.resId]).message_update(inbound);
    const row = messageId ? await env.cr('mail_message').where({ id: messageId }).first('model', 'res_id') : null;
    const landed = row ? { model: String(row.model), resId: Number(row.res_id) } : { model: target.model, resId: target.resId };
    const moved = landed.model !== target.model || landed.resId !== target.resId;
    const reason = moved ? inbound.route_reason || 'redirected' : target.reason;
    const detail = moved ? `${target.reason}: ${target.detail} → ${target.model},${target.resId}` : target.detail;
    return log({ state: 'routed', reason, detail, ...landed, messageId: messageId || undefined });
  }
  const defaults = parseAliasDefaults(env, target.alias?.alias_defaults);
  const record = await model.message_new(inbound, defaults);
  const resId = Number(record.ids[0]);
  const msg = mail.message_id ? await postedInboundMessage(env, String(mail.message_id)) : 0;
  return log({ state: 'routed', reason: 'alias', detail: target.detail, model: target.model, resId, messageId: msg || undefined });
}

function ownFree(list: string | false | undefined, settings: GatewaySettings): string | false {
  const kept = parseEmailList(list || '').filter((a) => !settings.domains.includes(a.email.split('@')[1]) && a.email !== settings.fromAddress.toLowerCase());
  return kept.map((a) => formatEmailAddress(a.name, a.email)).join(', ') || false;
}

/** Keeps a message that could not be processed: raw, with the reason, in its own transaction. */
export async function keepRaw(app: App, raw: Buffer, envelope: Envelope, reason: 'unparseable' | 'error', detail: string, mail: Partial<ParsedInbound> = {}): Promise<RouteOutcome> {
  return app.withEnv(SUPERUSER_ID, async (env) => {
    const vals: LogVals = { state: 'failed', reason, detail: detail.slice(0, 2000) };
    return { ...vals, logId: await writeLog(env, mail, envelope, raw, vals) };
  });
}

/**
 * The whole of message_process for raw bytes received by the SMTP listener: parse, route
 * and record in one transaction; on failure keep the raw message. Resolves once committed.
 * (The listener files mails in batches, see batch.ts; a mail that fails there comes here.)
 */
export async function processInbound(app: App, raw: Buffer, envelope: Envelope, settings: GatewaySettings): Promise<RouteOutcome> {
  let mail: ParsedInbound;
  try {
    mail = await parseInbound(raw, envelope.from);
  } catch (err) {
    if (err instanceof UnparseableMail) return keepRaw(app, raw, envelope, 'unparseable', err.message);
    throw err;
  }
  return processParsed(app, mail, raw, envelope, settings);
}

/** processInbound of a parsed message: routed in a transaction of its own, else kept raw. */
export async function processParsed(app: App, mail: ParsedInbound, raw: Buffer, envelope: Envelope, settings: GatewaySettings): Promise<RouteOutcome> {
  try {
    return await app.withEnv(SUPERUSER_ID, (env) => routeParsed(env, mail, envelope, raw, settings));
  } catch (err) {
    // The same Message-ID committed meanwhile by another process (a client that resent it): a duplicate, not an error.
    if (mail.message_id) {
      const seen = await app.db.knex('mail_message').where({ message_id: mail.message_id }).first('id');
      if (seen) return app.withEnv(SUPERUSER_ID, (env) => routeParsed(env, mail, envelope, raw, settings));
    }
    return keepRaw(app, raw, envelope, 'error', String((err as Error)?.stack ?? err), mail);
  }
}

/** Routes kept raw bytes again inside `env`'s transaction ("Process Again" of an admin). */
export async function reprocessRaw(env: Environment, raw: Buffer, to: string[], settings: GatewaySettings): Promise<RouteOutcome> {
  const mail = await parseInbound(raw, false);
  return routeParsed(env.sudo(), mail, { from: mail.sender, to }, raw, settings);
}
