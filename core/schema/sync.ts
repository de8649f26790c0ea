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
  const existing = await tableColumns(cr);
  migrated.length = 0;
  for (const model of list) await syncTable(cr, model, existing);
  for (const model of list) await syncForeignKeys(cr, registry, model);
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

function columnDdl(field: Field): string | null {
  if (isTranslated(field)) return 'jsonb';
  return FIELD_TYPES[field.type].columnType(field);
}

async function syncTable(cr: Knex | Knex.Transaction, model: ModelClass, existing: Map<string, Set<string>>): Promise<void> {
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
    if (field.unique) await cr.raw(`CREATE UNIQUE INDEX IF NOT EXISTS ${q(`${table}_${field.name}_uniq`)} ON ${q(table)} (${q(field.name)})`);
    else if (wantIndex) await cr.raw(`CREATE INDEX IF NOT EXISTS ${q(`${table}_${field.name}_index`)} ON ${q(table)} (${q(field.name)})`);
  }
}

async function syncForeignKeys(cr: Knex | Knex.Transaction, registry: Registry, model: ModelClass): Promise<void> {
  const { table, fields } = model._meta;
  const existing = new Set(rowsOf(await cr.raw(
    `SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(?) AND contype = 'f'`, [table])).map((r: any) => r.conname));
  for (const field of fields.values()) {
    if (field.type !== 'many2one' || !field.stored) continue;
    const comodel = registry.get(field.comodel!)!;
    if (comodel._meta.abstract) continue;
    const name = `${table}_${field.name}_fkey`.slice(0, 63);
    if (existing.has(name)) continue;
    const ondelete = (field.ondelete ?? 'set null').toUpperCase();
    await cr.raw(`ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(name)} FOREIGN KEY (${q(field.name)}) REFERENCES ${q(comodel._meta.table)} (id) ON DELETE ${ondelete}`);
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
