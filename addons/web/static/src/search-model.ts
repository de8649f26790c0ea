/**
 * The search state of a window action, from its search view arch: what can be searched
 * (fields, filters, group-bys), what is active (the query), how it shows (facets) and what it
 * means (domain, context, group-by). Pure: the search bar renders it and calls its methods.
 *
 *   search arch ──parse──▶ fields + filters (OR-groups split by <separator/> and <group>)
 *   query items ──facets()──▶ facets (one per filter group, one per field, one for group-by)
 *   facets ──getSearch()──▶ domain = AND(facets), each facet = OR(its items)
 *
 * Favorites (`ir.filters` of the model and action) are saved searches: applying one replaces
 * the query with one favorite item carrying its domain and group-bys (favorites.ts).
 */
import type { ArchNode } from './arch.ts';
import { andDomains, orDomains } from '../../../../core/orm/domain/index.ts';
import { evalContext, evalDomain, type Scope } from './modifiers.ts';
import { localInputToServerDatetime } from './format.ts';
import { _t } from './i18n.ts';
import type { Context, Domain, FieldInfo, FieldsInfo } from './types.ts';

export interface SearchFilterDef {
  /** The `name` attribute, or `__filter_<n>` for nameless filters. */
  key: string;
  description: string;
  domain?: string;
  context?: string;
  /** Group-by specs of a `context="{'group_by': …}"` filter. */
  groupBy?: string[];
  /** Date field of a `date="create_date"` filter (custom range). */
  date?: string;
  /** OR-group index: filters with the same index are OR-ed. */
  group: number;
  invisible: boolean;
}

export interface SearchFieldDef {
  name: string;
  description: string;
  field: FieldInfo;
  filterDomain?: string;
  operator?: string;
  context?: string;
}

export type QueryItem =
  | { type: 'filter'; key: string }
  | { type: 'dateRange'; key: string; from: string; to: string }
  | { type: 'groupBy'; spec: string; key?: string }
  | { type: 'field'; name: string; value: string | number; label: string }
  | { type: 'favorite'; id: number; name: string; domain: Domain; groupBy: string[]; context: Context; sort?: string };

/** A saved search (`ir.filters` row as `get_filters` returns it). */
export interface Favorite {
  id: number;
  name: string;
  domain: string;
  context: string;
  sort: string;
  is_default: boolean;
  user_id: [number, string] | false;
  create_uid: [number, string] | false;
}

export interface Facet {
  id: string;
  type: 'filter' | 'groupBy' | 'field' | 'favorite';
  title: string;
  values: string[];
}

export interface SearchResult {
  domain: Domain;
  context: Context;
  groupBy: string[];
}

/** Labels of the date granularities of group-bys (`create_date:month`). */
export const INTERVAL_LABELS: Record<string, () => string> = {
  day: () => _t('Day'), week: () => _t('Week'), month: () => _t('Month'), quarter: () => _t('Quarter'), year: () => _t('Year'),
};

function parseGroupBy(context: string | undefined): string[] | undefined {
  if (!context || !/group_by/.test(context)) return undefined;
  try {
    const value = evalContext(context, {}).group_by;
    const specs = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
    return specs.length ? specs : undefined;
  } catch {
    return undefined;
  }
}

export class SearchModel {
  readonly filters: SearchFilterDef[] = [];
  readonly fields: SearchFieldDef[] = [];
  query: QueryItem[] = [];
  /** Saved searches of this model and action, loaded by the action loader. */
  favorites: Favorite[] = [];
  /** The window action the search belongs to (favorites are saved for it), or false. */
  actionId: number | false = false;
  /** The model searched (favorites are saved for it). */
  resModel = '';
  /** The list's current order (`name desc`), saved as a favorite's `sort`. */
  order = '';

  constructor(arch: ArchNode | null | undefined, readonly modelFields: FieldsInfo) {
    if (arch) this.parse(arch);
  }

  private parse(arch: ArchNode): void {
    let group = 0;
    let pending = false;
    const visit = (node: ArchNode) => {
      if (node.tag === 'separator' || node.tag === 'group') {
        if (pending) group++;
        pending = false;
        if (node.tag === 'group') {
          node.children.forEach(visit);
          if (pending) group++;
          pending = false;
        }
      } else if (node.tag === 'filter') {
        const a = node.attrs;
        this.filters.push({
          key: a.name || `__filter_${this.filters.length}`,
          description: a.string || a.help || a.name || '',
          domain: a.domain, context: a.context, groupBy: parseGroupBy(a.context), date: a.date, group,
          invisible: a.invisible === '1' || a.invisible === 'True',
        });
        pending = true;
      } else if (node.tag === 'field') {
        const a = node.attrs;
        const field = this.modelFields[a.name];
        if (field && a.invisible !== '1' && a.invisible !== 'True') {
          this.fields.push({ name: a.name, description: a.string || field.string || a.name, field, filterDomain: a.filter_domain, operator: a.operator, context: a.context });
        }
      } else {
        node.children.forEach(visit);
      }
    };
    arch.children.forEach(visit);
  }

  filter(key: string): SearchFilterDef | undefined {
    return this.filters.find((f) => f.key === key);
  }

