/**
 * The full-text vectors of tickets (`helpdesk_ticket.search_vector`: subject and description)
 * and of helpdesk messages (`mail_message.helpdesk_search_vector`), filled at once or later, as
 * Zammad indexes into Elasticsearch after its commit:
 *
 *   INSERT / UPDATE OF subject, description (tickets), body, model (messages)
 *     ──▶ trigger ──▶ vector computed (the ORM, the mail gateway…)
 *      └─ bulk writer set `helpdesk.defer_search_vector` ──▶ NULL
 *   indexPending (right after a bulk import, and by a scheduled action)
 *     ──▶ batched UPDATE of the tickets, then the helpdesk messages, whose vector is NULL
 *
 * Computing the vectors is a large part of the cost of inserting tickets and messages (two
 * stemmers per text): a bulk import (the Zammad importer) commits its batches without them and
 * the vectors follow. Meanwhile the search stays exact: a row whose vector is NULL (never the
 * case once indexed: an empty text gives an empty vector) is matched on the vector computed on
 * the fly (`ticketMatch`, `messageMatch`), found through a partial index that holds only those
 * few rows; an indexed row is matched and ranked on its stored vector, as before.
 */
import type { Knex } from 'knex';
import { rowsOf } from '../../core/orm/index.ts';

type Cr = Knex | Knex.Transaction;

/** The session/transaction setting with which a bulk writer leaves the vectors to the indexer. */
export const DEFER_SETTING = 'helpdesk.defer_search_vector';

const plain = (col: string) => `regexp_replace(coalesce(${col}, ''), '<[^>]*>', ' ', 'g')`;
const both = (text: string, weight: string) => `setweight(to_tsvector('spanish', ${text}), '${weight}') || setweight(to_tsvector('english', ${text}), '${weight}')`;
/** The vector of a message's body (`alias.body`), as stored: Spanish and English stems. */
export const messageVectorOf = (alias: string) => `(to_tsvector('spanish', ${plain(`${alias}.body`)}) || to_tsvector('english', ${plain(`${alias}.body`)}))`;
/**
 * The vector of a ticket (`alias.subject`, `alias.description`), as stored: Spanish and
 * English stems, the subject weighing A, the description B (the expression of the generated
 * column it replaces, so the ranks stay the same).
 */
export const ticketVectorOf = (alias: string) => `(${both(`coalesce(${alias}.subject, '')`, 'A')} || ${both(plain(`${alias}.description`), 'B')})`;

/**
 * The same vectors computed by a function, each text stripped of its tags once: in the
 * expressions above `plain()` is written, and run, once per language (the regular expression
 * is about a fifth of a message's vector: 151 → 120 ms per 2,500 messages). For the trigger
 * and the indexer; the search keeps the expressions (the value is the same).
 */
const MESSAGE_VECTOR_FN = 'helpdesk_message_vector';
const TICKET_VECTOR_FN = 'helpdesk_ticket_vector';
const tagsOff = (v: string) => `regexp_replace(coalesce(${v}, ''), '<[^>]*>', ' ', 'g')`;
export const VECTOR_FUNCTIONS_DDL = [
  `CREATE OR REPLACE FUNCTION ${MESSAGE_VECTOR_FN}(body text) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
   DECLARE
     p text := ${tagsOff('body')};
   BEGIN
     RETURN to_tsvector('spanish', p) || to_tsvector('english', p);
   END $fn$`,
  `CREATE OR REPLACE FUNCTION ${TICKET_VECTOR_FN}(subject text, description text) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
   DECLARE
     s text := coalesce(subject, '');
     d text := ${tagsOff('description')};
   BEGIN
     RETURN setweight(to_tsvector('spanish', s), 'A') || setweight(to_tsvector('english', s), 'A')
         || setweight(to_tsvector('spanish', d), 'B') || setweight(to_tsvector('english', d), 'B');
   END $fn$`,
];
/** messageVectorOf(alias), by the function (the trigger's and the indexer's). */
export const storedMessageVectorOf = (alias: string) => `${MESSAGE_VECTOR_FN}(${alias}.body)`;
/** ticketVectorOf(alias), by the function (the trigger's and the indexer's). */
export const storedTicketVectorOf = (alias: string) => `${TICKET_VECTOR_FN}(${alias}.subject, ${alias}.description)`;

