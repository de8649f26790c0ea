/**
 * The base of every model: a recordset (environment + ids) with Odoo's public API. Each
 * method is a short pipeline of named steps — check access → apply rules → validate →
 * write → recompute — delegating to small collaborators (search.ts, read.ts, write.ts,
 * commands.ts, read-group.ts). Business addons extend models through the registry
 * (registry.ts) and call `super` to reach the layer below.
 */
import { AccessError, err, MissingError, UserError, ValidationError } from '../errors.ts';

/** The verb of each operation in messages (translatable words). */
const OPERATION_VERBS = { read: 'access', write: 'modify', create: 'create', unlink: 'delete' } as const;
import { hasModelAccess, ruleDomain, type AccessMode } from '../security/index.ts';
import { q } from './domain/compile.ts';
import type { Knex } from 'knex';
import type { Environment, Context } from './environment.ts';
import { rowsOf } from './environment.ts';
import type { FieldDeclaration } from './fields/index.ts';
import { attachCachedNames, many2oneNames, readRecords, storedColumns, type WireRecord } from './read.ts';
import { countFromCounts } from './group-counts.ts';
import { readGroup, type ReadGroupOptions } from './read-group.ts';
import type { ModelMeta, Registry } from './registry.ts';
import { searchCount, searchIds, searchRows, whereClause } from './search.ts';
import { createRecords, writeRecords, defaultValues } from './write.ts';
import { getViews } from '../views/get-views.ts';
import { accessLines } from './access-cache.ts';
import { checkFieldAccess, visibleFields, type FieldUse } from './field-access.ts';
import { exportRows } from './export.ts';
import { findDependents, recomputeFound } from './recompute.ts';
import { isTranslated, langOf, pickTranslation } from './translated-values.ts';

/** How a method is reached over RPC: on the model (no ids) or on records (ids first). */
export type RpcKind = 'model' | 'records' | {
  kind: 'model' | 'records';
  params: string[];
  /** Reads only (Odoo's `@api.readonly`): served without a transaction on a read-only connection. */
  readonly?: boolean;
  /** The wire value of a returned recordset: its first id (Odoo's `@api.returns('self', lambda r: r.id)`). */
  returns?: 'id';
};
export type ModelClass = typeof Model;
export type Vals = Record<string, unknown>;

export class Model {
  static _name: string;
  static _description?: string;
  static _order?: string;
  static _rec_name?: string;
  static _rec_names_search?: string[];
  static _inherit?: string | string[];
  static _abstract?: boolean;
  static _transient?: boolean;
  static _table?: string;
  static _parent_name?: string;
  /**
   * The model and id fields linking a row to a document, e.g. ['res_model', 'res_id']: the
   * row is visible when the document is, and deleted with it.
   */
  static _document_link?: [model: string, id: string];
  /**
   * Low-cardinality stored fields (state, category…) whose combined counts PostgreSQL keeps
   * in a summary table, so read_group/search_count over them need not scan every row.
   */
  static _group_counts?: string[];
  /**
   * Indexes over several columns (Odoo 18's `models.Index`), by name suffix: `{ state_id_idx:
   * '(state, id)' }` is `CREATE INDEX <table>_state_id_idx ON <table> (state, id)`. Created by
   * the schema sync before the fields' own indexes, which are left out when one of these
   * starts with their column. Extensions add to the parent's.
   */
  static _indexes?: Record<string, string>;
  static fields: Record<string, FieldDeclaration> = {};
  /** Methods callable over RPC, with their positional parameter names (kwargs map onto them). */
  static _rpc: Record<string, RpcKind> = {
    create: { kind: 'model', params: ['vals_list'] },
    read: { kind: 'records', params: ['fields'], readonly: true },
    write: { kind: 'records', params: ['vals'] },
    unlink: 'records',
    copy: { kind: 'records', params: ['default'], returns: 'id' },
    search: { kind: 'model', params: ['domain', 'offset', 'limit', 'order', 'count'], readonly: true },
    search_count: { kind: 'model', params: ['domain', 'limit'], readonly: true },
    search_read: { kind: 'model', params: ['domain', 'fields', 'offset', 'limit', 'order'], readonly: true },
    read_group: { kind: 'model', params: ['domain', 'fields', 'groupby', 'offset', 'limit', 'orderby', 'lazy'], readonly: true },
    name_search: { kind: 'model', params: ['name', 'args', 'operator', 'limit'], readonly: true },
    name_create: { kind: 'model', params: ['name'] },
    fields_get: { kind: 'model', params: ['allfields', 'attributes'], readonly: true },
    default_get: { kind: 'model', params: ['fields_list'], readonly: true },
    check_access_rights: { kind: 'model', params: ['operation', 'raise_exception'], readonly: true },
    get_views: { kind: 'model', params: ['views', 'options'], readonly: true },
    exists: 'records',
    export_data: { kind: 'records', params: ['fields_to_export'], readonly: true },
  };
  static _meta: ModelMeta;
  static _registry: Registry;

