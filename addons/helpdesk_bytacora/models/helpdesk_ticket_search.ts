/**
 * Full-text search of tickets (SPEC 4.5): subject, description and messages, with Spanish
 * and English stemming, ranked (subject weighs most, then description, then messages).
 *
 *   websearch query ──▶ tickets whose `search_vector` matches
 *                     + messages whose `helpdesk_search_vector` matches
 *                   ──▶ rank = ts_rank of both ──▶ the caller's record rules
 *
 * Both vectors are stored columns with a GIN index, filled by a trigger or, after a bulk
 * import, by an indexer — a ticket or message not indexed yet is matched (and ranked) on the
 * vector computed on the fly (../search_index.ts), so the search stays exact.
 * For each kind, PostgreSQL's estimate of the matches (EXPLAIN, no row read) decides: a rare
 * word (up to FREQUENT matches) has all its matches ranked — the exact answer; a frequent one
 * ranks only its CANDIDATES newest matches — the first page comes in milliseconds and shows
 * recent tickets, ranked, as search UIs do, instead of ranking tens of thousands of matches.
 *
 * The newest matches are looked for among the RECENT_IDS newest ids only (`id > max - N`):
 * whatever plan PostgreSQL picks (a walk down the primary key, or the GIN bitmap AND-ed with
 * the id range), it reads a bounded part of the table. An ORDER BY id DESC LIMIT over the
 * whole table would walk every row when the estimate is wrong (two words frequent alone but
 * never together: 'impresora atasca' in 5,000,000 messages is estimated at 3,000 matches and
 * has none). When that range holds fewer than CANDIDATES matches, the word is not frequent
 * after all and every match is ranked, as for a rare word.
 *
 * Internal notes only count for technicians. A user (who sees only their own tickets) is
 * searched within those from the start, so their results never depend on other tickets.
 * The columns and indexes are created at install and upgrade (index.ts); the ORM does not
 * know the columns.
 */
import { fields, model, rowsOf, ValidationError, type Environment } from '../../../core/orm/index.ts';
import { helpdeskRole, isStaff } from '../tools.ts';
import { _t } from '../../../core/i18n/index.ts';
import { indexPending, MESSAGE_SEARCH_DDL, messageMatch as messageMatches, messageVectorForRank, messageVectorOf, TICKET_SEARCH_DDL, ticketMatch as ticketMatches, ticketVectorOf, VECTOR_FUNCTIONS_DDL } from '../search_index.ts';

/** How many of the newest matches of each kind (tickets, messages) a frequent word ranks. */
export const CANDIDATES = 100;
/** Above this many estimated matches a word is frequent: only its newest matches are ranked. */
const FREQUENT = 2000;
/** How far back (in ids) the newest matches of a frequent word are looked for. */
export const RECENT_IDS = 20_000;
/** Tickets or messages indexed per statement, and at most per run of the scheduled action (one transaction). */
const INDEX_CHUNK = 2000;
const INDEX_PER_RUN = 100_000;

/** PostgreSQL's estimate of the rows `sql` returns (EXPLAIN: planned, not run). */
async function estimatedRows(env: Environment, sql: string, bindings: unknown[]): Promise<number> {
  const plan = rowsOf(await env.cr.raw(`EXPLAIN (FORMAT JSON) ${sql}`, bindings as any[]))[0];
  const json = plan['QUERY PLAN'];
  const parsed = typeof json === 'string' ? JSON.parse(json) : json;
  return Number(parsed?.[0]?.Plan?.['Plan Rows'] ?? 0);
}

export const SEARCH_DDL = [
  // Before the triggers that call them.
  ...VECTOR_FUNCTIONS_DDL,
  ...TICKET_SEARCH_DDL,
  ...MESSAGE_SEARCH_DDL,
  // Replaced by the stored column's index (the expression was recomputed for every row read).
  'DROP INDEX IF EXISTS mail_message_helpdesk_fulltext_idx',
];

export interface FulltextHit { id: number; display_name: string; rank: number }

const NEGATIVE = new Set(['!=', 'not like', 'not ilike', 'not in']);

/**
 * `('fulltext', 'ilike', text)` — the search bar's "Text" field: the tickets whose subject,
 * description or messages match `text` (web-search syntax), unranked, as an id domain that
 * the caller's record rules then restrict. Internal notes count only for technicians.
 */
