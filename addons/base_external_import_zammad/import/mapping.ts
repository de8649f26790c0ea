/**
 * What the query's columns mean: a pure plan from column names to target fields, and the
 * translation of Zammad values (state by its type, priorities, dates). No database here, so
 * the Preview and the run share it and it is tested as tables.
 *
 *   columns ──planColumns──▶ { known Zammad columns, direct fields, unknown (warnings) }
 *   row ──mapRow──▶ { zammadId, updatedAt, ticket values, customer, owner, group } | error
 */

/** Zammad columns the importer understands (besides columns named like a target field). */
export const KNOWN_COLUMNS = {
  zammad_id: 'The Zammad ticket id (required): the key of the import',
  number: 'Zammad ticket number → Zammad Number',
  title: 'Title → Subject',
  state: 'State name → Status (when there is no state_type column)',
  state_type: 'State type → Status (new, open, pending…, closed, merged, removed)',
  priority: 'Priority name ("1 low", "2 normal", "3 high") → Priority',
  group_name: 'Group → Category',
  customer_email: 'Customer email → Reporter (found case-insensitively or created)',
  firstname: 'Customer first name (for a new reporter)',
  lastname: 'Customer last name (for a new reporter)',
  phone: 'Customer phone (for a new reporter)',
  mobile: 'Customer mobile (for a new reporter)',
  customer_organization: 'Customer organization → Company of a new reporter',
  owner_email: 'Owner email → Technician (empty = unassigned)',
  owner_firstname: 'Owner first name (for a new technician)',
  owner_lastname: 'Owner last name (for a new technician)',
  created_at: 'Creation date of the ticket',
  updated_at: 'Last change: where the next run starts (last sync)',
  close_at: 'Closing date → Closed on',
} as const;
export type KnownColumn = keyof typeof KNOWN_COLUMNS;

/** Target fields the importer sets itself: a column with one of these names is not written directly. */
export const RESERVED_FIELDS = new Set([
  'id', 'number', 'zammad_id', 'zammad_source_id', 'zammad_number', 'state', 'partner_id', 'user_id', 'category_id', 'priority_id',
  'priority_level', 'description', 'create_date', 'write_date', 'create_uid', 'write_uid', 'close_date', 'origin',
]);

export interface TargetField {
  name: string;
  type: string;
  stored: boolean;
  readonly: boolean;
  required: boolean;
  selection?: ReadonlyArray<readonly [string, string]>;
  string?: string;
}

/** Field types a column can fill directly (relations and files need the importer's own logic). */
const DIRECT_TYPES = new Set(['char', 'text', 'html', 'integer', 'float', 'monetary', 'boolean', 'date', 'datetime', 'selection']);

export interface ColumnPlan {
  /** Column index of each known Zammad column present. */
  known: Partial<Record<KnownColumn, number>>;
  /** Columns written as they are to a target field of the same name. */
  direct: Array<{ column: string; index: number; field: TargetField }>;
  /** Columns that mean nothing to the importer (a warning each). */
  unknown: string[];
  /** Problems that make the query unusable (no zammad_id column…). */
  errors: string[];
}

export function planColumns(cols: string[], fields: Map<string, TargetField>): ColumnPlan {
  const plan: ColumnPlan = { known: {}, direct: [], unknown: [], errors: [] };
  cols.forEach((col, index) => {
    if (col in KNOWN_COLUMNS) {
      plan.known[col as KnownColumn] = index;
      return;
    }
    const field = fields.get(col);
    if (field && field.stored && !RESERVED_FIELDS.has(col) && DIRECT_TYPES.has(field.type)) {
      plan.direct.push({ column: col, index, field });
      return;
    }
    plan.unknown.push(col);
  });
  if (plan.known.zammad_id === undefined) plan.errors.push('The query has no zammad_id column: it is the key of the import (SELECT t.id AS zammad_id, …).');
  return plan;
}

export type TicketState = 'new' | 'open' | 'pending' | 'closed';

/** Zammad state types (and the seeded state names) → helpdesk states. */
const STATE_BY_TYPE: Record<string, TicketState> = {
  new: 'new', open: 'open', 'pending reminder': 'pending', 'pending action': 'pending', 'pending close': 'pending',
  closed: 'closed', merged: 'closed', removed: 'closed',
};

