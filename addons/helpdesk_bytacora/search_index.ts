/**
 * The full-text vector of helpdesk messages (`mail_message.helpdesk_search_vector`), filled
 * at once or later, as Zammad indexes into Elasticsearch after its commit:
 *
 *   INSERT / UPDATE OF body, model ──▶ trigger ──▶ vector computed (the ORM, mail gateway…)
 *                                   └─ bulk writer set `helpdesk.defer_search_vector` ──▶ NULL
 *   indexPendingMessages (right after a bulk import, and by a scheduled action)
 *     ──▶ batched UPDATE of the helpdesk messages whose vector is NULL
 *
 * Computing the vectors is most of the cost of inserting messages (two stemmers per body):
 * a bulk import (the Zammad importer) commits its batches without it and the vectors follow.
 * Meanwhile the search stays exact: a message whose vector is NULL (never the case once
 * indexed: an empty body gives an empty vector) is matched on the vector computed on the fly
 * (`pendingMatch`), found through a partial index that holds only those few rows.
 */
import type { Knex } from 'knex';
import { rowsOf } from '../../core/orm/index.ts';

type Cr = Knex | Knex.Transaction;

/** The session/transaction setting with which a bulk writer leaves the vectors to the indexer. */
export const DEFER_SETTING = 'helpdesk.defer_search_vector';

const plain = (col: string) => `regexp_replace(coalesce(${col}, ''), '<[^>]*>', ' ', 'g')`;
/** The vector of a message's body (`alias.body`), as stored: Spanish and English stems. */
export const messageVectorOf = (alias: string) => `(to_tsvector('spanish', ${plain(`${alias}.body`)}) || to_tsvector('english', ${plain(`${alias}.body`)}))`;

/** A message of `alias` matches `tsq`: on its stored vector, or on the fly while it is not indexed yet. */
export const messageMatch = (alias: string, tsq: string) =>
  `(${alias}.helpdesk_search_vector @@ ${tsq} OR (${alias}.helpdesk_search_vector IS NULL AND ${messageVectorOf(alias)} @@ ${tsq}))`;

/** The vector to rank a message of `alias` with (computed while it is not indexed yet). */
export const messageVectorForRank = (alias: string) => `coalesce(${alias}.helpdesk_search_vector, ${messageVectorOf(alias)})`;

export const MESSAGE_SEARCH_DDL = [
  `ALTER TABLE mail_message ADD COLUMN IF NOT EXISTS helpdesk_search_vector tsvector`,
  // Databases from before: the column was a generated one; its values are kept.
  `ALTER TABLE mail_message ALTER COLUMN helpdesk_search_vector DROP EXPRESSION IF EXISTS`,
  `CREATE OR REPLACE FUNCTION helpdesk_message_search_vector() RETURNS trigger LANGUAGE plpgsql AS $fn$
   BEGIN
     IF NEW.model IS DISTINCT FROM 'helpdesk.ticket' OR current_setting('${DEFER_SETTING}', true) = 'on' THEN
       NEW.helpdesk_search_vector := NULL;
     ELSE
       NEW.helpdesk_search_vector := ${messageVectorOf('NEW')};
     END IF;
     RETURN NEW;
   END $fn$`,
  `DROP TRIGGER IF EXISTS helpdesk_message_search_vector ON mail_message`,
  `CREATE TRIGGER helpdesk_message_search_vector BEFORE INSERT OR UPDATE OF body, model ON mail_message FOR EACH ROW EXECUTE FUNCTION helpdesk_message_search_vector()`,
  `CREATE INDEX IF NOT EXISTS mail_message_helpdesk_search_vector_idx ON mail_message USING gin (helpdesk_search_vector) WHERE model = 'helpdesk.ticket'`,
  // The messages waiting for the indexer: few rows, found at once by the search and the indexer.
  `CREATE INDEX IF NOT EXISTS mail_message_helpdesk_unindexed_idx ON mail_message (id) WHERE model = 'helpdesk.ticket' AND helpdesk_search_vector IS NULL`,
];

/** Makes the current transaction's new helpdesk messages wait for the indexer (SET LOCAL). */
export async function deferMessageVectors(cr: Cr): Promise<void> {
  await cr.raw(`SELECT set_config('${DEFER_SETTING}', 'on', true)`);
}

/**
 * Computes the vectors of up to `limit` helpdesk messages that have none, with ids above
 * `after`, in id order; returns how many and the last id done. Rows another transaction holds
 * are skipped (two indexers may run side by side). Going on from the last id matters: the
 * partial index keeps an entry for every row indexed until VACUUM, and a scan from the start
 * would walk them all again each time.
 */
export async function indexPendingMessages(cr: Cr, limit = 2000, after = 0): Promise<{ count: number; lastId: number }> {
  const rows = rowsOf(await cr.raw(
    `WITH due AS (SELECT id FROM mail_message WHERE model = 'helpdesk.ticket' AND helpdesk_search_vector IS NULL AND id > ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
     UPDATE mail_message m SET helpdesk_search_vector = ${messageVectorOf('m')} FROM due WHERE m.id = due.id RETURNING m.id`, [after, limit]));
  let lastId = after;
  for (const r of rows) lastId = Math.max(lastId, Number(r.id));
  return { count: rows.length, lastId };
}

/** How many helpdesk messages wait for their vector. */
export async function pendingMessageCount(cr: Cr): Promise<number> {
  return Number(rowsOf(await cr.raw(`SELECT count(*) AS n FROM mail_message WHERE model = 'helpdesk.ticket' AND helpdesk_search_vector IS NULL`))[0].n);
}

/**
 * Indexes every pending message on a PostgreSQL server, `workers` transactions side by side
 * (one per core), each of `chunk` rows committed on its own (without waiting for the WAL
 * flush: a crash of the server leaves them NULL, and the next indexer does them again).
 */
export async function indexAllPending(pool: Knex, opts: { workers?: number; chunk?: number } = {}): Promise<number> {
  const { workers = 2, chunk = 2000 } = opts;
  let total = 0;
  // The workers share how far they went; a second pass from the start takes the rows that
  // were held by another transaction when a worker went past them.
  let after = 0;
  const worker = async () => {
    for (;;) {
      const { count, lastId } = await pool.transaction(async (trx) => {
        await trx.raw('SET LOCAL synchronous_commit = off');
        return indexPendingMessages(trx, chunk, after);
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
