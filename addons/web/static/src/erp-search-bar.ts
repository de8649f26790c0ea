import { LitElement, html, css } from 'lit';
import { ClickOutsideController } from './click-outside.ts';
import { icon } from './icons.ts';
import { sharedStyles } from './styles.ts';
import { parseFieldSearchValue, INTERVAL_LABELS, type SearchFieldDef, type SearchModel, type SearchFilterDef } from './search-model.ts';
import { callKw } from './rpc.ts';
import { notifyError } from './erp-notifications.ts';
import { _t } from './i18n.ts';
import './erp-search-favorites.ts';

interface Suggestion {
  label: string;
  field: SearchFieldDef;
  value: string | number;
  facetLabel: string;
  /** Sub-items (records of a many2one) are indented under their field. */
  sub?: boolean;
  /** A many2one field item that can show its records. */
  expandable?: boolean;
}

/**
 * The search bar of a multi-record view: facets of the query (removable one by one), a text
 * input with "Search <field> for: …" suggestions (many2one fields expand to their records via
 * `name_search`, selection fields to their values), and a panel with the filters (OR-groups
 * split by separators, custom date ranges), group-bys (from the arch, or any groupable field)
 * and favorites (erp-search-favorites).
 * The state lives in the SearchModel; this only edits it.
 * @fires search-changed - the query changed; read `model.getSearch()`
 */
export class ErpSearchBar extends LitElement {
  static properties = {
    model: { attribute: false },
    /** The model's query: a new array after every change, so restoring a URL re-renders the facets. */
    query: { attribute: false },
    text: { state: true }, active: { state: true }, panel: { state: true },
    expanded: { state: true }, subItems: { state: true }, rangeFor: { state: true },
  };
  static styles = [sharedStyles, css`
    :host { display: block; position: relative; }
    .bar { display: flex; align-items: center; flex-wrap: wrap; gap: 4px; min-height: 34px; padding: 2px 4px; border: 1px solid var(--erp-border); border-radius: var(--erp-radius); background: #fff; }
    .bar:focus-within { border-color: var(--erp-primary); }
    .icon { color: var(--erp-muted); padding: 0 4px; }
    .facet { display: inline-flex; align-items: stretch; border-radius: 3px; background: var(--erp-hover); font-size: .85rem; max-width: 100%; }
    .facet .title { background: var(--erp-primary); color: #fff; padding: 2px 6px; border-radius: 3px 0 0 3px; white-space: nowrap; }
    .facet .values { padding: 2px 6px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .facet button { border: 0; background: none; padding: 0 6px; color: var(--erp-muted); }
    input.query { flex: 1; min-width: 100px; border: 0; min-height: 28px; padding: 2px 4px; }
    input.query:focus-visible { outline: none; }
    .toggle { border: 0; background: none; padding: 4px 8px; color: var(--erp-muted); }
    .suggestions { left: 0; right: 0; }
    .sub { padding-left: 32px; }
    .expand { border: 0; background: none; padding: 0 4px; color: var(--erp-muted); }
    .panel { left: auto; right: 0; display: grid; grid-template-columns: repeat(3, minmax(170px, 1fr)); gap: 8px; padding: 8px 0; width: min(720px, 92vw); }
    .panel .col + .col { border-left: 1px solid var(--erp-border); }
    .check { width: 16px; color: var(--erp-primary); }
    .range { display: grid; gap: 4px; padding: 4px 14px 8px 36px; }
    .custom { padding: 4px 14px; }
    @media (max-width: 575px) { .panel { grid-template-columns: 1fr; } .panel .col + .col { border-left: 0; border-top: 1px solid var(--erp-border); } }
  `];
  declare model: SearchModel;
  declare query: unknown;
  declare text: string;
  declare active: number;
  declare panel: boolean;
  declare expanded: Set<string>;
  declare subItems: Map<string, Array<[number, string]>>;
  declare rangeFor: string | null;
  private seq = 0;
  /** Closes the panel when the user clicks elsewhere. */
  private readonly clickOutside = new ClickOutsideController(this, () => (this.panel = false));

  constructor() {
    super();
    this.text = '';
    this.active = 0;
    this.panel = false;
    this.expanded = new Set();
    this.subItems = new Map();
    this.rangeFor = null;
  }

  private changed() {
    this.requestUpdate();
    this.dispatchEvent(new CustomEvent('search-changed', { bubbles: true, composed: true }));
  }

