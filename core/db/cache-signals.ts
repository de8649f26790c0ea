/**
 * Cache signals: statement-level triggers that announce on the `erp_cache` channel the name
 * of every watched table a committed statement changed (inserted, updated, deleted or
 * truncated rows). Every process LISTENs on it and drops what it cached from that table
 * (core/orm/shared-cache.ts), as Odoo's ormcache signaling does with its sequences. A
 * transaction's identical notifications are delivered once, at its commit.
 *
 * Addons say which of their tables they cache (installCacheSignals in onInstall/onUpgrade);
 * a table without the trigger is never cached across transactions.
 */
import type { Knex } from 'knex';

/** The NOTIFY channel of cache invalidations (payload: a table name). */
export const CACHE_CHANNEL = 'erp_cache';
/** The trigger's name on every watched table. */
export const CACHE_TRIGGER = 'erp_cache_signal';

const FUNCTION_DDL = `CREATE OR REPLACE FUNCTION erp_cache_notify() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('${CACHE_CHANNEL}', TG_TABLE_NAME);
    RETURN NULL;
  END $$`;

/** The statements that make `table` announce its changes. */
export function cacheSignalDDL(table: string): string[] {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`invalid table name: ${table}`);
  return [
    FUNCTION_DDL,
    `DROP TRIGGER IF EXISTS ${CACHE_TRIGGER} ON ${table}`,
    `CREATE TRIGGER ${CACHE_TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION erp_cache_notify()`,
  ];
}

/** Installs the triggers on `tables` (idempotent). */
export async function installCacheSignalTriggers(cr: Knex | Knex.Transaction, tables: string[]): Promise<void> {
  for (const table of tables) for (const sql of cacheSignalDDL(table)) await cr.raw(sql);
}

/** The tables of the current schema that carry the trigger. */
export async function signalledTables(knex: Knex): Promise<Set<string>> {
  const result = await knex.raw(
    `SELECT c.relname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE t.tgname = ? AND NOT t.tgisinternal AND pg_table_is_visible(c.oid)`, [CACHE_TRIGGER]);
  return new Set(((result.rows ?? result) as Array<{ name: string }>).map((r) => r.name));
}