  readonly env: Environment;
  readonly ids: number[];

  constructor(env: Environment, ids: number[]) {
    this.env = env;
    this.ids = ids;
  }

  // ── recordset basics ────────────────────────────────────────────────────────────
  get _meta(): ModelMeta {
    return (this.constructor as ModelClass)._meta;
  }
  get _name(): string {
    return this._meta.name;
  }
  get id(): number | false {
    return this.ids.length ? this.ids[0] : false;
  }
  get length(): number {
    return this.ids.length;
  }
  browse(ids: number | number[]): this {
    const list = (Array.isArray(ids) ? ids : [ids]).map((i) => {
      const n = Number(i);
      // Ids are PostgreSQL integers: a larger number cannot name a record.
      if (!Number.isInteger(n) || n <= 0 || n > 2147483647) throw err(ValidationError, "Invalid record id %s for model '%s'", JSON.stringify(i), this._meta.name);
      return n;
    });
    return new (this.constructor as any)(this.env, [...new Set(list)]);
  }
  /** A recordset of ids known to be valid and distinct (read from the table): no checks. */
  _browseKnown(ids: number[]): this {
    return new (this.constructor as any)(this.env, ids);
  }
  withEnv(env: Environment): this {
    return new (this.constructor as any)(env, this.ids);
  }
  sudo(flag = true): this {
    return this.withEnv(this.env.sudo(flag));
  }
  withContext(ctx: Context): this {
    return this.withEnv(this.env.withContext(ctx));
  }
  ensureOne(): this {
    if (this.ids.length !== 1) throw err(ValidationError, 'Expected a single %s record, got %s', this._meta.name, this.ids.length);
    return this;
  }
  /** Reads one field of a single record. */
  async get<T = unknown>(field: string): Promise<T> {
    this.ensureOne();
    const [rec] = await this.read([field]);
    return rec[field] as T;
  }
  /** The records among these that still exist. */
  async exists(): Promise<this> {
    if (!this.ids.length) return this;
    const rows = await this.env.cr(this._meta.table).whereIn('id', this.ids).select('id');
    const found = new Set(rows.map((r: any) => Number(r.id)));
    return this.browse(this.ids.filter((id) => found.has(id)));
  }

  // ── access ──────────────────────────────────────────────────────────────────────
  /** Odoo's check_access_rights: model-level permission for `operation`. */
  async check_access_rights(operation: AccessMode, raise_exception = true): Promise<boolean> {
    if (!['read', 'write', 'create', 'unlink'].includes(operation)) throw err(ValidationError, "Invalid operation '%s': expected read, write, create or unlink", operation);
    if (this.env.su) return true;
    const ok = hasModelAccess(await accessLines(this.env), this._meta.name, operation, await this.env.groupIds());
    if (!ok && raise_exception) {
      throw err(AccessError, "You are not allowed to %s '%s' (%s) records.", OPERATION_VERBS[operation], this._meta.description, this._meta.name);
    }
    return ok;
  }

  /** Raises unless every record exists and satisfies the record rules for `mode`. */
  async checkAccessRule(mode: AccessMode): Promise<void> {
    if (!this.ids.length) return;
    const existing = await this.exists();
    if (existing.length !== this.ids.length) {
      const missing = this.ids.filter((id) => !existing.ids.includes(id));
      throw err(MissingError, 'Record does not exist or has been deleted: %s(%s)', this._meta.name, missing.join(', '));
    }
    if (this.env.su) return;
    // Document-linked models (attachments, messages) are restricted even without ir.rule rows.
    if (!this._meta.documentLink && !(await ruleDomain(this.env, this._meta.name, mode))) return;
    const cond = await whereClause(this.env.withContext({ active_test: false }), this.constructor as ModelClass, [['id', 'in', this.ids]], 't0', { mode });
    const rows = rowsOf(await this.env.cr.raw(`SELECT t0.id FROM ${q(this._meta.table)} t0 WHERE ${cond.sql}`, cond.bindings as any));
    if (rows.length !== this.ids.length) {
      const allowed = new Set(rows.map((r: any) => Number(r.id)));
      const refused = this.ids.filter((id) => !allowed.has(id));
      throw err(AccessError, "Due to security restrictions, you are not allowed to %s '%s' (%s) records: %s", OPERATION_VERBS[mode], this._meta.description, this._meta.name, refused.join(', '));
    }
  }