/** A ticket of `alias` matches `tsq`: on its stored vector, or on the fly while it is not indexed yet. */
export const ticketMatch = (alias: string, tsq: string) =>
  `(${alias}.search_vector @@ ${tsq} OR (${alias}.search_vector IS NULL AND ${ticketVectorOf(alias)} @@ ${tsq}))`;


/** A message of `alias` matches `tsq`: on its stored vector, or on the fly while it is not indexed yet. */
export const messageMatch = (alias: string, tsq: string) =>
  `(${alias}.helpdesk_search_vector @@ ${tsq} OR (${alias}.helpdesk_search_vector IS NULL AND ${messageVectorOf(alias)} @@ ${tsq}))`;

/** The vector to rank a message of `alias` with (computed while it is not indexed yet). */
export const messageVectorForRank = (alias: string) => `coalesce(${alias}.helpdesk_search_vector, ${messageVectorOf(alias)})`;

/**
 * The DDL of one trigger-filled vector column: added (a generated column of an older database
 * becomes a plain one, its values kept), filled on insert or when `watched` columns change
 * unless `skip` holds (the import's deferral, or rows the search ignores), a GIN index, and a
 * partial index of the rows waiting for the indexer (few: found at once by search and indexer).
 */
function vectorColumnDdl(o: { table: string; column: string; fn: string; vector: string; skip: string; watched: string; waitingIndex: string; only?: string }): string[] {
  const only = o.only ? ` WHERE ${o.only}` : '';
  return [
    `ALTER TABLE ${o.table} ADD COLUMN IF NOT EXISTS ${o.column} tsvector`,
    `ALTER TABLE ${o.table} ALTER COLUMN ${o.column} DROP EXPRESSION IF EXISTS`,
    `CREATE OR REPLACE FUNCTION ${o.fn}() RETURNS trigger LANGUAGE plpgsql AS $fn$
   BEGIN
     IF ${o.skip} THEN
       NEW.${o.column} := NULL;
     ELSE
       NEW.${o.column} := ${o.vector};
     END IF;
     RETURN NEW;
   END $fn$`,
    `DROP TRIGGER IF EXISTS ${o.fn} ON ${o.table}`,
    `CREATE TRIGGER ${o.fn} BEFORE INSERT OR UPDATE OF ${o.watched} ON ${o.table} FOR EACH ROW EXECUTE FUNCTION ${o.fn}()`,
    `CREATE INDEX IF NOT EXISTS ${o.table}_${o.column}_idx ON ${o.table} USING gin (${o.column})${only}`,
    `CREATE INDEX IF NOT EXISTS ${o.waitingIndex} ON ${o.table} (id) WHERE ${o.only ? `${o.only} AND ` : ''}${o.column} IS NULL`,
  ];
}

const deferred = `current_setting('${DEFER_SETTING}', true) = 'on'`;

export const TICKET_SEARCH_DDL = vectorColumnDdl({
  table: 'helpdesk_ticket', column: 'search_vector', fn: 'helpdesk_ticket_search_vector',
  vector: storedTicketVectorOf('NEW'), skip: deferred, watched: 'subject, description', waitingIndex: 'helpdesk_ticket_unindexed_idx',
});

export const MESSAGE_SEARCH_DDL = vectorColumnDdl({
  table: 'mail_message', column: 'helpdesk_search_vector', fn: 'helpdesk_message_search_vector',
  vector: storedMessageVectorOf('NEW'), skip: `NEW.model IS DISTINCT FROM 'helpdesk.ticket' OR ${deferred}`, watched: 'body, model', waitingIndex: 'mail_message_helpdesk_unindexed_idx',
  only: "model = 'helpdesk.ticket'",
});

