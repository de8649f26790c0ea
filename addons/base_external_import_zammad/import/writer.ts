/**
 * Writes one batch of mapped Zammad tickets with a handful of set-based statements, in two
 * steps so that batches can be written side by side on a PostgreSQL server:
 *
 *   prepareBatch (one batch at a time, committed before the write):
 *     references (partners, technicians, categories: found or created in sets)
 *     existing tickets of the batch (one SELECT on (zammad_source_id, zammad_id))
 *     numbers of the new tickets, reserved from the sequence in one UPDATE (the row lock on
 *     the sequence is held only by this short step, never by a batch's long write)
 *   writeBatch (may run beside another batch's):
 *     SAVEPOINT ─▶ INSERT new tickets ─▶ UPDATE changed tickets only (IS DISTINCT FROM:
 *                  unchanged rows keep write_date) ─▶ stored computed fields of other addons
 *                  that depend on written fields (the ORM's batched recompute, once)
 *               ─▶ followers (reporter, technician) of new and changed tickets
 *               ─▶ articles upserted as messages on their Message-Id `<zammad.S.A@…>` (dedupe;
 *                  a moved article — Zammad merges — follows its new ticket)
 *               ─▶ attachments of newly inserted messages, bytes as read from Zammad
 *     a failing statement ─▶ ROLLBACK TO SAVEPOINT, then ticket by ticket, each in its own
 *                            savepoint, so one bad row is logged and the others are written
 *                            (its reserved number is left unused).
 *
 * What the ORM would do on create and stays true here: the ticket number from its sequence,
 * `priority_level` (stored computed) from the priority, `is_internal` of messages from their
 * subtype, the group-count tables and the search vectors (database triggers; on a server
 * the batch defers them to the indexer that runs after the import), sanitised HTML. Access: the run is started by a Settings user and writes as the
 * system, as SPEC 6 says.
 */
import { createHash } from 'node:crypto';
import { recomputeStored, sanitizeHtmlValue, SUPERUSER_ID, rowsOf, type Environment } from '../../../core/orm/index.ts';
import { mimeFromPreferences, utcText, type MappedTicket, type Person } from './mapping.ts';
import type { References } from './references.ts';
import { ColumnRows, insertMany, reserveIds, trustPlan, TriggerMode, updateChanged, type ColumnKind, type Cr, type TrustPlan } from './sql.ts';

export interface ArticleRow {
  id: number;
  ticket_id: number;
  subject: string | null;
  body: string | null;
  content_type: string | null;
  internal: boolean;
  email_from: string | null;
  sender: string | null;
  article_type: string | null;
  created_at: unknown;
  author_email: string | null;
  author_firstname: string | null;
  author_lastname: string | null;
  author_phone: string | null;
}

export interface AttachmentRow {
  id: number;
  article_id: string;
  filename: string | null;
  size: string | null;
  preferences: string | null;
  sha: string | null;
  provider: string | null;
  data: Buffer | null;
}

export interface BatchInput {
  tickets: MappedTicket[];
  articles: Map<number, ArticleRow[]>;
  attachments: Map<string, AttachmentRow[]>;
}

export interface WriterContext {
  sourceId: number;
  refs: References;
  subtypes: { comment: number | null; note: number | null };
  mailDomain: string;
  /** Where an attachment's bytes are not in the database (provider File): a warning each. */
  warn: (zammadId: number | null, message: string) => void;
  /** Tables written with trusted inserts (foreign keys checked per statement: sql.ts), by name. */
  trusted?: Map<string, TrustPlan>;
}

/** The tables of a batch whose rows can go in without per-row triggers. */
const TRUSTED_TABLES = ['mail_followers', 'mail_message', 'ir_attachment', 'message_attachment_rel'];

/**
 * The trusted-insert plans of the batch's tables, for a run whose search vectors are deferred
 * (the vector triggers of tickets and messages then only store NULL, as not firing does: a
 * no-op). The tickets' INSERT (a plain INSERT, no upsert) writes the group-count delta of its
 * statement trigger itself.
 */
export async function trustedTables(cr: Cr): Promise<Map<string, TrustPlan>> {
  const out = new Map<string, TrustPlan>();
  for (const table of TRUSTED_TABLES) {
    const plan = await trustPlan(cr, table, ['helpdesk_message_search_vector']);
    if (plan) out.set(table, plan);
  }
  const tickets = await trustPlan(cr, 'helpdesk_ticket', ['helpdesk_ticket_search_vector'], { insertOnly: true, groupCounts: true });
  if (tickets) out.set('helpdesk_ticket', tickets);
  return out;
}

