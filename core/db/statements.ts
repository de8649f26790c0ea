/**
 * Named (server-side prepared) statements for the ORM's hot queries on a PostgreSQL server.
 *
 * An unnamed query is parsed and planned by PostgreSQL on every call; for the list view's
 * search that is as much work as running it. A statement whose text has been seen before gets
 * a name, so each connection parses it once and PostgreSQL may keep its plan (its own
 * `plan_cache_mode = auto` choice: a generic plan only when it is not costlier than the
 * custom ones). Callers write what shapes the plan into the text: the search's LIMIT is a
 * literal (as a parameter, the generic plan would assume 10% of the table and could even be
 * JIT-compiled); its OFFSET stays a parameter, so paging does not multiply texts, and
 * PostgreSQL keeps custom plans where a generic one would cost more.
 *
 * Bounded: at most MAX_NAMED texts get names in a process (each of its connections may hold
 * them all); later new texts simply run unnamed. Not used on embedded PGlite, which has no
 * separate server to save work on.
 */
import type { Knex } from 'knex';
import { statementRows, type StatementOptions } from './pg-statement.ts';

const MAX_NAMED = 500;
/** Texts seen once; cleared when it grows past this, so one-off queries cost nothing lasting. */
const MAX_SEEN = 5_000;

const names = new Map<string, string>();
const seenOnce = new Set<string>();

/** The statement name for `sql`, or undefined while it is new (or the cap is reached). */
export function statementName(sql: string): string | undefined {
  const found = names.get(sql);
  if (found || names.size >= MAX_NAMED) return found;
  if (!seenOnce.has(sql)) {
    if (seenOnce.size >= MAX_SEEN) seenOnce.clear();
    seenOnce.add(sql);
    return undefined;
  }
  seenOnce.delete(sql);
  const name = `erp_${names.size + 1}`;
  names.set(sql, name);
  return name;
}

/**
 * True when `cr` talks to a PostgreSQL server through `pg` (not embedded PGlite): the one
 * test for code that works differently there (side-by-side transactions, named statements).
 */
export function onPostgresServer(cr: Knex | Knex.Transaction): boolean {
  const client = (cr as any).client;
  return client?.serverStatements === true || client?.config?.client === 'pg';
}

/**
 * `cr.raw(sql, bindings)`, as a named statement on a server once `sql` repeats. Use it for
 * queries whose text comes from a bounded set of shapes (the ORM's generated SQL), never for
 * text with values spliced in.
 */
export function rawStatement(cr: Knex | Knex.Transaction, sql: string, bindings: readonly unknown[]): Knex.Raw {
  const raw = cr.raw(sql, bindings as Knex.RawBinding[]);
  const name = onPostgresServer(cr) ? statementName(sql) : undefined;
  return name ? raw.options({ name }) : raw;
}

/**
 * The rows of `sql` (knex `?` placeholders) — a named statement on a server once the text
 * repeats, run straight on the pg connection (pg-statement.ts); through knex on PGlite. For
 * the same bounded set of texts as `rawStatement`.
 */
export function statementRowsNamed(cr: Knex | Knex.Transaction, sql: string, bindings: readonly unknown[], opts?: StatementOptions): Promise<any[]> {
  return statementRows(cr, sql, bindings, onPostgresServer(cr) ? statementName(sql) : undefined, opts);
}

/**
 * The rows of a statement the ORM writes itself in place of knex's query builder (its
 * INSERTs): run straight on the pg connection on a server, and named as knex's builder
 * statements are — only in transactions marked with `nameBuilderStatements`, whose shapes
 * are few, so that module installs (thousands of shapes) leave the bounded supply of names
 * to the searches. Through knex on PGlite.
 */
export function builderStatementRows(cr: Knex | Knex.Transaction, sql: string, bindings: readonly unknown[]): Promise<any[]> {
  const named = (cr as { client?: { nameBuilderStatements?: boolean } }).client?.nameBuilderStatements === true;
  return statementRows(cr, sql, bindings, named ? statementName(sql) : undefined);
}
