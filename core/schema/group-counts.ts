/**
 * Group-count tables: for a model declaring `_group_counts` (a few low-cardinality stored
 * fields), PostgreSQL keeps `<table>__counts` — how many rows have each combination of those
 * fields — so that read_group and search_count over millions of rows read a few hundred
 * cells instead of scanning the table (see core/orm/group-counts.ts for the reading side).
 *
 *   INSERT/UPDATE/DELETE on <table>          (statement triggers with transition tables)
 *        │  one delta row per changed cell: (dims…, +n / -n), append-only, so concurrent
 *        ▼  writers never wait on each other nor deadlock
 *   <table>__counts (dims…, n)   ── SELECT dims, sum(n) … GROUP BY  (the true counts)
 *        ▲
 *        └─ compactGroupCounts(): folds the deltas into one row per cell (scheduler, install)
 *
 * The triggers run inside the writer's transaction, so counts are exactly as consistent as
 * the rows (MVCC). The table is derived data: when the declared fields change it is
 * rebuilt from the model's rows; it never holds anything that cannot be recomputed.
 */
import type { Knex } from 'knex';
import type { ModelClass } from '../orm/model.ts';
import { rowsOf } from '../orm/environment.ts';

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

export const countsTable = (model: ModelClass): string => `${model._meta.table}__counts`;
/** The trigger function that writes the counts of `table`. */
export const countsFunctionName = (table: string): string => `${table}__counts_fn`;
const functionName = (model: ModelClass): string => countsFunctionName(model._meta.table);
const SIGNATURE_PREFIX = 'group counts of ';

/**
 * The INSERT of the delta rows for the rows of `source` (a relation with the counted columns
 * `sourceColumns`, by default the same names as `dims`): what the INSERT trigger writes. For
 * a writer that inserts with the triggers off and must write the counts itself.
 */
export function countsDeltaSql(counts: { table: string; dims: string[] }, source: string, sourceColumns: string[] = counts.dims): string {
  const from = sourceColumns.map(q).join(', ');
  return `INSERT INTO ${q(counts.table)} (${counts.dims.map(q).join(', ')}, n) SELECT ${from}, count(*) FROM ${source} GROUP BY ${from}`;
}

/** The counts table of `table` and its counted columns, read from its signature; null without one. */
export async function groupCountsOf(cr: Knex | Knex.Transaction, table: string): Promise<{ table: string; dims: string[] } | null> {
  const counts = `${table}__counts`;
  const found = rowsOf(await cr.raw(`SELECT obj_description(to_regclass(?), 'pg_class') AS signature`, [counts]))[0];
  const prefix = `${SIGNATURE_PREFIX}${table}: `;
  const signature = String(found?.signature ?? '');
  if (!signature.startsWith(prefix)) return null;
  return { table: counts, dims: signature.slice(prefix.length).split(', ') };
}

/** Creates, or rebuilds when its fields changed, the counts table and triggers of `model`. */
export async function syncGroupCounts(cr: Knex | Knex.Transaction, model: ModelClass): Promise<void> {
  const dims = model._meta.groupCounts;
  const table = model._meta.table;
  const counts = countsTable(model);
  const found = rowsOf(await cr.raw(`SELECT obj_description(to_regclass(?), 'pg_class') AS signature`, [counts]))[0];
  const signature = `${SIGNATURE_PREFIX}${table}: ${dims.join(', ')}`;
  if (!dims.length) {
    if (found?.signature) await dropGroupCounts(cr, model);
    return;
  }
  if (found?.signature === signature) return;
  await dropGroupCounts(cr, model);
  const types = new Map(rowsOf(await cr.raw(
    `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped`, [table]))
    .map((r: any) => [r.attname as string, r.type as string]));
  const cols = dims.map(q).join(', ');
  await cr.raw(`CREATE TABLE ${q(counts)} (${dims.map((d) => `${q(d)} ${types.get(d)}`).join(', ')}, n bigint NOT NULL)`);
  await cr.raw(`COMMENT ON TABLE ${q(counts)} IS '${signature.replace(/'/g, "''")}'`);
  // One statement per event: PostgreSQL allows transition tables only on single-event triggers.
  const delta = (source: string, sign: string) => `SELECT ${cols}, ${sign}count(*) FROM ${source} GROUP BY ${cols}`;
  await cr.raw(`CREATE FUNCTION ${q(functionName(model))}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        ${countsDeltaSql({ table: counts, dims }, 'new_rows')};
      ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO ${q(counts)} (${cols}, n) ${delta('old_rows', '-')};
      ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO ${q(counts)} (${cols}, n)
          SELECT ${cols}, sum(d) FROM (SELECT ${cols}, 1 AS d FROM new_rows UNION ALL SELECT ${cols}, -1 FROM old_rows) x
           GROUP BY ${cols} HAVING sum(d) <> 0;
      ELSE
        DELETE FROM ${q(counts)};
      END IF;
      RETURN NULL;
    END $fn$`);
  const trigger = (event: string, referencing: string) => cr.raw(
    `CREATE TRIGGER ${q(`${table}__counts_${event.toLowerCase()}`)} AFTER ${event} ON ${q(table)} ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION ${q(functionName(model))}()`);
  await trigger('INSERT', 'REFERENCING NEW TABLE AS new_rows');
  await trigger('UPDATE', 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows');
  await trigger('DELETE', 'REFERENCING OLD TABLE AS old_rows');
  await trigger('TRUNCATE', '');
  await cr.raw(`INSERT INTO ${q(counts)} (${cols}, n) ${delta(q(table), '')}`);
}

async function dropGroupCounts(cr: Knex | Knex.Transaction, model: ModelClass): Promise<void> {
  await cr.raw(`DROP TABLE IF EXISTS ${q(countsTable(model))}`);
  // Dropping the function drops its triggers with it.
  await cr.raw(`DROP FUNCTION IF EXISTS ${q(functionName(model))}() CASCADE`);
}

/**
 * Folds the delta rows of `model`'s counts into one row per cell. Safe beside writers
 * (their uncommitted deltas are not in this statement's snapshot, so they stay) and
 * beside another compaction (an advisory lock lets one run; the other returns false).
 */
export async function compactGroupCounts(cr: Knex | Knex.Transaction, model: ModelClass): Promise<boolean> {
  const dims = model._meta.groupCounts;
  if (!dims.length) return false;
  const counts = countsTable(model);
  const locked = rowsOf(await cr.raw(`SELECT pg_try_advisory_xact_lock(hashtext(?)) AS ok`, [counts]))[0].ok;
  if (!locked) return false;
  const cols = dims.map(q).join(', ');
  await cr.raw(`WITH gone AS (DELETE FROM ${q(counts)} RETURNING ${cols}, n)
    INSERT INTO ${q(counts)} (${cols}, n) SELECT ${cols}, sum(n) FROM gone GROUP BY ${cols} HAVING sum(n) <> 0`);
  return true;
}