  private suggestions(): Suggestion[] {
    const text = this.text.trim();
    if (!text) return [];
    const out: Suggestion[] = [];
    for (const field of this.model.fields) {
      const f = field.field;
      if (f.type === 'selection') {
        for (const [value, label] of f.selection ?? []) {
          if (label.toLowerCase().includes(text.toLowerCase())) out.push({ label: _t('Search %s for: %s', field.description, label), field, value, facetLabel: label });
        }
        continue;
      }
      const value = parseFieldSearchValue(f, text);
      if (value === undefined) continue;
      const expandable = f.type === 'many2one';
      out.push({ label: _t('Search %s for: %s', field.description, text), field, value, facetLabel: text, expandable });
      if (expandable && this.expanded.has(field.name)) {
        for (const [id, name] of this.subItems.get(field.name) ?? []) out.push({ label: name, field, value: id, facetLabel: name, sub: true });
      }
    }
    return out;
  }

  private async expand(field: SearchFieldDef) {
    const expanded = new Set(this.expanded);
    if (expanded.has(field.name)) expanded.delete(field.name);
    else {
      expanded.add(field.name);
      const seq = ++this.seq;
      try {
        const found = await callKw<Array<[number, string]>>(field.field.relation!, 'name_search', [], { name: this.text.trim(), args: [], operator: 'ilike', limit: 8 });
        if (seq === this.seq) this.subItems = new Map(this.subItems).set(field.name, found);
      } catch (err) {
        notifyError(err);
      }
    }
    this.expanded = expanded;
  }

  private pick(s: Suggestion) {
    this.model.addField(s.field.name, s.value, s.facetLabel);
    [this.text, this.active, this.expanded] = ['', 0, new Set()];
    this.changed();
  }

  private onInput(e: Event) {
    this.text = (e.target as HTMLInputElement).value;
    this.active = 0;
    if (this.expanded.size) {
      this.subItems = new Map();
      for (const name of this.expanded) {
        const field = this.model.fields.find((f) => f.name === name);
        if (field) {
          this.expanded.delete(name);
          void this.expand(field);
        }
      }
    }
  }