/** The helpdesk state of a Zammad state type (or name); null when unknown. */
export function mapState(stateType: unknown, stateName?: unknown): TicketState | null {
  for (const v of [stateType, stateName]) {
    if (typeof v !== 'string') continue;
    const found = STATE_BY_TYPE[v.trim().toLowerCase()];
    if (found) return found;
  }
  return null;
}

/**
 * The priority level (1 low … 4 urgent) of a Zammad priority name: its leading number
 * ("1 low", "3 high", a custom "4 very high"), else its word. NULL → 2 (normal, our policy).
 */
export function mapPriorityLevel(name: unknown): { level: number; known: boolean } {
  if (name === null || name === undefined || name === '') return { level: 2, known: true };
  const text = String(name).trim().toLowerCase();
  const n = /^(\d+)/.exec(text);
  if (n) return { level: Math.min(4, Math.max(1, Number(n[1]))), known: true };
  const words: Record<string, number> = { low: 1, normal: 2, medium: 2, high: 3, urgent: 4, critical: 4 };
  for (const [w, level] of Object.entries(words)) if (text.includes(w)) return { level, known: true };
  return { level: 2, known: false };
}

/** A timestamp as the naive UTC text PostgreSQL stores ('YYYY-MM-DD HH:MM:SS.mmm'), or null. */
export function utcText(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  const d = value instanceof Date ? value : new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(String(value)) ? String(value) : `${String(value).replace(' ', 'T')}Z`);
  if (Number.isNaN(d.getTime())) return null;
  const iso = d.toISOString();
  // 'YYYY-MM-DDTHH:MM:SS.mmmZ' (years 0–9999): two slices rather than two replaces (three
  // timestamps per ticket row); other years ('+012345-…') the long way.
  return iso.length === 24 ? `${iso.slice(0, 10)} ${iso.slice(11, 23)}` : iso.replace('T', ' ').replace('Z', '');
}

export interface Person {
  email: string | null;
  name: string;
  phone: string | null;
  organization: string | null;
}

export interface MappedTicket {
  zammadId: number;
  updatedAt: string | null;
  values: {
    subject: string;
    state: TicketState;
    priorityLevel: number;
    zammadNumber: string | null;
    createDate: string | null;
    closeDate: string | null;
    direct: Record<string, unknown>;
  };
  customer: Person | null;
  owner: Person | null;
  group: string | null;
  warnings: string[];
}

const str = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
};
const email = (v: unknown): string | null => str(v)?.toLowerCase() ?? null;
const joinName = (...parts: unknown[]): string => parts.map(str).filter(Boolean).join(' ');

/** One row of the query → what to write, or an error message (the row is skipped). */
export function mapRow(plan: ColumnPlan, row: unknown[]): MappedTicket | { error: string; zammadId: number | null } {
  const at = (c: KnownColumn) => (plan.known[c] === undefined ? undefined : row[plan.known[c]!]);
  const rawId = at('zammad_id');
  const zammadId = Number(rawId);
  if (!Number.isInteger(zammadId) || zammadId <= 0) return { error: `Invalid zammad_id ${JSON.stringify(rawId)}: expected a positive integer`, zammadId: null };
  const warnings: string[] = [];
  let state: TicketState = 'new';
  if (plan.known.state_type !== undefined || plan.known.state !== undefined) {
    const mapped = mapState(at('state_type'), at('state'));
    if (!mapped) warnings.push(`Unknown Zammad state ${JSON.stringify(at('state_type') ?? at('state'))}: imported as open`);
    state = mapped ?? 'open';
  }
  const prio = mapPriorityLevel(at('priority'));
  if (!prio.known) warnings.push(`Unknown Zammad priority ${JSON.stringify(at('priority'))}: imported as normal`);
  const title = str(at('title'));
  const direct: Record<string, unknown> = {};
  for (const d of plan.direct) direct[d.field.name] = row[d.index] instanceof Date ? utcText(row[d.index]) : row[d.index];
  const subject = (typeof direct.subject === 'string' && direct.subject.trim()) || title;
  if (!subject && !('subject' in direct)) return { error: 'The ticket has no title', zammadId };
  const customerEmail = email(at('customer_email'));
  const customerName = joinName(at('firstname'), at('lastname'));
  const customer: Person | null = customerEmail || customerName
    ? { email: customerEmail, name: customerName || customerEmail!, phone: str(at('phone')) ?? str(at('mobile')), organization: str(at('customer_organization')) }
    : null;
  const ownerEmail = email(at('owner_email'));
  const owner: Person | null = ownerEmail ? { email: ownerEmail, name: joinName(at('owner_firstname'), at('owner_lastname')) || ownerEmail, phone: null, organization: null } : null;
  const createDate = utcText(at('created_at'));
  const updatedAt = utcText(at('updated_at'));
  return {
    zammadId, updatedAt, warnings,
    values: {
      subject: (subject ?? '') as string, state, priorityLevel: prio.level, zammadNumber: str(at('number')), createDate,
      closeDate: state === 'closed' ? utcText(at('close_at')) ?? updatedAt ?? createDate : null,
      direct,
    },
    customer, owner, group: str(at('group_name')),
  };
}

