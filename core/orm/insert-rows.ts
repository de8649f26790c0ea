/**
 * The INSERT statements of `create`, written here rather than by knex's query builder: the
 * text is made from the rows' columns (sorted, as knex orders them; a column a row lacks, or
 * holds `undefined`, is DEFAULT for it, as knex writes it) and run by `builderStatementRows`:
 * straight on the pg connection (named where knex's would be), through knex on PGlite. For a
 * short INSERT, knex's builder, formatter and runner cost this process about as much CPU as
 * the statement costs the database.
 *
 * Values are bound as knex binds them (pg's own conversions). A value knex would expand into
 * SQL (a raw expression, a query builder), a returned expression with bindings, or a row with
 * no columns at all go through knex's builder as before: `insertSql` answers null for them.
 */
import type { Knex } from 'knex';
import { builderStatementRows } from '../db/index.ts';

/** A double-quoted SQL identifier. */
export const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Raw SQL or a query builder: knex must expand it (the test of statementRows' needsKnex). */
const isKnexValue = (v: unknown) => typeof v === 'function' || (v !== null && typeof v === 'object' && typeof (v as { toSQL?: unknown }).toSQL === 'function');

/** A returned item as SQL text: a column name, or a raw expression without bindings. */
function returnedSql(item: string | Knex.Raw): string | null {
  if (typeof item === 'string') return quote(item);
  const { sql, bindings } = item.toSQL();
  return bindings?.length ? null : sql;
}

export interface InsertStatement {
  /** With knex `?` placeholders. */
  sql: string;
  bindings: unknown[];
}

/** `INSERT INTO table (…) VALUES (…), … RETURNING …` for `rows`, or null when knex must build it. */
export function insertSql(table: string, rows: ReadonlyArray<Record<string, unknown>>, returning: ReadonlyArray<string | Knex.Raw>): InsertStatement | null {
  const names = new Set<string>();
  for (const row of rows) for (const key in row) names.add(key);
  if (!names.size) return null;
  const columns = [...names].sort();
  const returned: string[] = [];
  for (const item of returning) {
    const sql = returnedSql(item);
    if (sql === null) return null;
    returned.push(sql);
  }
  const bindings: unknown[] = [];
  const tuples: string[] = [];
  for (const row of rows) {
    const slots: string[] = [];
    for (const column of columns) {
      const value = row[column];
      if (value === undefined) {
        slots.push('DEFAULT');
        continue;
      }
      if (isKnexValue(value)) return null;
      slots.push('?');
      bindings.push(value);
    }
    tuples.push(`(${slots.join(', ')})`);
  }
  const sql = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${tuples.join(', ')}${returned.length ? ` RETURNING ${returned.join(', ')}` : ''}`;
  return { sql, bindings };
}

/** Inserts `rows` into `table`; the returned rows (objects) in insert order. */
export async function insertRows(cr: Knex | Knex.Transaction, table: string, rows: ReadonlyArray<Record<string, unknown>>, returning: ReadonlyArray<string | Knex.Raw>): Promise<Array<Record<string, any>>> {
  const statement = insertSql(table, rows, returning);
  if (!statement) return cr(table).insert(rows as Array<Record<string, unknown>>).returning(returning as string[]);
  return builderStatementRows(cr, statement.sql, statement.bindings);
}
