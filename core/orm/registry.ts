/**
 * The model registry: turns model *definitions* (what addons write) into model *classes*
 * (what the ORM runs).
 *
 *   definitions (per addon, in load order)           built class for 'helpdesk.ticket'
 *   ─────────────────────────────────────            ─────────────────────────────────
 *   base:  model(B => class extends B {               Model                 (core CRUD)
 *            _name = 'mail.thread' ... })              └─ mail.thread layer  (mixin, re-applied)
 *   helpdesk: model(B => class extends B {                 └─ helpdesk layer (new model)
 *            _name = 'helpdesk.ticket',                        └─ zammad layer (extension)
 *            _inherit = ['mail.thread'] })
 *   zammad: model(B => class extends B {
 *            _inherit = 'helpdesk.ticket' })
 *
 * A definition is a *factory* `(Base) => class extends Base {…}`. The registry calls the
 * factories of a model in order, each on top of the previous result, so `super.create()`
 * inside a layer reaches the layer below — Odoo's `_inherit` semantics — and a mixin's
 * layers are applied afresh for every model that inherits it (no shared prototypes, so
 * several registries can live in one process). Fields are the merge of every layer's own
 * static `fields`, later layers overriding earlier ones.
 */
import { AddonError } from '../errors.ts';
import { FIELD_TYPES, type Field, type FieldDeclaration, fields as f } from './fields/index.ts';
import { Model, type ModelClass, type RpcKind } from './model.ts';
import { SharedCache } from './shared-cache.ts';

export type ModelFactory = (Base: ModelClass) => ModelClass;
export interface ModelDefinition {
  factory: ModelFactory;
  /** Technical name of the model this definition creates or extends. */
  name: string;
  /** For new models: the models inherited as mixins/parents. */
  parents: string[];
  /** True when the definition extends an existing model instead of creating one. */
  isExtension: boolean;
  addon?: string;
}

/** Declares a model definition (new model or extension), Odoo style. */
export function model(factory: ModelFactory): ModelDefinition {
  const probe = factory(Model) as ModelClass;
  const own = (k: string) => (Object.prototype.hasOwnProperty.call(probe, k) ? (probe as any)[k] : undefined);
  const name: string | undefined = own('_name');
  const inherit: string | string[] | undefined = own('_inherit');
  const inherits = inherit === undefined ? [] : Array.isArray(inherit) ? inherit : [inherit];
  if (!name && inherits.length !== 1) throw new AddonError('A model definition needs _name, or _inherit naming exactly one model to extend');
  const isExtension = !name || (inherits.length === 1 && inherits[0] === name);
  return { factory, name: name ?? inherits[0], parents: isExtension ? [] : inherits, isExtension };
}

/**
 * The audit columns are not indexed (as in Odoo): every insert would pay for indexes that
 * no screen reads. `create_date` gets one on the models ordered by it (see `buildClass`); a
 * model that searches them declares its own (e.g. helpdesk's `(create_uid, id)`). Deleting a
 * user then scans each table for its create_uid/write_uid (ON DELETE SET NULL): users are
 * archived, hardly ever deleted, and Odoo accepts the same.
 */
const MAGIC_FIELDS: Record<string, FieldDeclaration> = {
  id: f.integer({ string: 'ID', readonly: true }),
  create_uid: f.many2one('res.users', { string: 'Created by', readonly: true, index: false }),
  create_date: f.datetime({ string: 'Created on', readonly: true }),
  write_uid: f.many2one('res.users', { string: 'Last Updated by', readonly: true, index: false }),
  write_date: f.datetime({ string: 'Last Updated on', readonly: true }),
};

export interface ModelMeta {
  name: string;
  description: string;
  table: string;
  order: string;
  recName: string | null;
  abstract: boolean;
  /** Transient (wizard) models: rows are removed after a while. */
  transient: boolean;
  fields: Map<string, Field>;
  rpc: Map<string, RpcKind>;
  parentName: string | null;
  /** Addons that define or extend the model, in load order. */
  addons: string[];
  /** Name of the addon that created the model. */
  module: string;
  /** Fields whose combined counts PostgreSQL maintains (`_group_counts`, plus `active`). */
  groupCounts: string[];
  /**
   * `_document_link = ['res_model', 'res_id']`: the rows belong to another model's record
   * (attachments, messages, followers): visible with it, deleted with it.
   */
  documentLink: { model: string; id: string } | null;
  /** The `_indexes` of the model and its extensions: full index name → definition. */
  indexes: Map<string, string>;
}

export class Registry {
  private definitions = new Map<string, ModelDefinition[]>();
  private classes = new Map<string, ModelClass>();
  private order: string[] = [];
  /** Translations by language: msgid → msgstr, filled from the addons' i18n/*.po files. */
  readonly translations = new Map<string, Map<string, string>>();
  /** Per-user language, time zone and groups, reused for a moment between requests (see app.ts). */
  readonly userContexts = new Map<number, { lang: string; tz: string; groups: Set<number>; at: number }>();
  /** Lookups shared by this process's units of work, kept coherent by cache signals (started by bootApp). */
  readonly sharedCache = new SharedCache();