  /**
   * The field names a read or write works on: `names` checked by field-access.ts (unknown →
   * ValidationError, refused → AccessError naming the field), or, when empty, every field
   * the user may see.
   */
  async checkFieldAccess(names: unknown, use: FieldUse): Promise<string[]> {
    const model = this.constructor as ModelClass;
    if (names === undefined || names === null || names === false || (Array.isArray(names) && !names.length)) {
      return (await visibleFields(this.env, model)).map((f) => f.name);
    }
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
      throw err(ValidationError, "Expected a list of field names of '%s', got %s", this._meta.name, JSON.stringify(names));
    }
    for (const n of names) if (!this._meta.fields.has(n)) throw err(ValidationError, "Invalid field '%s' on model '%s'", n, this._meta.name);
    await checkFieldAccess(this.env, model, names, use);
    return [...new Set(names as string[])];
  }

  // ── CRUD ────────────────────────────────────────────────────────────────────────
  async create(vals_list: Vals | Vals[]): Promise<this> {
    const list = Array.isArray(vals_list) ? vals_list : [vals_list];
    for (const vals of list) if (!vals || typeof vals !== 'object' || Array.isArray(vals)) throw err(ValidationError, 'create() of %s expects a dictionary of values, got %s', this._meta.name, JSON.stringify(vals));
    await this.check_access_rights('create');
    await this.checkFieldAccess([...new Set(list.flatMap((vals) => Object.keys(vals)))], 'write');
    const ids = await createRecords(this, list);
    const records = this.browse(ids);
    // The superuser passes every rule, and the rows were just inserted: nothing to check.
    if (!this.env.su) await records.checkAccessRule('create');
    return records;
  }

  /**
   * Called by create with the column values of the rows about to be inserted (defaults and
   * precomputed fields applied, create_date set), which an override may complete in place.
   * Column values: ids for many2one, naive UTC strings for datetimes.
   */
  async _beforeInsert(_rows: Array<Record<string, unknown>>): Promise<void> {}

  /**
   * What the INSERT of create returns besides `id` (column names, or SQL expressions built
   * with `this.env.cr.raw`), handed to `_afterInsert`: what a model's creation needs of its
   * new rows, without reading them back. None by default.
   */
  _insertReturning(): Array<string | Knex.Raw> {
    return [];
  }

  /**
   * Called by create right after the INSERT, when `_insertReturning` names something, with
   * the rows it returned (`id` first), in insert order. x2many values, related fields and
   * stored computes are applied after it (an override remembering rows relies on the ORM
   * forgetting what it remembers of a model when its rows are written).
   */
  async _afterInsert(_rows: Array<Record<string, any>>): Promise<void> {}

  async read(fields?: string[] | null): Promise<WireRecord[]> {
    if (fields !== undefined && fields !== null && fields !== false as unknown && (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string'))) {
      throw err(ValidationError, 'read() expects a list of field names, got %s', JSON.stringify(fields));
    }
    await this.check_access_rights('read');
    const names = await this.checkFieldAccess(fields, 'read');
    const wanted = names.includes('id') ? names : ['id', ...names];
    if (!this.env.su) {
      await this.checkAccessRule('read');
      return readRecords(this, wanted);
    }
    // The superuser passes every rule: the read itself tells which records are missing.
    const out = await readRecords(this, wanted);
    if (out.length !== this.ids.length) {
      const found = new Set(out.map((r) => r.id));
      const missing = this.ids.filter((id) => !found.has(id));
      if (missing.length) throw err(MissingError, 'Record does not exist or has been deleted: %s(%s)', this._meta.name, missing.join(', '));
    }
    return out;
  }

  async write(vals: Vals): Promise<true> {
    if (!vals || typeof vals !== 'object' || Array.isArray(vals)) throw err(ValidationError, 'write() of %s expects a dictionary of values, got %s', this._meta.name, JSON.stringify(vals));
    if (!this.ids.length) return true;
    await this.check_access_rights('write');
    await this.checkFieldAccess(Object.keys(vals), 'write');
    await this.checkAccessRule('write');
    await writeRecords(this, vals);
    return true;
  }

  async unlink(): Promise<true> {
    if (!this.ids.length) return true;
    await this.check_access_rights('unlink');
    await this.checkAccessRule('unlink');
    const dependents = await findDependents(this, null);
    await this._unlinkRows();
    await recomputeFound(this, dependents);
    return true;
  }

  /** Deletes the rows (no checks); foreign keys decide cascade / set null / restrict. */
  async _unlinkRows(): Promise<void> {
    const table = this._meta.table;
    this.env.forgetMemo(this._meta.name);
    try {
      await this.env.cr.raw(`SAVEPOINT unlink_rows`);
      await this.env.cr(table).whereIn('id', this.ids).delete();
      await this.env.cr.raw(`RELEASE SAVEPOINT unlink_rows`);
    } catch (e: any) {
      await this.env.cr.raw(`ROLLBACK TO SAVEPOINT unlink_rows`).catch(() => undefined);
      if (e?.code === '23503' || e?.code === '23001') {
        throw err(ValidationError, 'Cannot delete %s record(s) %s: other records still refer to them (%s).', this._meta.description, this.ids.join(', '), e.table ?? e.detail ?? 'restricted reference');
      }
      throw e;
    }
    // Rows linked by (model, id) columns (`_document_link`) have no foreign key: clean them here.
    for (const linked of this.env.registry.all()) {
      const link = linked._meta.documentLink;
      if (!link || linked._meta.abstract || linked._meta.table === table) continue;
      await this.env.cr(linked._meta.table).where(link.model, this._meta.name).whereIn(link.id, this.ids).delete();
      this.env.forgetMemo(linked._meta.name);
    }
    await this.env.cr('ir_model_data').where('model', this._meta.name).whereIn('res_id', this.ids).delete();
    this.env.forgetMemo('ir.model.data');
  }

  // ── search ──────────────────────────────────────────────────────────────────────
  async search(domain: unknown[] = [], offset = 0, limit: number | null = null, order: string | null = null, count = false): Promise<this> {
    if (count) throw new ValidationError('search(count=True) is not supported: use search_count');
    await this.check_access_rights('read');
    const ids = await searchIds(this.env, this.constructor as ModelClass, domain ?? [], { offset, limit: limit || null, order });
    return this.browse(ids);
  }
  async search_count(domain: unknown[] = [], limit: number | null = null): Promise<number> {
    await this.check_access_rights('read');
    const model = this.constructor as ModelClass;
    const n = (await countFromCounts(this.env, model, domain ?? [])) ?? await searchCount(this.env, model, domain ?? []);
    return limit ? Math.min(n, limit) : n;
  }
  async search_read(domain: unknown[] = [], fields: string[] | null = null, offset = 0, limit: number | null = null, order: string | null = null): Promise<WireRecord[]> {
    await this.check_access_rights('read');
    const names = await this.checkFieldAccess(fields, 'read');
    const wanted = names.includes('id') ? names : ['id', ...names];
    // One query selects the matching rows with their stored columns; the search applied
    // the read rules, so no second check per id.
    const m2oNames = many2oneNames(this, wanted);
    const rows = await searchRows(this.env, this.constructor as ModelClass, domain ?? [], { offset: offset ?? 0, limit: limit || null, order }, storedColumns(this, wanted), m2oNames.selects);
    if (!rows.length) return [];
    if (m2oNames.cached.length) await attachCachedNames(this, rows, m2oNames.cached);
    return readRecords(this._browseKnown(rows.map((r: any) => Number(r.id))), wanted, rows);
  }
  async read_group(domain: unknown[], fields: string[], groupby: string | string[], offset = 0, limit: number | null = null, orderby: string | null = null, lazy = true): Promise<Record<string, unknown>[]> {
    await this.check_access_rights('read');
    const opts: ReadGroupOptions = { offset: offset ?? 0, limit, orderby, lazy: lazy !== false };
    return readGroup(this, domain ?? [], fields ?? [], typeof groupby === 'string' ? [groupby] : groupby || [], opts);
  }

  // ── names ───────────────────────────────────────────────────────────────────────
  /** display_name of each record; override for composite names. */
  async _displayNames(): Promise<Map<number, string>> {
    const rec = this._meta.recName;
    const out = new Map<number, string>();
    if (!this.ids.length) return out;
    if (!rec || !this._meta.fields.get(rec)?.stored) {
      for (const id of this.ids) out.set(id, `${this._meta.name},${id}`);
      return out;
    }
    const rows = await this.env.cr(this._meta.table).whereIn('id', this.ids).select('id', rec);
    const translated = isTranslated(this._meta.fields.get(rec));
    for (const r of rows) out.set(Number(r.id), (translated ? pickTranslation(r[rec], langOf(this.env)) : r[rec]) ?? '');
    return out;
  }
  async name_search(name = '', args: unknown[] | null = null, operator = 'ilike', limit: number | null = 100): Promise<Array<[number, string]>> {
    const searchFields = (this.constructor as ModelClass)._rec_names_search ?? (this._meta.recName ? [this._meta.recName] : []);
    let domain: unknown[] = [...(args ?? [])];
    if (name && searchFields.length) {
      const leaves = searchFields.map((f) => [f, operator, name]);
      domain = [...domain, ...Array(leaves.length - 1).fill('|'), ...leaves];
    }
    const records = await this.search(domain, 0, limit ?? null);
    const names = await records.sudo()._displayNames();
    return records.ids.map((id) => [id, names.get(id) ?? '']);
  }
  async name_create(name: string): Promise<[number, string]> {
    const rec = this._meta.recName;
    if (!rec) throw err(UserError, 'Cannot create a %s record from a name: the model has no name field.', this._meta.description);
    const created = await this.create({ [rec]: name });
    const names = await created._displayNames();
    return [created.ids[0], names.get(created.ids[0]) ?? name];
  }

  // ── metadata ────────────────────────────────────────────────────────────────────
  async fields_get(allfields: string[] | null = null, attributes: string[] | null = null): Promise<Record<string, Record<string, unknown>>> {
    const visible = await visibleFields(this.env, this.constructor as ModelClass);
    const t = (s: string | undefined) => (s ? this.env.registry.translate(this.env.lang, s) : s);
    const out: Record<string, Record<string, unknown>> = {};
    for (const field of visible) {
      if (Array.isArray(allfields) && allfields.length && !allfields.includes(field.name)) continue;
      const desc: Record<string, unknown> = {
        type: field.type,
        string: t(field.string ?? humanize(field.name)),
        help: t(field.help) ?? false,
        required: !!field.required,
        readonly: !!field.readonly || (!!field.compute && !field.stored) || !!field.automatic || field.name === 'display_name',
        store: field.stored,
        sortable: field.stored,
        groupable: field.stored && !['text', 'html', 'binary'].includes(field.type),
        searchable: field.stored || !!field.related || !!field.search || field.type === 'one2many' || field.type === 'many2many',
        name: field.name,
      };
      if (field.comodel) desc.relation = field.comodel;
      if (field.type === 'one2many') desc.relation_field = field.inverseName;
      if (field.selection) desc.selection = field.selection.map(([v, l]) => [v, t(l)]);
      if (field.related) desc.related = field.related;
      if (field.tracking) desc.tracking = true;
      if (field.domain) desc.domain = field.domain;
      if (Array.isArray(attributes) && attributes.length) for (const k of Object.keys(desc)) if (!attributes.includes(k)) delete desc[k];
      out[field.name] = desc;
    }
    return out;
  }
  async default_get(fields_list: string[]): Promise<Vals> {
    // Names the model does not have are ignored (a client may ask for its view's fields).
    const known = Array.isArray(fields_list) ? fields_list.filter((n) => typeof n === 'string' && this._meta.fields.has(n)) : fields_list;
    if (Array.isArray(known) && !known.length) return {};
    return defaultValues(this, await this.checkFieldAccess(known, 'read'));
  }

  /**
   * Odoo's export_data: one row per record with the value of each path (`partner_id/name`,
   * `.id` for the database id), as the export dialog and API clients ask for it.
   */
  async export_data(fields_to_export: string[]): Promise<{ datas: unknown[][] }> {
    await this.check_access_rights('read');
    await this.checkAccessRule('read');
    return { datas: await exportRows(this, fields_to_export) };
  }
  async copy(defaultVals: Vals | null = null): Promise<this> {
    this.ensureOne();
    const [rec] = await this.read();
    const vals: Vals = {};
    for (const field of this._meta.fields.values()) {
      const copyable = field.copy ?? (field.type !== 'one2many' && !field.automatic && !field.unique);
      if (!copyable || !field.stored && field.type !== 'many2many' || field.compute || field.related || field.name === 'display_name') continue;
      const v = rec[field.name];
      vals[field.name] = field.type === 'many2one' ? (Array.isArray(v) ? v[0] : false) : field.type === 'many2many' ? [[6, 0, v]] : v;
    }
    const rn = this._meta.recName;
    if (rn && typeof vals[rn] === 'string' && this._meta.fields.get(rn)?.type === 'char') vals[rn] = `${vals[rn]} (copy)`;
    return this.create({ ...vals, ...(defaultVals ?? {}) });
  }
  async get_views(views: Array<[number | false, string]>, options: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    await this.check_access_rights('read');
    return getViews(this, views, options);
  }
}

export function humanize(name: string): string {
  const base = name.replace(/_ids?$/, '').replace(/_/g, ' ').trim();
  return base.charAt(0).toUpperCase() + base.slice(1);
}