  /** Filters of the Filters menu (not group-bys), split in their OR-groups. */
  filterGroups(): SearchFilterDef[][] {
    const groups = new Map<number, SearchFilterDef[]>();
    for (const f of this.filters) {
      if (f.groupBy || f.invisible) continue;
      groups.set(f.group, [...(groups.get(f.group) ?? []), f]);
    }
    return [...groups.values()];
  }

  groupByFilters(): SearchFilterDef[] {
    return this.filters.filter((f) => f.groupBy && !f.invisible);
  }

  /** Fields offered in "Add custom group": stored, groupable, not x2many/text/binary. */
  groupableFields(): FieldInfo[] {
    return Object.values(this.modelFields)
      .filter((f) => f.groupable !== false && f.store !== false && !['one2many', 'many2many', 'text', 'html', 'binary'].includes(f.type))
      .sort((a, b) => a.string.localeCompare(b.string));
  }

  isActive(key: string): boolean {
    return this.query.some((q) => (q.type === 'filter' || q.type === 'dateRange' || q.type === 'groupBy') && q.key === key);
  }

  toggleFilter(key: string): void {
    const def = this.filter(key);
    if (!def) throw new Error(`Unknown filter: ${key}`);
    if (this.isActive(key)) {
      this.query = this.query.filter((q) => !('key' in q && q.key === key));
    } else if (def.groupBy) {
      this.query = [...this.query, ...def.groupBy.map((spec): QueryItem => ({ type: 'groupBy', spec, key }))];
    } else {
      this.query = [...this.query, { type: 'filter', key }];
    }
  }

  /** Applies a favorite (Odoo: it replaces the whole query); applying the active one again removes it. */
  toggleFavorite(item: Extract<QueryItem, { type: 'favorite' }>): void {
    const active = this.query.some((q) => q.type === 'favorite' && q.id === item.id);
    this.query = active ? this.query.filter((q) => q.type !== 'favorite') : [item];
  }

  /** The `sort` of the active favorite ('' without one). */
  favoriteSort(): string {
    const fav = this.query.find((q) => q.type === 'favorite');
    return fav?.type === 'favorite' ? fav.sort ?? '' : '';
  }

  isFavoriteActive(id: number): boolean {
    return this.query.some((q) => q.type === 'favorite' && q.id === id);
  }

  setDateRange(key: string, from: string, to: string): void {
    this.query = [...this.query.filter((q) => !(q.type === 'dateRange' && q.key === key)), { type: 'dateRange', key, from, to }];
  }

  toggleGroupBy(spec: string): void {
    const active = this.query.some((q) => q.type === 'groupBy' && q.spec === spec);
    this.query = active ? this.query.filter((q) => !(q.type === 'groupBy' && q.spec === spec)) : [...this.query, { type: 'groupBy', spec }];
  }

  addField(name: string, value: string | number, label: string): void {
    if (this.query.some((q) => q.type === 'field' && q.name === name && q.value === value)) return;
    this.query = [...this.query, { type: 'field', name, value, label }];
  }

  /** Which facet an item belongs to. */
  private facetId(item: QueryItem): string {
    if (item.type === 'groupBy') return 'groupBy';
    if (item.type === 'field') return `field:${item.name}`;
    if (item.type === 'favorite') return 'favorite';
    return `filter:${this.filter(item.key)?.group ?? item.key}`;
  }

  removeFacet(id: string): void {
    this.query = this.query.filter((q) => this.facetId(q) !== id);
  }

  /** Backspace in an empty search input: the last facet goes. */
  removeLastFacet(): void {
    const last = this.facets().at(-1);
    if (last) this.removeFacet(last.id);
  }

  groupByLabel(spec: string): string {
    const [name, interval] = spec.split(':');
    const label = this.modelFields[name]?.string ?? name;
    return interval ? `${label}: ${INTERVAL_LABELS[interval]?.() ?? interval}` : label;
  }

  private itemLabel(item: QueryItem): string {
    switch (item.type) {
      case 'filter': return this.filter(item.key)?.description ?? item.key;
      case 'dateRange': return `${this.filter(item.key)?.description ?? item.key}: ${item.from} – ${item.to}`;
      case 'groupBy': return item.key ? this.filter(item.key)?.description ?? item.spec : this.groupByLabel(item.spec);
      case 'field': return item.label;
      case 'favorite': return item.name;
    }
  }

  facets(): Facet[] {
    const facets = new Map<string, Facet>();
    for (const item of this.query) {
      const id = this.facetId(item);
      let facet = facets.get(id);
      if (!facet) {
        const type = item.type === 'dateRange' ? 'filter' : item.type;
        const title = item.type === 'field' ? this.fields.find((f) => f.name === item.name)?.description ?? item.name : '';
        facets.set(id, (facet = { id, type, title, values: [] }));
      }
      const label = this.itemLabel(item);
      if (!facet.values.includes(label)) facet.values.push(label);
    }
    const all = [...facets.values()];
    return [...all.filter((f) => f.type === 'favorite'), ...all.filter((f) => f.type !== 'groupBy' && f.type !== 'favorite'), ...all.filter((f) => f.type === 'groupBy')];
  }