  /** Adds the definitions of one addon (call in dependency order). */
  addDefinitions(addon: string, defs: ModelDefinition[]): void {
    for (const def of defs) {
      const list = this.definitions.get(def.name);
      if (def.isExtension) {
        if (!list) throw new AddonError(`Addon ${addon} extends model '${def.name}', which no loaded addon defines (missing dependency?)`);
        list.push({ ...def, addon });
      } else {
        if (list) throw new AddonError(`Addon ${addon} defines model '${def.name}', already defined by ${list[0].addon}`);
        this.definitions.set(def.name, [{ ...def, addon }]);
        this.order.push(def.name);
      }
    }
  }

  /** Builds every model class; call once after all addons' definitions are added. */
  build(): void {
    this.classes.clear();
    for (const name of this.order) this.classes.set(name, this.buildClass(name, new Set()));
    for (const cls of this.classes.values()) this.resolveRelated(cls);
    for (const cls of this.classes.values()) this.checkRelations(cls);
  }

  /** A related field takes its type (and comodel, selection, label) from the end of its path. */
  private resolveRelated(cls: ModelClass): void {
    for (const field of cls._meta.fields.values()) {
      if (!field.related) continue;
      let current = cls;
      let target: Field | undefined;
      const path = field.related.split('.');
      for (const [i, step] of path.entries()) {
        target = current._meta.fields.get(step);
        if (!target) throw new AddonError(`Related field ${cls._meta.name}.${field.name}: '${step}' not found on ${current._meta.name}`);
        if (i < path.length - 1) {
          if (target.type !== 'many2one') throw new AddonError(`Related field ${cls._meta.name}.${field.name}: '${step}' is not a many2one`);
          current = this.classes.get(target.comodel!)!;
        }
      }
      field.type = target!.type;
      field.comodel ??= target!.comodel;
      field.selection ??= target!.selection;
      field.string ??= target!.string;
      // Odoo: related fields are read-only in forms unless declared otherwise; writes go through.
      field.readonly ??= true;
    }
  }

  private layers(name: string, seen: Set<string>): ModelDefinition[] {
    if (seen.has(name)) throw new AddonError(`Model inheritance cycle through '${name}'`);
    const defs = this.definitions.get(name);
    if (!defs) throw new AddonError(`Unknown model '${name}' in _inherit`);
    const next = new Set(seen).add(name);
    const out: ModelDefinition[] = [];
    for (const parent of defs[0].parents) out.push(...this.layers(parent, next));
    return out.concat(defs);
  }

  private buildClass(name: string, seen: Set<string>): ModelClass {
    const layers = this.layers(name, seen);
    let cls: ModelClass = Model;
    const fieldDecls = new Map<string, FieldDeclaration>(Object.entries(MAGIC_FIELDS));
    const rpc = new Map<string, RpcKind>(Object.entries(Model._rpc));
    const statics: Record<string, unknown> = {};
    const indexDecls: Record<string, string> = {};
    for (const layer of layers) {
      cls = layer.factory(cls);
      if (Object.prototype.hasOwnProperty.call(cls, '_indexes')) Object.assign(indexDecls, cls._indexes);
      for (const key of ['_description', '_order', '_rec_name', '_abstract', '_transient', '_table', '_parent_name', '_group_counts', '_document_link']) {
        // A model inheriting an abstract mixin (mail.thread) is not abstract itself.
        if (key === '_abstract' && layer.name !== name) continue;
        if (Object.prototype.hasOwnProperty.call(cls, key)) statics[key] = (cls as any)[key];
      }
      if (Object.prototype.hasOwnProperty.call(cls, 'fields')) {
        for (const [k, decl] of Object.entries(cls.fields)) fieldDecls.set(k, { ...fieldDecls.get(k), ...decl } as FieldDeclaration);
      }
      if (Object.prototype.hasOwnProperty.call(cls, '_rpc')) for (const [k, v] of Object.entries(cls._rpc)) rpc.set(k, v);
    }
    // The final class is a named subclass so that each model has its own statics.
    const Built = class extends (cls as any) {} as unknown as ModelClass;
    Object.defineProperty(Built, 'name', { value: name.replace(/(^|[._])(\w)/g, (_m, _s, c: string) => c.toUpperCase()) });
    const abstract = statics._abstract === true;
    const fieldMap = new Map<string, Field>();
    if (!fieldDecls.has('display_name')) fieldDecls.set('display_name', f.char({ string: 'Display Name', readonly: true }));
    for (const [fname, decl] of fieldDecls) {
      if (!FIELD_TYPES[decl.type]) throw new AddonError(`Field ${name}.${fname} has unknown type '${decl.type}'`);
      const computedOnly = (decl.compute && !decl.store) || decl.related !== undefined || fname === 'display_name';
      const stored = !computedOnly && FIELD_TYPES[decl.type].columnType({ ...decl, name: fname, modelName: name, stored: true } as Field) !== null;
      const field: Field = { ...decl, name: fname, modelName: name, stored, automatic: fname in MAGIC_FIELDS };
      if (field.type === 'many2many') this.completeMany2many(name, field);
      if (field.type === 'one2many' && !field.inverseName) throw new AddonError(`Field ${name}.${fname}: one2many needs an inverse field name`);
      fieldMap.set(fname, field);
    }
    const recName = (statics._rec_name as string | undefined) ?? (fieldMap.has('name') ? 'name' : null);
    const order = (statics._order as string) ?? 'id';
    const table = (statics._table as string) ?? name.replace(/\./g, '_');
    indexCreateDate(fieldMap, order);
    const meta: ModelMeta = {
      name,
      description: (statics._description as string) ?? name,
      table,
      order,
      recName,
      abstract,
      transient: statics._transient === true,
      fields: fieldMap,
      rpc,
      parentName: (statics._parent_name as string) ?? (fieldMap.has('parent_id') ? 'parent_id' : null),
      addons: [...new Set(layers.filter((l) => l.name === name).map((l) => l.addon ?? ''))],
      module: this.definitions.get(name)![0].addon ?? '',
      groupCounts: groupCountFields(name, fieldMap, statics._group_counts),
      documentLink: documentLinkOf(name, fieldMap, statics._document_link),
      indexes: new Map(Object.entries(indexDecls).map(([suffix, definition]) => [`${table}_${suffix}`, definition])),
    };
    Built._meta = meta;
    Built._registry = this;
    return Built;
  }