/**
 * Makes the tickets and helpdesk messages the current transaction inserts (or whose texts it
 * changes) wait for the indexer (SET LOCAL): only bulk writers call it.
 */
export async function deferSearchVectors(cr: Cr): Promise<void> {
  await cr.raw(`SELECT set_config('${DEFER_SETTING}', 'on', true)`);
}
/** The same (its name from when only the messages' vectors were deferred). */
export const deferMessageVectors = deferSearchVectors;

/** What the indexer fills: the tickets' vectors and the helpdesk messages'. */
export type VectorKind = 'ticket' | 'message';
const KINDS: Record<VectorKind, { table: string; column: string; pending: string; vector: (alias: string) => string }> = {
  ticket: { table: 'helpdesk_ticket', column: 'search_vector', pending: 'search_vector IS NULL', vector: storedTicketVectorOf },
  message: { table: 'mail_message', column: 'helpdesk_search_vector', pending: `model = 'helpdesk.ticket' AND helpdesk_search_vector IS NULL`, vector: storedMessageVectorOf },
};

/**
 * Computes the vectors of up to `limit` tickets or helpdesk messages (`kind`) that have none,
 * with ids above `after`, in id order; returns how many and the last id done. Rows another transaction holds
 * are skipped (two indexers may run side by side). Going on from the last id matters: the
 * partial index keeps an entry for every row indexed until VACUUM, and a scan from the start
 * would walk them all again each time.
 */
export async function indexPending(cr: Cr, kind: VectorKind, limit = 2000, after = 0): Promise<{ count: number; lastId: number }> {
  const k = KINDS[kind];
  const rows = rowsOf(await cr.raw(
    `WITH due AS (SELECT id FROM ${k.table} WHERE ${k.pending} AND id > ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
     UPDATE ${k.table} x SET ${k.column} = ${k.vector('x')} FROM due WHERE x.id = due.id RETURNING x.id`, [after, limit]));
  let lastId = after;
  for (const r of rows) lastId = Math.max(lastId, Number(r.id));
  return { count: rows.length, lastId };
}

/** The messages' indexer (see indexPending). */
export const indexPendingMessages = (cr: Cr, limit = 2000, after = 0) => indexPending(cr, 'message', limit, after);

/** How many tickets or helpdesk messages (`kind`) wait for their vector. */
export async function pendingCount(cr: Cr, kind: VectorKind): Promise<number> {
  const k = KINDS[kind];
  return Number(rowsOf(await cr.raw(`SELECT count(*) AS n FROM ${k.table} WHERE ${k.pending}`))[0].n);
}
/** How many helpdesk messages wait for their vector. */
export const pendingMessageCount = (cr: Cr) => pendingCount(cr, 'message');
/** How many tickets wait for their vector. */
export const pendingTicketCount = (cr: Cr) => pendingCount(cr, 'ticket');

/**
 * Indexes every pending ticket, then every pending message, on a PostgreSQL server, `workers` transactions side by side
 * (one per core), each of `chunk` rows committed on its own (without waiting for the WAL
 * flush: a crash of the server leaves them NULL, and the next indexer does them again).
 */
export async function indexAllPending(pool: Knex, opts: { workers?: number; chunk?: number } = {}): Promise<number> {
  const { workers = 2, chunk = 2000 } = opts;
  let total = 0;
  for (const kind of ['ticket', 'message'] as const) total += await indexAllOf(pool, kind, workers, chunk);
  return total;
}

async function indexAllOf(pool: Knex, kind: VectorKind, workers: number, chunk: number): Promise<number> {
  let total = 0;
  // The workers share how far they went; a second pass from the start takes the rows that
  // were held by another transaction when a worker went past them.
  let after = 0;
  const worker = async () => {
    for (;;) {
      const { count, lastId } = await pool.transaction(async (trx) => {
        await trx.raw('SET LOCAL synchronous_commit = off');
        return indexPending(trx, kind, chunk, after);
      });
      total += count;
      after = Math.max(after, lastId);
      if (count < chunk) return;
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  after = 0;
  await worker();
  return total;
}
