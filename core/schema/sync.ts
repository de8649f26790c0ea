/**
 * Makes the database schema follow the model declarations: tables, columns, indexes,
 * unique constraints, foreign keys (with ondelete) and many2many relation tables. Columns are
 * only ever added: one that disappeared from the code stays in the table with its data. The
 * one-column indexes the ORM itself made for fields follow the declarations (dropped when no
 * longer wanted, replaced when their kind changed); no other index is ever dropped.
 */
import type { Knex } from 'knex';
import { FIELD_TYPES, type Field } from '../orm/fields/index.ts';
import type { ModelClass } from '../orm/model.ts';
import { rowsOf } from '../orm/environment.ts';
import type { Registry } from '../orm/registry.ts';
import { countsTable, syncGroupCounts } from './group-counts.ts';
import { isTranslated } from '../orm/translated-values.ts';

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * Creates or upgrades the tables of `models` (all registry models when omitted). Returns the
 * `table.column`s turned into translatable jsonb (their records' translations are then loaded).
 */
export async function syncSchema(cr: Knex | Knex.Transaction, registry: Registry, models?: ModelClass[]): Promise<string[]> {
  const list = (models ?? registry.all()).filter((m) => !m._meta.abstract);
  // The catalog is read once up front: a restart with nothing to change sends a handful of
  // queries instead of one "IF NOT EXISTS" statement per index and constraint.
  const existing = await tableColumns(cr);
  migrated.length = 0;
  const catalog = await catalogNames(cr);
  for (const model of list) await syncTable(cr, model, existing, catalog.indexes);
  for (const model of list) await syncForeignKeys(cr, registry, model, catalog.foreignKeys);
  for (const model of list) await syncRelations(cr, registry, model, existing);
  for (const model of list) if (model._meta.groupCounts.length || existing.has(countsTable(model))) await syncGroupCounts(cr, model);
  return [...migrated];
}
const migrated: string[] = [];

/** Column names per table, and the SQL type of each `table.column`. */
async function tableColumns(cr: Knex | Knex.Transaction): Promise<Map<string, Set<string>>> {
  const rows = rowsOf(await cr.raw(`SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()`));
  const out = new Map<string, Set<string>>();
  columnTypes.clear();
  for (const r of rows) {
    if (!out.has(r.table_name)) out.set(r.table_name, new Set());
    out.get(r.table_name)!.add(r.column_name);
    columnTypes.set(`${r.table_name}.${r.column_name}`, r.data_type);
  }
  return out;
}
const columnTypes = new Map<string, string>();

/**
 * A field that became translatable keeps its text: the varchar/text column turns into jsonb
 * with the old value as the English source (`{"en_US": old}`), as Odoo 16 migrates.
 */
async function migrateToTranslated(cr: Knex | Knex.Transaction, table: string, field: Field): Promise<void> {
  const type = columnTypes.get(`${table}.${field.name}`);
  if (!type || type === 'jsonb' || !isTranslated(field)) return;
  await cr.raw(`ALTER TABLE ${q(table)} ALTER COLUMN ${q(field.name)} TYPE jsonb USING CASE WHEN ${q(field.name)} IS NULL THEN NULL ELSE jsonb_build_object('en_US', ${q(field.name)}::text) END`);
  columnTypes.set(`${table}.${field.name}`, 'jsonb');
  migrated.push(`${table}.${field.name}`);
}

/** What the sync knows of an existing index. */
interface IndexInfo {
  table: string;
  /** The first key column, null for an expression. */
  lead: string | null;
  /** A plain btree over all values (not partial, no expression): serves every search of `lead`. */
  covers: boolean;
  /** The index the ORM makes for a field (`btree` / `btree_not_null`), or null for any other shape. */
  ormKind: FieldIndexKind | null;
}
type FieldIndexKind = 'btree' | 'btree_not_null';

interface Catalog {
  indexes: Map<string, IndexInfo>;
  foreignKeys: Set<string>;
}

/**
 * The indexes of the current schema with their shape, and the foreign-key constraints
 * (named per table: `table/constraint`).
 */
async function catalogNames(cr: Knex | Knex.Transaction): Promise<Catalog> {
  const rows = rowsOf(await cr.raw(
    `SELECT c.relname::text AS tbl, i.relname::text AS name, a.attname::text AS lead, x.indisunique AS uniq,
            x.indnkeyatts AS nkeys, am.amname::text AS method, x.indexprs IS NOT NULL AS expr,
            pg_get_expr(x.indpred, x.indrelid) AS pred
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = i.relam
       LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0] AND x.indkey[0] > 0
      WHERE n.nspname = current_schema()`));
  const indexes = new Map<string, IndexInfo>();
  for (const r of rows) {
    const plain = r.method === 'btree' && !r.expr && r.lead;
    const single = plain && Number(r.nkeys) === 1 && !r.uniq;
    const notNull = r.pred && String(r.pred).replace(/"/g, '') === `(${r.lead} IS NOT NULL)`;
    const ormKind: FieldIndexKind | null = !single ? null : !r.pred ? 'btree' : notNull ? 'btree_not_null' : null;
    indexes.set(r.name, { table: r.tbl, lead: r.lead ?? null, covers: !!plain && !r.pred, ormKind });
  }
  const fks = rowsOf(await cr.raw(
    `SELECT conrelid::regclass::text || '/' || conname AS name FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`));
  return { indexes, foreignKeys: new Set(fks.map((r) => r.name)) };
}

/** The index a field asks for: many2one fields get a partial one unless they opt out. */
export function fieldIndexKind(field: Field): FieldIndexKind | null {
  const index = field.index ?? (field.type === 'many2one' ? 'btree_not_null' : false);
  if (index === false) return null;
  return index === 'btree_not_null' ? 'btree_not_null' : 'btree';
}

/** Whether an index other than `except` on `table` serves every search of `column`. */
function covered(indexes: Map<string, IndexInfo>, table: string, column: string, except: string): boolean {
  for (const [name, info] of indexes) if (name !== except && info.table === table && info.lead === column && info.covers) return true;
  return false;
}

/** The leading column of a declared `(a, b)` btree definition without WHERE, else null. */
function declaredLead(definition: string): string | null {
  if (/\bwhere\b/i.test(definition)) return null;
  const m = /^\s*(?:using\s+btree\s*)?\(\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*(?:,|\)|\s+(?:asc|desc)\b)/i.exec(definition);
  return m ? m[1] : null;
}

function columnDdl(field: Field): string | null {
  if (isTranslated(field)) return 'jsonb';
  return FIELD_TYPES[field.type].columnType(field);
}

async function syncTable(cr: Knex | Knex.Transaction, model: ModelClass, existing: Map<string, Set<string>>, indexes: Map<string, IndexInfo>): Promise<void> {
  const { table, fields } = model._meta;
  const columns = [...fields.values()].filter((f) => f.stored && f.name !== 'id');
  if (!existing.has(table)) {
    await cr.raw(`CREATE TABLE ${q(table)} (id SERIAL PRIMARY KEY)`);
    existing.set(table, new Set(['id']));
  }
  const have = existing.get(table)!;
  for (const field of columns) {
    if (have.has(field.name)) {
      await migrateToTranslated(cr, table, field);
      continue;
    }
    const ddl = columnDdl(field);
    if (!ddl) continue;
    await cr.raw(`ALTER TABLE ${q(table)} ADD COLUMN ${q(field.name)} ${ddl}`);
    have.add(field.name);
  }
  await syncDeclaredIndexes(cr, model, indexes);
  for (const field of columns) {
    if (field.unique) {
      const name = indexName(`${table}_${field.name}_uniq`);
      if (indexes.has(name)) continue;
      await cr.raw(`CREATE UNIQUE INDEX IF NOT EXISTS ${q(name)} ON ${q(table)} (${q(field.name)})`);
      indexes.set(name, { table, lead: field.name, covers: true, ormKind: null });
      continue;
    }
    await syncFieldIndex(cr, table, field, indexes);
  }
}

/**
 * The model's `_indexes`, created when missing (a changed definition needs a new name). They
 * come first: a field whose column leads one of them gets no index of its own.
 */
async function syncDeclaredIndexes(cr: Knex | Knex.Transaction, model: ModelClass, indexes: Map<string, IndexInfo>): Promise<void> {
  const { table } = model._meta;
  for (const [full, definition] of model._meta.indexes) {
    const name = indexName(full);
    if (indexes.has(name)) continue;
    await cr.raw(`CREATE INDEX IF NOT EXISTS ${q(name)} ON ${q(table)} ${definition}`);
    const lead = declaredLead(definition);
    indexes.set(name, { table, lead, covers: lead !== null, ormKind: null });
  }
}

/**
 * A field's own index `<table>_<field>_index`, brought to what the field asks for. None when
 * another index already starts with the column (an addon's `(partner_id, id)` serves every
 * search of `partner_id`; a second, narrower one costs every insert and only gives the
 * planner a worse choice). On an existing database the index the ORM made before is dropped
 * when no longer wanted, and replaced when its kind changed (plain ↔ partial); an index of
 * that name with another shape was made by someone else and is left alone.
 */
async function syncFieldIndex(cr: Knex | Knex.Transaction, table: string, field: Field, indexes: Map<string, IndexInfo>): Promise<void> {
  const name = indexName(`${table}_${field.name}_index`);
  let want = fieldIndexKind(field);
  if (want && covered(indexes, table, field.name, name)) want = null;
  const have = indexes.get(name);
  if (have) {
    const ours = have.table === table && have.lead === field.name && have.ormKind !== null;
    // A many2one's implicit kind accepts the plain index older versions made: rebuilding
    // every foreign key's index of a large database at the first start is not worth it.
    const implicit = field.index === undefined && want !== null;
    if (!ours || have.ormKind === want || (implicit && have.ormKind !== null)) return;
    await cr.raw(`DROP INDEX ${q(name)}`);
    indexes.delete(name);
  }
  if (!want) return;
  const where = want === 'btree_not_null' ? ` WHERE ${q(field.name)} IS NOT NULL` : '';
  await cr.raw(`CREATE INDEX IF NOT EXISTS ${q(name)} ON ${q(table)} (${q(field.name)})${where}`);
  indexes.set(name, { table, lead: field.name, covers: !where, ormKind: want });
}

/** PostgreSQL truncates identifiers to 63 bytes: the name it stores for `name`. */
function indexName(name: string): string {
  return Buffer.byteLength(name) <= 63 ? name : Buffer.from(name).subarray(0, 63).toString();
}

async function syncForeignKeys(cr: Knex | Knex.Transaction, registry: Registry, model: ModelClass, existing: Set<string>): Promise<void> {
  const { table, fields } = model._meta;
  for (const field of fields.values()) {
    if (field.type !== 'many2one' || !field.stored) continue;
    const comodel = registry.get(field.comodel!)!;
    if (comodel._meta.abstract) continue;
    const name = `${table}_${field.name}_fkey`.slice(0, 63);
    if (existing.has(`${table}/${name}`)) continue;
    const ondelete = (field.ondelete ?? 'set null').toUpperCase();
    await cr.raw(`ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(name)} FOREIGN KEY (${q(field.name)}) REFERENCES ${q(comodel._meta.table)} (id) ON DELETE ${ondelete}`);
    existing.add(`${table}/${name}`);
  }
}

async function syncRelations(cr: Knex | Knex.Transaction, registry: Registry, model: ModelClass, existing: Map<string, Set<string>>): Promise<void> {
  for (const field of model._meta.fields.values()) {
    if (field.type !== 'many2many' || (field.compute && !field.store)) continue; // computed: no table
    const rel = field.relation!;
    if (existing.has(rel)) continue;
    const comodel = registry.get(field.comodel!)!;
    const [c1, c2] = [field.column1!, field.column2!];
    await cr.raw(`CREATE TABLE IF NOT EXISTS ${q(rel)} (
      ${q(c1)} integer NOT NULL REFERENCES ${q(model._meta.table)} (id) ON DELETE CASCADE,
      ${q(c2)} integer NOT NULL REFERENCES ${q(comodel._meta.table)} (id) ON DELETE CASCADE,
      PRIMARY KEY (${q(c1)}, ${q(c2)}))`);
    await cr.raw(`CREATE INDEX IF NOT EXISTS ${q(`${rel}_${c2}_idx`)} ON ${q(rel)} (${q(c2)})`);
    existing.set(rel, new Set([c1, c2]));
  }
}
