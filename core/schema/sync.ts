/**
 * Makes the database schema follow the model declarations: tables, columns, indexes,
 * unique constraints, foreign keys (with ondelete) and many2many relation tables. It only
 * ever adds: a column that disappeared from the code stays in the table with its data.
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
  for (const model of list) await syncTable(cr, model, existing, catalog.indexes, catalog.leading);
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

/**
 * Names of the indexes and foreign-key constraints of the current schema, and the columns
 * that lead an index (`table/column`): a field's own index is not added next to an index that
 * already starts with its column (an addon's `(partner_id, id)` serves every search of
 * `partner_id`, and a second, narrower index only gives the planner a worse choice).
 */
async function catalogNames(cr: Knex | Knex.Transaction): Promise<{ indexes: Set<string>; foreignKeys: Set<string>; leading: Set<string> }> {
  // Foreign keys are named per table: `table/constraint`.
  const rows = rowsOf(await cr.raw(
    `SELECT 'i' AS kind, indexname::text AS name FROM pg_indexes WHERE schemaname = current_schema()
     UNION ALL
     SELECT 'f', conrelid::regclass::text || '/' || conname FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace
     UNION ALL
     SELECT 'l', c.relname::text || '/' || a.attname::text FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
      WHERE n.nspname = current_schema()`));
  const indexes = new Set<string>();
  const foreignKeys = new Set<string>();
  const leading = new Set<string>();
  for (const r of rows) (r.kind === 'i' ? indexes : r.kind === 'f' ? foreignKeys : leading).add(r.name);
  return { indexes, foreignKeys, leading };
}

function columnDdl(field: Field): string | null {
  if (isTranslated(field)) return 'jsonb';
  return FIELD_TYPES[field.type].columnType(field);
}

async function syncTable(cr: Knex | Knex.Transaction, model: ModelClass, existing: Map<string, Set<string>>, indexes: Set<string>, leading: Set<string>): Promise<void> {
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
  for (const field of columns) {
    const wantIndex = field.index || field.type === 'many2one' && field.index !== false;
    const name = field.unique ? `${table}_${field.name}_uniq` : `${table}_${field.name}_index`;
    if ((!field.unique && !wantIndex) || indexes.has(indexName(name))) continue;
    if (!field.unique && leading.has(`${table}/${field.name}`)) continue;
    await cr.raw(`CREATE ${field.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${q(name)} ON ${q(table)} (${q(field.name)})`);
    indexes.add(indexName(name));
  }
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