  private completeMany2many(model: string, field: Field): void {
    const t1 = model.replace(/\./g, '_');
    const t2 = field.comodel!.replace(/\./g, '_');
    const [a, b] = [t1, t2].sort();
    field.relation ??= `${a}_${b}_rel`;
    field.column1 ??= `${t1}_id`;
    field.column2 ??= t1 === t2 ? `${t2}_other_id` : `${t2}_id`;
  }

  private checkRelations(cls: ModelClass): void {
    for (const field of cls._meta.fields.values()) {
      if (field.comodel && !this.classes.has(field.comodel)) {
        throw new AddonError(`Field ${cls._meta.name}.${field.name} refers to unknown model '${field.comodel}'`);
      }
      if (field.type === 'one2many') {
        const inverse = this.classes.get(field.comodel!)!._meta.fields.get(field.inverseName!);
        if (!inverse) throw new AddonError(`Field ${cls._meta.name}.${field.name}: inverse field '${field.inverseName}' not found on ${field.comodel}`);
      }
    }
  }

  /** Translates an English source string into `lang` (falls back to the source). */
  translate(lang: string, text: string): string {
    if (!lang || lang.startsWith('en')) return text;
    return this.translations.get(lang)?.get(text) ?? this.translations.get(lang.slice(0, 2))?.get(text) ?? text;
  }
  addTranslations(lang: string, entries: Iterable<[string, string]>): void {
    let map = this.translations.get(lang);
    if (!map) this.translations.set(lang, (map = new Map()));
    for (const [k, v] of entries) if (v) map.set(k, v);
  }

  get(name: string): ModelClass | undefined {
    return this.classes.get(name);
  }
  has(name: string): boolean {
    return this.classes.has(name);
  }
  /** Models in definition order. */
  all(): ModelClass[] {
    return [...this.classes.values()];
  }
}

/**
 * The fields of a `_group_counts` declaration, checked: stored scalar or many2one fields.
 * `active` joins them when the model has it, since every default search filters on it.
 */
function groupCountFields(model: string, fields: Map<string, Field>, declared: unknown): string[] {
  if (declared === undefined) return [];
  if (!Array.isArray(declared) || !declared.every((d) => typeof d === 'string')) throw new AddonError(`Model ${model}: _group_counts must be a list of field names`);
  for (const name of declared) {
    const field = fields.get(name);
    if (!field) throw new AddonError(`Model ${model}: _group_counts names unknown field '${name}'`);
    if (!field.stored || ['one2many', 'many2many', 'text', 'html', 'binary'].includes(field.type) || name === 'id') {
      throw new AddonError(`Model ${model}: _group_counts field '${name}' (${field.type}) must be a stored field of few distinct values`);
    }
  }
  const out = [...new Set(declared as string[])];
  if (out.length && fields.get('active')?.stored && !out.includes('active')) out.push('active');
  return out;
}

/**
 * A model listed by `create_date` (`_order = 'create_date desc'`) reads its first page from
 * an index on it; elsewhere the magic column has none (see MAGIC_FIELDS).
 */
function indexCreateDate(fields: Map<string, Field>, order: string): void {
  const field = fields.get('create_date');
  if (!field?.automatic || field.index !== undefined) return;
  const ordered = order.split(',').some((term) => term.trim().split(/\s+/)[0] === 'create_date');
  if (ordered) field.index = true;
}

function documentLinkOf(name: string, fields: Map<string, Field>, decl: unknown): ModelMeta['documentLink'] {
  if (decl === undefined) return null;
  if (!Array.isArray(decl) || decl.length !== 2 || !decl.every((f) => typeof f === 'string' && fields.has(f))) {
    throw new AddonError(`Model ${name}: _document_link must name its model and id fields, e.g. ['res_model', 'res_id']`);
  }
  return { model: decl[0], id: decl[1] };
}