/**
 * The default query (SPEC 6): Zammad tickets changed since `%(last_sync)s`, with the names
 * the mapping knows. `>=` re-reads the rows of the last instant, which a run that stopped
 * midway may not have finished; unchanged rows write nothing.
 */
export const DEFAULT_QUERY = `SELECT t.id AS zammad_id, t.number, t.title, st.name AS state, stt.name AS state_type,
       p.name AS priority, g.name AS group_name,
       NULLIF(lower(btrim(c.email)), '') AS customer_email, c.firstname, c.lastname, c.phone, c.mobile,
       co.name AS customer_organization,
       CASE WHEN t.owner_id = 1 THEN NULL ELSE NULLIF(lower(btrim(o.email)), '') END AS owner_email,
       o.firstname AS owner_firstname, o.lastname AS owner_lastname,
       t.created_at, t.updated_at, t.close_at
FROM tickets t
JOIN ticket_states st ON st.id = t.state_id
JOIN ticket_state_types stt ON stt.id = st.state_type_id
LEFT JOIN ticket_priorities p ON p.id = t.priority_id
JOIN groups g ON g.id = t.group_id
JOIN users c ON c.id = t.customer_id
LEFT JOIN organizations co ON co.id = c.organization_id
JOIN users o ON o.id = t.owner_id
WHERE t.updated_at >= %(last_sync)s
ORDER BY t.updated_at, t.id`;

/**
 * Articles of some tickets, in Zammad's order (created_at, id). `%s` = the ticket ids. Their
 * `created_at` (UTC, timestamp(3)) as PostgreSQL's text, written as it is: no Date made and
 * formatted back per article.
 */
export const ARTICLES_QUERY = `SELECT a.id, a.ticket_id, a.subject, a.body, a.content_type, a.internal, a."from" AS email_from,
       snd.name AS sender, typ.name AS article_type, a.created_at::text AS created_at,
       NULLIF(lower(btrim(u.email)), '') AS author_email, u.firstname AS author_firstname, u.lastname AS author_lastname, u.phone AS author_phone
FROM ticket_articles a
JOIN ticket_article_senders snd ON snd.id = a.sender_id
JOIN ticket_article_types typ ON typ.id = a.type_id
LEFT JOIN users u ON u.id = COALESCE(a.origin_by_id, a.created_by_id) AND u.id <> 1
WHERE a.ticket_id = ANY(%s)
ORDER BY a.ticket_id, a.created_at, a.id`;

/** Attachments of some articles (never raw mails): name, type, bytes. `%s` = the article ids as text. */
export const ATTACHMENTS_QUERY = `SELECT s.id, s.o_id AS article_id, s.filename, s.size, s.preferences, f.sha, f.provider, d.data
FROM stores s
JOIN store_objects so ON so.id = s.store_object_id AND so.name = 'Ticket::Article'
JOIN store_files f ON f.id = s.store_file_id
LEFT JOIN store_provider_dbs d ON d.sha = f.sha
WHERE s.o_id = ANY(%s)
ORDER BY s.o_id, s.id`;

/** The MIME type in a store's preferences (Ruby YAML): its `Mime-Type:` or `Content-Type:` line. */
export function mimeFromPreferences(prefs: unknown): string | null {
  if (typeof prefs !== 'string') return null;
  const m = /^\s*(?:Mime-Type|Content-Type|mime_type|content_type):\s*['"]?([\w.+-]+\/[\w.+-]+)/im.exec(prefs);
  return m ? m[1].toLowerCase() : null;
}