/** What prepareBatch found and reserved for writeBatch. */
export interface PreparedBatch {
  /** Tickets already imported from this source, by Zammad id. */
  existing: Map<number, ExistingTicket>;
  /** The helpdesk number of each new ticket, by Zammad id. */
  numbers: Map<number, string>;
}

interface ExistingTicket {
  id: number;
  number: string;
  state: string;
  close_date: unknown;
  date_pending: unknown;
}

export interface BatchResult {
  /** Zammad ids written (or found unchanged). */
  done: number[];
  failed: Array<{ zammadId: number; message: string }>;
  created: number;
  updated: number;
  messages: number;
  attachments: number;
}

const TICKET = 'helpdesk.ticket';
const SQL_NOW = `(now() AT TIME ZONE 'UTC')`;
const nowUtc = () => new Date().toISOString().replace('T', ' ').replace('Z', '');

export const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An article body as chatter HTML: HTML is sanitised (Zammad's may hold scripts), plain text escaped. */
export function articleHtml(body: string | null, contentType: string | null): string {
  const text = body ?? '';
  if ((contentType ?? '').toLowerCase().includes('html')) return sanitizeHtmlValue(text);
  return `<p>${escapeHtml(text).replace(/\r?\n/g, '<br>')}</p>`;
}

/**
 * The chatter HTML of the tickets' first articles, made once per batch: it is also the
 * ticket's description (made first, by writeTickets). Only those are kept, for the batch's
 * write: the others' HTML is written into the messages' rows as soon as it is made, and dies
 * young instead of living, with its article, through the whole batch (copied by every scavenge
 * on the way). A map of the write (not a WeakMap on the articles: its entries are ephemerons,
 * which every collection has to trace specially).
 */
type Descriptions = Map<ArticleRow, string>;
function descriptionHtml(kept: Descriptions, a: ArticleRow): string {
  let html = kept.get(a);
  if (html === undefined) {
    html = articleHtml(a.body, a.content_type);
    kept.set(a, html);
  }
  return html;
}
const messageHtml = (kept: Descriptions, a: ArticleRow): string => kept.get(a) ?? articleHtml(a.body, a.content_type);

/** The Message-Id that makes an imported article unique (per source and Zammad article id). */
export const articleMessageId = (sourceId: number, articleId: number, domain: string) => `<zammad.${sourceId}.${articleId}@${domain}>`;

/**
 * The tickets of a batch already imported (bindings: the batch's Zammad ids, the source id):
 * one probe of the unique index (zammad_source_id, zammad_id) per id. Written as a lateral
 * join, not `zammad_id = ANY(?)`: while the tickets table has no statistics (a first import
 * into a new database, or autovacuum not there yet), the planner takes 500 ids of an ANY for
 * most of the table and reads it all, the longer the more was imported (measured: 40 ms for
 * 500 ids among 50,000 tickets, 4 s of the database's CPU over 100,000 tickets); one id at a
 * time it can only probe the index (0.8 ms).
 */
export const EXISTING_TICKETS_SQL = `SELECT t.id, t.zammad_id, t.number, t.state, t.close_date, t.date_pending
  FROM unnest(?::int[]) AS z(zammad_id)
  CROSS JOIN LATERAL (SELECT id, zammad_id, number, state, close_date, date_pending FROM helpdesk_ticket
                       WHERE zammad_source_id = ? AND zammad_id = z.zammad_id LIMIT 1) AS t`;

/**
 * The part of a batch that must not run beside another batch's: references found or created,
 * the tickets already imported, numbers for the new ones. Run it in its own transaction.
 */
export async function prepareBatch(env: Environment, ctx: WriterContext, input: BatchInput): Promise<PreparedBatch> {
  await resolveReferences(env, ctx, input);
  const existing = new Map<number, ExistingTicket>(rowsOf(await env.cr.raw(EXISTING_TICKETS_SQL,
    [input.tickets.map((t) => t.zammadId), ctx.sourceId])).map((r: any) => [Number(r.zammad_id), { ...r, id: Number(r.id) }]));
  const fresh = input.tickets.filter((t) => !existing.has(t.zammadId));
  const reserved = await reserveNumbers(env, fresh.length);
  return { existing, numbers: new Map(fresh.map((t, i) => [t.zammadId, reserved[i]])) };
}

/** Writes the batch; never throws for a bad row (it lands in `failed`), only for a broken database. */
export async function writeBatch(env: Environment, ctx: WriterContext, input: BatchInput, prepared: PreparedBatch): Promise<BatchResult> {
  const result: BatchResult = { done: [], failed: [], created: 0, updated: 0, messages: 0, attachments: 0 };
  try {
    await inSavepoint(env, () => writeTickets(env, ctx, input.tickets, input, prepared, result));
    result.done.push(...input.tickets.map((t) => t.zammadId));
    return result;
  } catch {
    // One row broke a constraint: the same work, ticket by ticket, isolates it.
    const partial: BatchResult = { done: [], failed: [], created: 0, updated: 0, messages: 0, attachments: 0 };
    for (const ticket of input.tickets) {
      const one: BatchResult = { done: [], failed: [], created: 0, updated: 0, messages: 0, attachments: 0 };
      try {
        await inSavepoint(env, () => writeTickets(env, ctx, [ticket], input, prepared, one));
        partial.done.push(ticket.zammadId);
        partial.created += one.created; partial.updated += one.updated; partial.messages += one.messages; partial.attachments += one.attachments;
      } catch (err) {
        partial.failed.push({ zammadId: ticket.zammadId, message: describeDbError(err) });
      }
    }
    return partial;
  }
}

async function inSavepoint(env: Environment, fn: () => Promise<void>): Promise<void> {
  await env.cr.raw('SAVEPOINT zammad_batch');
  try {
    await fn();
    await env.cr.raw('RELEASE SAVEPOINT zammad_batch');
  } catch (err) {
    await env.cr.raw('ROLLBACK TO SAVEPOINT zammad_batch');
    throw err;
  }
}

/** A database error in the words of the log: PostgreSQL's message and detail, without the SQL text. */
export function describeDbError(err: any): string {
  let message = String(err?.message ?? err);
  // knex prefixes the statement: "INSERT INTO … - duplicate key value violates …"
  const cut = message.lastIndexOf(' - ');
  if (cut >= 0 && /^\s*(insert|update|with|select|delete)\b/i.test(message)) message = message.slice(cut + 3);
  return err?.detail ? `${message} (${err.detail})` : message;
}

/**
 * An article author's partner name: "first last", either one, else none (an author with an
 * email is found by it, and named after it when neither name is set).
 */
function authorName(a: ArticleRow): string {
  const first = (a.author_firstname ?? '').trim();
  const last = (a.author_lastname ?? '').trim();
  return first && last ? `${first} ${last}` : first || last;
}

/** The partner of an article's author once references are resolved (by email, else by name), or null. */
function authorPartner(refs: References, a: ArticleRow): number | null {
  if (a.author_email) return refs.partners.get(a.author_email) ?? null;
  if (!a.author_firstname && !a.author_lastname) return null;
  const name = authorName(a);
  return name ? refs.partnersByName.get(name) ?? null : null;
}

async function resolveReferences(env: Environment, ctx: WriterContext, input: BatchInput): Promise<void> {
  const refs = ctx.refs;
  const people: Person[] = [];
  for (const t of input.tickets) if (t.customer) people.push(t.customer);
  // The batch's article authors not known yet, each once (its first article's details): a
  // batch has five articles a ticket, and most of their authors are known after a few batches.
  const emails = new Set<string>();
  const names = new Set<string>();
  for (const list of input.articles.values()) for (const a of list) {
    const email = a.author_email;
    if (email) {
      if (emails.has(email) || refs.partners.has(email)) continue;
      emails.add(email);
      people.push({ email, name: authorName(a) || email, phone: a.author_phone, organization: null });
    } else if (a.author_firstname || a.author_lastname) {
      const name = authorName(a);
      if (!name || names.has(name) || refs.partnersByName.has(name)) continue;
      names.add(name);
      people.push({ email: a.author_email, name, phone: a.author_phone, organization: null });
    }
  }
  await refs.userIds(env, input.tickets.map((t) => t.owner).filter((o): o is Person => !!o));
  await refs.partnerIds(env, people);
  await refs.categoryIds(env, input.tickets.map((t) => t.group).filter((g): g is string => !!g));
  await refs.loadPriorities(env);
}

/** `n` ticket numbers from the helpdesk sequence, taken at once (unique under concurrency, see ir.sequence). */
async function reserveNumbers(env: Environment, n: number): Promise<string[]> {
  if (!n) return [];
  const numbers: string[] = await (env.model('ir.sequence') as any)._reserveByCode(TICKET, n);
  return numbers.length ? numbers : Array.from({ length: n }, () => '');
}

async function writeTickets(env: Environment, ctx: WriterContext, tickets: MappedTicket[], input: BatchInput, prepared: PreparedBatch, result: BatchResult): Promise<void> {
  const cr = env.cr;
  const descriptions: Descriptions = new Map();
  const refs = ctx.refs;
  const existing = prepared.existing;
  const directCols = [...new Set(tickets.flatMap((t) => Object.keys(t.values.direct)))];
  const common = (t: MappedTicket) => {
    const first = input.articles.get(t.zammadId)?.[0];
    const description = first && !first.internal && (first.body ?? '').trim() ? descriptionHtml(descriptions, first) : `<p>${escapeHtml(t.values.subject)}</p>`;
    const prio = refs.priorityFor(t.values.priorityLevel);
    const userId = t.owner?.email ? refs.users.get(t.owner.email) || null : null;
    return {
      subject: t.values.subject, description, state: t.values.state, priority_id: prio.id, priority_level: prio.level,
      category_id: t.group ? refs.categories.get(t.group.toLowerCase()) ?? null : null,
      user_id: userId, partner_id: refs.partnerOf(t.customer), zammad_number: t.values.zammadNumber,
      ...t.values.direct,
    };
  };
  const fresh = tickets.filter((t) => !existing.has(t.zammadId));
  const now = nowUtc();
  // Row triggers off from the first trusted insert to the end, but for the statements that need them.
  const mode = new TriggerMode(cr);
  const inserted = await insertMany(cr, 'helpdesk_ticket', fresh.map((t) => ({
    ...common(t), number: prepared.numbers.get(t.zammadId) || null, zammad_id: t.zammadId,
    close_date: t.values.closeDate, date_pending: t.values.state === 'pending' ? (t.updatedAt ?? now) : null,
    create_date: t.values.createDate ?? now,
  })), { returning: 'id, zammad_id, number', trusted: ctx.trusted?.get('helpdesk_ticket'), mode, constants: { zammad_source_id: ctx.sourceId, origin: 'zammad', rating: '0', write_date: now, create_uid: SUPERUSER_ID, write_uid: SUPERUSER_ID } });
  const ticketIds = new Map<number, { id: number; number: string }>();
  for (const r of inserted) ticketIds.set(Number(r.zammad_id), { id: Number(r.id), number: r.number });
  result.created += inserted.length;

  const updates = tickets.filter((t) => existing.has(t.zammadId)).map((t) => {
    const old = existing.get(t.zammadId)!;
    ticketIds.set(t.zammadId, { id: Number(old.id), number: old.number });
    const closed = t.values.state === 'closed';
    return {
      id: Number(old.id), ...common(t),
      close_date: closed ? (old.state === 'closed' && old.close_date ? old.close_date : t.values.closeDate) : null,
      date_pending: t.values.state === 'pending' ? (old.state === 'pending' && old.date_pending ? old.date_pending : (t.updatedAt ?? now)) : null,
    };
  });
  const cols = ['subject', 'description', 'state', 'priority_id', 'priority_level', 'category_id', 'user_id', 'partner_id', 'zammad_number', 'close_date', 'date_pending', ...directCols];
  // The UPDATE fires the group counts' statement trigger.
  if (updates.length) await mode.origin();
  const changed = await updateChanged(cr, 'helpdesk_ticket', updates, cols, { write_date: SQL_NOW, write_uid: String(SUPERUSER_ID) });
  result.updated += changed.length;
  await recomputeOthers(env, [...inserted.map((r) => Number(r.id)), ...changed], cols, mode);

  // Reporter and technician follow new and changed tickets (as the ORM's create does). A
  // ticket inserted by this statement has no followers yet: a plain INSERT (each pair once),
  // without the unique index's conflict check; a changed one may have them: DO NOTHING.
  const freshIds = new Set(inserted.map((r) => Number(r.id)));
  const changedIds = new Set(changed);
  const toFresh: Array<Record<string, unknown>> = [];
  const toChanged: Array<Record<string, unknown>> = [];
  for (const t of tickets) {
    const id = ticketIds.get(t.zammadId)!.id;
    const list = freshIds.has(id) ? toFresh : changedIds.has(id) ? toChanged : null;
    if (!list) continue;
    const reporter = refs.partnerOf(t.customer);
    const tech = t.owner?.email ? refs.users.get(t.owner.email) : false;
    const techPartner = tech ? refs.userPartners.get(tech) : null;
    if (reporter) list.push({ res_id: id, partner_id: reporter });
    if (techPartner && techPartner !== reporter) list.push({ res_id: id, partner_id: techPartner });
  }
  const followerConstants = { res_model: TICKET, create_uid: SUPERUSER_ID, write_uid: SUPERUSER_ID, create_date: now, write_date: now };
  await insertMany(cr, 'mail_followers', toFresh, { trusted: ctx.trusted?.get('mail_followers'), mode, constants: followerConstants });
  await insertMany(cr, 'mail_followers', toChanged, {
    trusted: ctx.trusted?.get('mail_followers'), mode,
    onConflict: 'ON CONFLICT (res_model, res_id, partner_id) DO NOTHING',
    constants: followerConstants,
  });

  await writeArticles(env, ctx, tickets, ticketIds, input, result, mode, descriptions);
  // What follows in the transaction (last_sync) fires its triggers.
  await mode.origin();
}

/** Stored computed fields of helpdesk.ticket the importer does not set itself. */
const SET_BY_IMPORTER = new Set(['priority_level']);

/**
 * Stored computed fields (of other addons) that depend on a written column: recomputed by the
 * ORM for the whole batch at once. None today besides priority_level, which the importer sets.
 */
async function recomputeOthers(env: Environment, ids: number[], written: string[], mode: TriggerMode): Promise<void> {
  if (!ids.length) return;
  const cols = new Set(written);
  const due = [...env.registry.get(TICKET)!._meta.fields.values()].filter((f) => f.compute && f.stored && !SET_BY_IMPORTER.has(f.name)
    && (f.depends ?? []).some((d) => cols.has(d.split('.')[0])));
  if (!due.length) return;
  await mode.origin();
  await recomputeStored(env.model(TICKET).browse(ids), cols);
}

/** The columns of each message row (sent as one typed array each on a server: sql.ts ColumnRows), in writeArticles' order. */
const MESSAGE_COLS: Array<[string, ColumnKind]> = [['article_id', 'int8'], ['res_id', 'int4'], ['subject', 'text'], ['body', 'text'], ['date', 'text'],
  ['message_type', 'text'], ['subtype_id', 'int4'], ['is_internal', 'bool'], ['email_from', 'text'], ['author_id', 'int4']];
/** The message columns that reference other tables (their values kept for the trusted insert's check). */
const MESSAGE_REFS = ['res_id', 'subtype_id', 'author_id'];

async function writeArticles(env: Environment, ctx: WriterContext, tickets: MappedTicket[], ticketIds: Map<number, { id: number; number: string }>, input: BatchInput, result: BatchResult, mode: TriggerMode, descriptions: Descriptions): Promise<void> {
  const cr = env.cr;
  const now = nowUtc();
  // Each message's values are written straight from its article into the columns (no row
  // object per article); its HTML dies young (not kept with the article through the batch).
  let expected = 0;
  for (const t of tickets) expected += input.articles.get(t.zammadId)?.length ?? 0;
  const rows = new ColumnRows(cr, MESSAGE_COLS, MESSAGE_REFS, expected);
  const articleOf = new Map<number, ArticleRow>();
  // The record name once per ticket (not in each message's row), by ticket id.
  const recordNames: Record<number, string> = {};
  for (const t of tickets) {
    const ticket = ticketIds.get(t.zammadId)!;
    recordNames[ticket.id] = `${ticket.number ?? ''} ${t.values.subject}`.trim();
    for (const a of input.articles.get(t.zammadId) ?? []) {
      const articleId = Number(a.id);
      articleOf.set(articleId, a);
      const date = (typeof a.created_at === 'string' ? a.created_at : utcText(a.created_at)) ?? now;
      const subtype = rows.ref('subtype_id', a.internal ? ctx.subtypes.note : ctx.subtypes.comment);
      const author = rows.ref('author_id', a.sender === 'System' ? null : authorPartner(ctx.refs, a));
      rows.add([articleId, rows.ref('res_id', ticket.id), a.subject ?? null, messageHtml(descriptions, a), date, a.article_type === 'email' ? 'email' : 'comment',
        subtype ?? null, !!a.internal, a.email_from ?? null, author ?? null]);
    }
  }
  // Only the messages the rest needs come back (half a million rows per 100,000 tickets
  // otherwise, each parsed here): the moved ones and those with attachments, and the count of
  // the inserted ones (a row with the count, the others' columns NULL when none).
  const withFiles: number[] = [];
  for (const id of articleOf.keys()) if (input.attachments.has(String(id))) withFiles.push(id);
  const returned = await insertMany(cr, 'mail_message', rows, {
    onConflict: `ON CONFLICT (message_id) DO UPDATE SET res_id = EXCLUDED.res_id, record_name = EXCLUDED.record_name, subtype_id = EXCLUDED.subtype_id,
      is_internal = EXCLUDED.is_internal, write_date = EXCLUDED.write_date
      WHERE (mail_message.res_id, mail_message.subtype_id, mail_message.is_internal) IS DISTINCT FROM (EXCLUDED.res_id, EXCLUDED.subtype_id, EXCLUDED.is_internal)`,
    // The article id back from the Message-Id (articleMessageId: <zammad.S.A@domain>).
    returning: `id, split_part(split_part(message_id, '@', 1), '.', 3)::bigint AS article_id, res_id, (xmax = 0) AS inserted`,
    inputs: { article_id: 'bigint' },
    computed: {
      // articleMessageId, made by the database: the rows carry the article id alone.
      message_id: { sql: `'<zammad.' || ?::int || '.' || x.article_id || '@' || ?::text || '>'`, bindings: [ctx.sourceId, ctx.mailDomain] },
      record_name: { sql: `(?::jsonb ->> x.res_id::text)`, bindings: [JSON.stringify(recordNames)] },
    },
    select: {
      sql: `SELECT c.n, w.* FROM (SELECT count(*) FILTER (WHERE inserted) AS n FROM ins) c
              LEFT JOIN (SELECT * FROM ins WHERE NOT inserted OR article_id = ANY(?::bigint[])) w ON true`,
      bindings: [withFiles],
    },
    trusted: ctx.trusted?.get('mail_message'), mode,
    constants: { model: TICKET, create_uid: SUPERUSER_ID, write_uid: SUPERUSER_ID, create_date: now, write_date: now },
  });
  if (!returned.length) return;
  result.messages += Number(returned[0].n);
  const written = returned.filter((w) => w.id !== null);
  const moved = written.filter((w) => !w.inserted).map((w) => Number(w.id));
  if (moved.length) {
    await mode.origin();
    await cr.raw(`UPDATE ir_attachment a SET res_id = m.res_id, write_date = ${SQL_NOW} FROM message_attachment_rel r JOIN mail_message m ON m.id = r.message_id
      WHERE r.attachment_id = a.id AND m.id = ANY(?) AND a.res_id IS DISTINCT FROM m.res_id`, [moved]);
  }
  const files: Array<{ row: Record<string, unknown>; messageId: number }> = [];
  for (const w of written) {
    if (!w.inserted) continue;
    const article = articleOf.get(Number(w.article_id))!;
    for (const s of input.attachments.get(String(article.id)) ?? []) {
      if (!s.data) {
        ctx.warn(article.ticket_id, `Attachment "${s.filename}" of article ${article.id}: its bytes are not in the Zammad database (storage provider ${s.provider ?? '?'}); not imported`);
        continue;
      }
      const data = Buffer.isBuffer(s.data) ? s.data : Buffer.from(s.data);
      files.push({
        messageId: Number(w.id),
        row: {
          name: s.filename || `attachment-${s.id}`, res_model: TICKET, res_id: Number(w.res_id), type: 'binary', datas: data,
          mimetype: mimeFromPreferences(s.preferences) ?? 'application/octet-stream', file_size: data.length,
          checksum: createHash('sha1').update(data).digest('hex'), public: false,
          create_uid: SUPERUSER_ID, write_uid: SUPERUSER_ID, create_date: now, write_date: now,
        },
      });
    }
  }
  if (!files.length) return;
  // Ids taken first, so each file's id is known without relying on RETURNING order.
  const ids = await reserveIds(cr, 'ir_attachment', files.length);
  await insertMany(cr, 'ir_attachment', files.map((f, i) => ({ id: ids[i], ...f.row })), { trusted: ctx.trusted?.get('ir_attachment'), mode });
  await insertMany(cr, 'message_attachment_rel', files.map((f, i) => ({ message_id: f.messageId, attachment_id: ids[i] })), { trusted: ctx.trusted?.get('message_attachment_rel'), mode });
  result.attachments += files.length;
}