  private onKey(e: KeyboardEvent, items: Suggestion[]) {
    if (e.key === 'Backspace' && !this.text && this.model.query.length) {
      this.model.removeLastFacet();
      this.changed();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (items.length) this.active = (this.active + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
    } else if (e.key === 'ArrowRight' && items[this.active]?.expandable) {
      e.preventDefault();
      void this.expand(items[this.active].field);
    } else if (e.key === 'Enter' && items[this.active]) {
      e.preventDefault();
      this.pick(items[this.active]);
    } else if (e.key === 'Escape') {
      [this.text, this.panel] = ['', false];
    }
  }

  private filterItem(f: SearchFilterDef) {
    const on = this.model.isActive(f.key);
    if (f.date) {
      return html`<button class="dropdown-item" aria-expanded=${String(this.rangeFor === f.key)} @click=${() => (this.rangeFor = this.rangeFor === f.key ? null : f.key)}>
          <span class="check" aria-hidden="true">${on ? '✓' : ''}</span>${f.description} ▾</button>
        ${this.rangeFor === f.key ? html`<form class="range" @submit=${(e: Event) => this.applyRange(e, f.key)}>
          <label>${_t('From')} <input type="date" name="from" required></label>
          <label>${_t('To')} <input type="date" name="to" required></label>
          <button class="btn btn-primary btn-sm">${_t('Apply')}</button></form>` : ''}`;
    }
    return html`<button class="dropdown-item" role="menuitemcheckbox" aria-checked=${String(on)}
      @click=${() => { this.model.toggleFilter(f.key); this.changed(); }}><span class="check" aria-hidden="true">${on ? '✓' : ''}</span>${f.description}</button>`;
  }

  private applyRange(e: Event, key: string) {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const [from, to] = [String(data.get('from')), String(data.get('to'))];
    this.model.setDateRange(key, from <= to ? from : to, from <= to ? to : from);
    this.rangeFor = null;
    this.changed();
  }

  private customGroupOptions(): Array<[string, string]> {
    return this.model.groupableFields().flatMap((f): Array<[string, string]> => (f.type === 'date' || f.type === 'datetime'
      ? (['day', 'week', 'month', 'year'] as const).map((i): [string, string] => [`${f.name}:${i}`, `${f.string} (${INTERVAL_LABELS[i]()})`])
      : [[f.name, f.string]]));
  }

  private renderPanel() {
    const groups = this.model.filterGroups();
    const groupBys = this.model.groupByFilters();
    const activeSpecs = this.model.query.flatMap((q) => (q.type === 'groupBy' && !q.key ? [q.spec] : []));
    return html`<div class="dropdown-menu panel" role="menu">
      <div class="col"><div class="dropdown-header">${_t('Filters')}</div>
        ${groups.length ? groups.map((g, i) => html`${i ? html`<div class="dropdown-divider"></div>` : ''}${g.map((f) => this.filterItem(f))}`) : html`<div class="custom muted">${_t('No filters')}</div>`}
      </div>
      <div class="col"><div class="dropdown-header">${_t('Group By')}</div>
        ${groupBys.map((f) => {
          const on = this.model.isActive(f.key);
          return html`<button class="dropdown-item" role="menuitemcheckbox" aria-checked=${String(on)}
            @click=${() => { this.model.toggleFilter(f.key); this.changed(); }}><span class="check" aria-hidden="true">${on ? '✓' : ''}</span>${f.description}</button>`;
        })}
        ${activeSpecs.map((spec) => html`<button class="dropdown-item" role="menuitemcheckbox" aria-checked="true"
          @click=${() => { this.model.toggleGroupBy(spec); this.changed(); }}><span class="check" aria-hidden="true">✓</span>${this.model.groupByLabel(spec)}</button>`)}
        <div class="custom"><select aria-label=${_t('Add Custom Group')} @change=${(e: Event) => {
          const select = e.target as HTMLSelectElement;
          if (select.value) this.model.toggleGroupBy(select.value);
          select.value = '';
          this.changed();
        }}><option value="">${_t('Add Custom Group')}</option>
          ${this.customGroupOptions().map(([spec, label]) => html`<option value=${spec}>${label}</option>`)}</select></div>
      </div>
      <erp-search-favorites class="col" .search=${this.model} @favorite-applied=${() => this.changed()}></erp-search-favorites>
    </div>`;
  }

  render() {
    if (!this.model) return html``;
    const items = this.suggestions();
    return html`<div class="bar">
        <span class="icon">${icon('search')}</span>
        ${this.model.facets().map((f) => html`<span class="facet">
          <span class="title">${f.type === 'field' ? f.title : f.type === 'groupBy' ? icon('layers') : f.type === 'favorite' ? html`<span aria-label=${_t('Favorite')}>★</span>` : icon('filter')}</span>
          <span class="values">${f.values.join(f.type === 'groupBy' ? ' > ' : ` ${_t('or')} `)}</span>
          <button aria-label=${_t('Remove')} @click=${() => { this.model.removeFacet(f.id); this.changed(); }}>×</button></span>`)}
        <input class="query" type="text" role="combobox" aria-expanded=${String(items.length > 0)} aria-label=${_t('Search')}
          placeholder=${_t('Search…')} .value=${this.text} @input=${this.onInput} @keydown=${(e: KeyboardEvent) => this.onKey(e, items)}>
        <button class="toggle" aria-label=${_t('Toggle Search Panel')} aria-expanded=${String(this.panel)} @click=${() => (this.panel = !this.panel)}>▾</button>
      </div>
      ${items.length ? html`<div class="dropdown-menu suggestions" role="listbox">${items.map((s, i) => html`
        <div class="dropdown-item ${s.sub ? 'sub' : ''} ${i === this.active ? 'active' : ''}" role="option" aria-selected=${String(i === this.active)}
          @mousedown=${(e: Event) => e.preventDefault()} @click=${() => this.pick(s)}>
          ${s.expandable ? html`<button class="expand" aria-label=${_t('Show records')}
            @click=${(e: Event) => { e.stopPropagation(); void this.expand(s.field); }}>${this.expanded.has(s.field.name) ? '▾' : '▸'}</button>` : ''}
          ${s.label}</div>`)}</div>` : ''}
      ${this.panel ? this.renderPanel() : ''}`;
  }
}
customElements.define('erp-search-bar', ErpSearchBar);
declare global {
  interface HTMLElementTagNameMap { 'erp-search-bar': ErpSearchBar }
}