async function searchFulltextField(env: Environment, operator: string, value: unknown): Promise<unknown[]> {
  if (value === false || value === null || (typeof value === 'string' && !value.trim())) return NEGATIVE.has(operator) ? [[0, '=', 1]] : [];
  if (typeof value !== 'string') throw new ValidationError(_t(env, 'The search text must be a string.'));
  const staff = isStaff(await helpdeskRole(env));
  const rows = rowsOf(await env.cr.raw(
    `WITH q AS (SELECT websearch_to_tsquery('spanish', ?) || websearch_to_tsquery('english', ?) AS q)
     SELECT t.id FROM helpdesk_ticket t, q WHERE ${ticketMatches('t', 'q.q')}
     UNION
     SELECT m.res_id FROM mail_message m, q
      WHERE m.model = 'helpdesk.ticket' AND ${messageMatches('m', 'q.q')} ${staff ? '' : 'AND m.is_internal IS NOT TRUE'}`, [value, value]));
  return [['id', NEGATIVE.has(operator) ? 'not in' : 'in', rows.map((r: any) => Number(r.id))]];
}

/** Nothing to show: the field only exists to be searched. */
const noValue = (records: { ids: number[] }) => new Map(records.ids.map((id) => [id, false]));

export const HelpdeskTicketSearch = model((Base) => class extends Base {
  static _inherit = 'helpdesk.ticket';
  static _rpc = { search_fulltext: { kind: 'model' as const, params: ['query', 'limit'] } };
  static _cron = ['cron_index_fulltext'];
  static fields = {
    fulltext: fields.char({ string: 'Text', help: 'Subject, description and messages, searched by words in Spanish and English', compute: noValue, search: searchFulltextField }),
  };

  /**
   * The scheduled action: vectors of the tickets, then of the helpdesk messages, written
   * without them (bulk imports), up to INDEX_PER_RUN per run (the rest at the next one);
   * returns how many.
   */
  async cron_index_fulltext(): Promise<number> {
    let total = 0;
    for (const kind of ['ticket', 'message'] as const) {
      let after = 0;
      for (;;) {
        if (total >= INDEX_PER_RUN) return total;
        const { count, lastId } = await indexPending(this.env.cr, kind, INDEX_CHUNK, after);
        total += count;
        after = lastId;
        if (count < INDEX_CHUNK) break;
      }
    }
    return total;
  }

  /** The tickets matching `query` (web-search syntax: words, "phrases", -excluded, or), best first. */
  async search_fulltext(query: unknown, limit: unknown = 80): Promise<FulltextHit[]> {
    if (typeof query !== 'string') throw new ValidationError(_t(this.env, 'The search text must be a string.'));
    const max = limit === null || limit === undefined || limit === false ? 80 : Number(limit);
    if (!Number.isInteger(max) || max <= 0 || max > 1000) throw new ValidationError(_t(this.env, 'The limit must be a whole number from 1 to 1000.'));
    await this.check_access_rights('read');
    if (!query.trim()) return [];
    const staff = isStaff(await helpdeskRole(this.env));
    const scope = staff ? null : (await this.search([])).ids;
    if (scope && !scope.length) return [];
    const within = (col: string) => (scope ? `AND ${col} = ANY(?::int[])` : '');
    const scopeArgs = scope ? [scope] : [];
    // The words are written in place (not in a CTE) so that the planner sees them.
    const tsq = `(websearch_to_tsquery('spanish', ?) || websearch_to_tsquery('english', ?))`;
    const q = [query, query];
    const ticketMatch = `${ticketMatches('t', tsq)} ${within('t.id')}`;
    const messageMatch = `m.model = 'helpdesk.ticket' AND ${messageMatches('m', tsq)} ${staff ? '' : 'AND m.is_internal IS NOT TRUE'} ${within('m.res_id')}`;
    const ticketArgs = [...q, ...q, ...scopeArgs]; // the words twice: the stored vector, or the one of a ticket not indexed yet
    const messageArgs = [...q, ...q, ...scopeArgs]; // the same for messages
    // Rare words: every match is ranked (the exact answer). Frequent ones: the newest
    // CANDIDATES. Decided from PostgreSQL's own estimate, which costs no row read.
    const frequent = async (from: string, where: string, args: unknown[]) => (await estimatedRows(this.env, `SELECT 1 FROM ${from} WHERE ${where}`, args)) > FREQUENT;
    const ticketsFrequent = await frequent('helpdesk_ticket t', ticketMatch, ticketArgs);
    const messagesFrequent = await frequent('mail_message m', messageMatch, messageArgs);
    const newestIds = ticketsFrequent || messagesFrequent
      ? rowsOf(await this.env.cr.raw('SELECT (SELECT max(id) FROM helpdesk_ticket) AS t, (SELECT max(id) FROM mail_message) AS m'))[0]
      : { t: 0, m: 0 };
    /**
     * (id, rank) of one kind's matches: a frequent word's newest CANDIDATES when the recent ids
     * hold them (`recent`: one query, read backwards by id), else all of them (`all`: one or
     * more disjoint branches, UNION ALL).
     */
    type Query = { select: string; where: string; args: unknown[] };
    const ranked = async (kind: { table: string; alias: string; recent: Query; all: Query[]; frequent: boolean; newest: number }) => {
      const sql = (b: Query, extra = '') => `SELECT ${b.select} FROM ${kind.table} ${kind.alias} WHERE ${b.where}${extra}`;
      if (kind.frequent) {
        const since = Math.max(0, Number(kind.newest) - RECENT_IDS);
        const recent = rowsOf(await this.env.cr.raw(`${sql(kind.recent, ` AND ${kind.alias}.id > ?`)} ORDER BY ${kind.alias}.id DESC LIMIT ${CANDIDATES}`,
          [...kind.recent.args, since] as any[]));
        if (recent.length >= CANDIDATES) return recent;
      }
      return rowsOf(await this.env.cr.raw(kind.all.map((b) => sql(b)).join(' UNION ALL '), kind.all.flatMap((b) => b.args) as any[]));
    };
    // All of a word's tickets: those matching on their stored vector, and those not indexed
    // yet on one computed on the fly — two branches rather than one OR, so that the first is a
    // plain index scan (with the OR, PostgreSQL planned a parallel scan rechecking both: rare
    // words 25 → 36 ms p50 over 1,000,000 tickets). Its newest: one OR, read backwards by id.
    const onTheFly = ticketVectorOf('t');
    const tickets = await ranked({
      table: 'helpdesk_ticket', alias: 't', frequent: ticketsFrequent, newest: newestIds.t,
      recent: { select: `t.id, ts_rank(coalesce(t.search_vector, ${onTheFly}), ${tsq})::float8 AS r`, where: ticketMatch, args: [...q, ...ticketArgs] },
      all: [
        { select: `t.id, ts_rank(t.search_vector, ${tsq})::float8 AS r`, where: `t.search_vector @@ ${tsq} ${within('t.id')}`, args: [...q, ...q, ...scopeArgs] },
        { select: `t.id, ts_rank(${onTheFly}, ${tsq})::float8 AS r`, where: `t.search_vector IS NULL AND ${onTheFly} @@ ${tsq} ${within('t.id')}`, args: [...q, ...q, ...scopeArgs] },
      ],
    });
    // The same for messages (a parallel scan cost rare words some 9 ms to find none).
    const messageOnTheFly = messageVectorOf('m');
    const messageScope = `${staff ? '' : 'AND m.is_internal IS NOT TRUE'} ${within('m.res_id')}`;
    const messages = await ranked({
      table: 'mail_message', alias: 'm', frequent: messagesFrequent, newest: newestIds.m,
      recent: { select: `m.res_id AS id, ts_rank(${messageVectorForRank('m')}, ${tsq})::float8 AS r`, where: messageMatch, args: [...q, ...messageArgs] },
      all: [
        { select: `m.res_id AS id, ts_rank(m.helpdesk_search_vector, ${tsq})::float8 AS r`, where: `m.model = 'helpdesk.ticket' AND m.helpdesk_search_vector @@ ${tsq} ${messageScope}`, args: [...q, ...q, ...scopeArgs] },
        { select: `m.res_id AS id, ts_rank(${messageOnTheFly}, ${tsq})::float8 AS r`, where: `m.model = 'helpdesk.ticket' AND m.helpdesk_search_vector IS NULL AND ${messageOnTheFly} @@ ${tsq} ${messageScope}`, args: [...q, ...q, ...scopeArgs] },
      ],
    });
    // A ticket's rank: its own, plus 0.4 x its best message's.
    const score = new Map<number, number>();
    for (const t of tickets) score.set(Number(t.id), Number(t.r));
    const bestMessage = new Map<number, number>();
    for (const m of messages) bestMessage.set(Number(m.id), Math.max(bestMessage.get(Number(m.id)) ?? 0, Number(m.r)));
    for (const [id, r] of bestMessage) score.set(id, (score.get(id) ?? 0) + 0.4 * r);
    const rows = [...score].map(([id, rank]) => ({ id, rank })).sort((a, b) => b.rank - a.rank || b.id - a.id).slice(0, max);
    if (!rows.length) return [];
    const visible = new Set((await this.search([['id', 'in', rows.map((r) => Number(r.id))]])).ids);
    const hits = rows.filter((r) => visible.has(Number(r.id)));
    const names = await this.browse(hits.map((h) => Number(h.id))).sudo()._displayNames();
    return hits.map((h) => ({ id: Number(h.id), display_name: names.get(Number(h.id)) ?? '', rank: Number(h.rank) }));
  }
});
