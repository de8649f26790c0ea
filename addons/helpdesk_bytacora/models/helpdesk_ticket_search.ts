/**
 * Full-text search of tickets (SPEC 4.5): subject, description and messages, with Spanish
 * and English stemming, ranked (subject weighs most, then description, then messages).
 *
 *   websearch query ──▶ the newest CANDIDATES tickets whose `search_vector` matches
 *                     + the newest CANDIDATES messages whose `helpdesk_search_vector` matches
 *                   ──▶ rank = ts_rank of both, over those candidates only ──▶ record rules
 *
 * Both vectors are stored generated columns with a GIN index, so PostgreSQL picks per query:
 * a rare word reads its few matches through the index (all of them are ranked: the exact
 * answer), a frequent one walks the newest rows and stops after CANDIDATES matches — the
 * first page comes fast and shows recent tickets, ranked, as search UIs do, instead of ranking
 * every one of tens of thousands of matches.
 *
 * Internal notes only count for technicians. A user (who sees only their own tickets) is
 * searched within those from the start, so their results never depend on other tickets.
 * The columns and indexes are created at install and upgrade (index.ts); the ORM does not
 * know the columns.
 */
import { fields, model, rowsOf, ValidationError, type Environment } from '../../../core/orm/index.ts';
import { _t, helpdeskRole, isStaff } from '../tools.ts';

const plain = (col: string) => `regexp_replace(coalesce(${col}, ''), '<[^>]*>', ' ', 'g')`;
const both = (text: string, weight: string) => `setweight(to_tsvector('spanish', ${text}), '${weight}') || setweight(to_tsvector('english', ${text}), '${weight}')`;
/** The message text as indexed: helpdesk messages only (other models' messages store NULL). */
const MESSAGE_VECTOR = `CASE WHEN model = 'helpdesk.ticket' THEN to_tsvector('spanish', ${plain('body')}) || to_tsvector('english', ${plain('body')}) END`;

/** How many of the newest matches of each kind (tickets, messages) are ranked. */
export const CANDIDATES = 200;

export const SEARCH_DDL = [
  `ALTER TABLE helpdesk_ticket ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (${both(`coalesce(subject, '')`, 'A')} || ${both(plain('description'), 'B')}) STORED`,
  'CREATE INDEX IF NOT EXISTS helpdesk_ticket_search_vector_idx ON helpdesk_ticket USING gin (search_vector)',
  `ALTER TABLE mail_message ADD COLUMN IF NOT EXISTS helpdesk_search_vector tsvector GENERATED ALWAYS AS (${MESSAGE_VECTOR}) STORED`,
  `CREATE INDEX IF NOT EXISTS mail_message_helpdesk_search_vector_idx ON mail_message USING gin (helpdesk_search_vector) WHERE model = 'helpdesk.ticket'`,
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
     SELECT t.id FROM helpdesk_ticket t, q WHERE t.search_vector @@ q.q
     UNION
     SELECT m.res_id FROM mail_message m, q
      WHERE m.model = 'helpdesk.ticket' AND m.helpdesk_search_vector @@ q.q ${staff ? '' : 'AND m.is_internal IS NOT TRUE'}`, [value, value]));
  return [['id', NEGATIVE.has(operator) ? 'not in' : 'in', rows.map((r: any) => Number(r.id))]];
}

/** Nothing to show: the field only exists to be searched. */
const noValue = (records: { ids: number[] }) => new Map(records.ids.map((id) => [id, false]));

export const HelpdeskTicketSearch = model((Base) => class extends Base {
  static _inherit = 'helpdesk.ticket';
  static _rpc = { search_fulltext: { kind: 'model' as const, params: ['query', 'limit'] } };
  static fields = {
    fulltext: fields.char({ string: 'Text', help: 'Subject, description and messages, searched by words in Spanish and English', compute: noValue, search: searchFulltextField }),
  };

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
    const result = await this.env.cr.raw(
      `WITH q AS (SELECT websearch_to_tsquery('spanish', ?) || websearch_to_tsquery('english', ?) AS q),
            tickets AS (
              SELECT t.id, ts_rank(t.search_vector, q.q) AS r FROM helpdesk_ticket t, q
               WHERE t.search_vector @@ q.q ${within('t.id')} ORDER BY t.id DESC LIMIT ${CANDIDATES}),
            messages AS (
              SELECT m.res_id AS id, ts_rank(m.helpdesk_search_vector, q.q) AS r FROM mail_message m, q
               WHERE m.model = 'helpdesk.ticket' AND m.helpdesk_search_vector @@ q.q ${staff ? '' : 'AND m.is_internal IS NOT TRUE'} ${within('m.res_id')}
               ORDER BY m.id DESC LIMIT ${CANDIDATES}),
            hits AS (
              SELECT id, r FROM tickets
              UNION ALL
              SELECT id, 0.4 * max(r) FROM messages GROUP BY id)
       SELECT id, sum(r) AS rank FROM hits GROUP BY id ORDER BY rank DESC, id DESC LIMIT ?`,
      [query, query, ...scopeArgs, ...scopeArgs, max]);
    const rows = (Array.isArray(result) ? result : result.rows) as Array<{ id: number; rank: number }>;
    if (!rows.length) return [];
    const visible = new Set((await this.search([['id', 'in', rows.map((r) => Number(r.id))]])).ids);
    const hits = rows.filter((r) => visible.has(Number(r.id)));
    const names = await this.browse(hits.map((h) => Number(h.id))).sudo()._displayNames();
    return hits.map((h) => ({ id: Number(h.id), display_name: names.get(Number(h.id)) ?? '', rank: Number(h.rank) }));
  }
});