  private itemDomain(item: QueryItem, scope: Scope): Domain {
    switch (item.type) {
      case 'filter': return evalDomain(this.filter(item.key)?.domain, scope);
      case 'dateRange': {
        const field = this.modelFields[this.filter(item.key)?.date ?? ''];
        if (!field) return [];
        const bound = (day: string, time: string) => (field.type === 'datetime' ? localInputToServerDatetime(`${day}T${time}`) : day);
        return [[field.name, '>=', bound(item.from, '00:00:00')], [field.name, '<=', bound(item.to, '23:59:59')]];
      }
      case 'field': {
        const def = this.fields.find((f) => f.name === item.name);
        if (!def) return [];
        if (def.filterDomain) return evalDomain(def.filterDomain, { ...scope, self: typeof item.value === 'number' ? item.value : item.label, raw_value: item.value });
        return [[item.name, def.operator ?? defaultOperator(def.field, item.value), item.value]];
      }
      case 'groupBy': return [];
      case 'favorite': return item.domain;
    }
  }

  /** Domain, context and group-by of the active query. */
  getSearch(scope: Scope): SearchResult {
    const byFacet = new Map<string, QueryItem[]>();
    for (const item of this.query) byFacet.set(this.facetId(item), [...(byFacet.get(this.facetId(item)) ?? []), item]);
    const domains: Domain[] = [];
    let context: Context = {};
    for (const [id, items] of byFacet) {
      if (id === 'groupBy') continue;
      domains.push(orDomains(...items.map((i) => this.itemDomain(i, scope))) as Domain);
      for (const item of items) {
        if (item.type === 'favorite') context = { ...context, ...item.context };
        const src = item.type === 'filter' ? this.filter(item.key)?.context : item.type === 'field' ? this.fields.find((f) => f.name === item.name)?.context : undefined;
        if (src) {
          const { group_by: _ignored, ...rest } = evalContext(src, { ...scope, self: item.type === 'field' ? item.value : false });
          context = { ...context, ...rest };
        }
      }
    }
    const groupBy = this.query.flatMap((q) => (q.type === 'groupBy' ? [q.spec] : q.type === 'favorite' ? q.groupBy : []));
    return { domain: andDomains(...domains) as Domain, context, groupBy };
  }

  /**
   * Activates `search_default_<name>` keys of an action context (filters by name, fields by
   * value) and its `group_by`. Field labels are the raw values until `resolveLabels`.
   */
  applyDefaults(context: Context): void {
    for (const f of this.filters) {
      const v = context[`search_default_${f.key}`];
      if (v && !this.isActive(f.key)) this.toggleFilter(f.key);
    }
    for (const f of this.fields) {
      const v = context[`search_default_${f.name}`];
      if (v !== undefined && v !== false && v !== null && (typeof v === 'string' || typeof v === 'number')) this.addField(f.name, v, String(v));
    }
    const gb = context.group_by;
    for (const spec of Array.isArray(gb) ? gb : gb ? [gb] : []) if (typeof spec === 'string') this.toggleGroupBy(spec);
  }

  /** Replaces the labels of many2one field items given by id (after `applyDefaults`). */
  async resolveLabels(nameOf: (model: string, id: number) => Promise<string>): Promise<void> {
    const items = await Promise.all(this.query.map(async (q) => {
      const rel = q.type === 'field' ? this.modelFields[q.name]?.relation : undefined;
      if (q.type !== 'field' || typeof q.value !== 'number' || !rel || q.label !== String(q.value)) return q;
      return { ...q, label: await nameOf(rel, q.value) };
    }));
    this.query = items;
  }

  /** Restores a query (from the URL), dropping items that no longer make sense. */
  setQuery(items: QueryItem[]): void {
    this.query = items.filter((q) => {
      if (q.type === 'filter' || q.type === 'dateRange') return !!this.filter(q.key);
      if (q.type === 'field') return this.fields.some((f) => f.name === q.name);
      if (q.type === 'favorite') return true;
      return q.type === 'groupBy' && q.spec.split(':')[0] in this.modelFields;
    });
  }
}

function defaultOperator(field: FieldInfo, value: string | number): string {
  if (field.type === 'many2one') return typeof value === 'number' ? '=' : 'ilike';
  if (field.type === 'one2many' || field.type === 'many2many') return typeof value === 'number' ? 'in' : 'ilike';
  return ['char', 'text', 'html'].includes(field.type) ? 'ilike' : '=';
}

/** Parses the user's text for a field search; undefined when it cannot apply (e.g. "abc" for an integer). */
export function parseFieldSearchValue(field: FieldInfo, text: string): string | number | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (field.type === 'integer') return /^-?\d+$/.test(t) ? Number(t) : undefined;
  if (field.type === 'float') return /^-?\d+([.,]\d+)?$/.test(t) ? Number(t.replace(',', '.')) : undefined;
  if (field.type === 'date') return /^\d{4}-\d{2}-\d{2}$/.test(t) ? t : undefined;
  if (['boolean', 'datetime', 'binary', 'selection'].includes(field.type)) return undefined;
  return t;
}
