import { LitElement, html, css, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { sharedStyles } from './styles.ts';
import { formatValue, formatNumber, selectionLabel } from './format.ts';
import { decorations, evalBool, type Scope } from './modifiers.ts';
import { currentLanguage, _t } from './i18n.ts';
import type { ArchNode } from './arch.ts';
import type { InlineEditor } from './list-inline-edit.ts';
import type { Domain, FieldInfo, RecordValues } from './types.ts';
import './widgets/erp-field-priority.ts';
import './erp-pager.ts';

export interface ListColumn {
  name: string;
  field: FieldInfo;
  node: ArchNode;
  label: string;
  aggregate?: 'sum' | 'avg';
  /** Shown in the stacked rows of a phone-sized screen. */
  phone?: boolean;
}

export interface ListGroup {
  key: string;
  spec: string;
  value: unknown;
  label: string;
  count: number;
  domain: Domain;
  aggregates: Record<string, unknown>;
  level: number;
  open: boolean;
  records: RecordValues[] | null;
  subgroups: ListGroup[] | null;
  offset: number;
}

const NUMERIC = new Set(['integer', 'float']);
/** The `data-field` of the cell a click landed in, if any. */
function clickedField(e: Event): string | undefined {
  const td = e.composedPath().find((el): el is HTMLElement => el instanceof HTMLElement && el.tagName === 'TD');
  return td?.dataset.field;
}

/** Focuses the input of cell `field` of the editing row (the first editable cell without one). */
export async function focusEditingCell(renderer: Element | null | undefined, field?: string): Promise<void> {
  const row = renderer?.shadowRoot?.querySelector('tr.editing');
  const cells = [...(row?.querySelectorAll<HTMLElement>('td[data-field]') ?? [])].filter((td) => !td.classList.contains('readonly-cell'));
  const cell = cells.find((td) => td.dataset.field === field) ?? cells[0];
  const widget = cell?.firstElementChild as (HTMLElement & { updateComplete?: Promise<unknown> }) | null | undefined;
  await widget?.updateComplete;
  const input = widget?.shadowRoot?.querySelector<HTMLElement>('input, select, textarea, [contenteditable="true"]');
  input?.focus();
}

/** The record of the row "New" adds to an editable list (its values live in the editor). */
const NEW_ROW = { id: null } as unknown as RecordValues;
const TEXTUAL = new Set(['char', 'text', 'html']);

/**
 * The table of a list view: header (click to sort), rows (decoration classes, checkboxes),
 * collapsible groups with counts and aggregates, totals. Holds no data of its own.
 * @fires sort-column - `{name}`
 * @fires row-open - `{id, field}` of the clicked row (and cell)
 * @fires group-toggle - `{group}` opened or closed
 * @fires group-page - `{group, offset}` in a group with more rows than the limit
 * @fires selection-toggle - `{ids, selected}`
 */
export class ErpListRenderer extends LitElement {
  static properties = {
    columns: { attribute: false }, records: { attribute: false }, groups: { attribute: false },
    selection: { attribute: false }, order: {}, names: { attribute: false }, scopeFor: { attribute: false },
    selectable: { type: Boolean }, limit: { type: Number }, rowAttrs: { attribute: false }, editor: { attribute: false }, editPosition: {}, editVersion: { type: Number },
  };
  static styles = [sharedStyles, css`
    :host { display: block; overflow-x: auto; background: #fff; }
    table { width: 100%; border-collapse: collapse; font-size: .92rem; }
    th { position: sticky; top: 0; background: #fff; text-align: left; font-weight: 600; padding: 8px; border-bottom: 2px solid var(--erp-border); white-space: nowrap; user-select: none; }
    th.sortable { cursor: pointer; } th.sortable:hover { background: var(--erp-hover); }
    td { padding: 6px 8px; border-bottom: 1px solid var(--erp-border); vertical-align: middle; max-width: 12rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    td.text { max-width: 18rem; }
    .num { text-align: right; }
    .sel { width: 36px; text-align: center; }
    tr.record { cursor: pointer; } tr.record:hover { background: var(--erp-hover); }
    tr.record.selected { background: var(--erp-selected); }
    tr.group td { background: var(--erp-bg); font-weight: 600; cursor: pointer; }
    tr.group:hover td { background: var(--erp-hover); }
    .caret { display: inline-block; width: 1em; color: var(--erp-muted); }
    tfoot td { font-weight: 600; border-bottom: 0; }
    .tags { display: flex; gap: 3px; flex-wrap: nowrap; overflow: hidden; }
    .pagerow td { text-align: right; }
    .badge-success { background: #d1e7dd; color: #0f5132; } .badge-warning { background: #fff3cd; color: #664d03; }
    .badge-danger { background: #f8d7da; color: #842029; } .badge-info { background: #cff4fc; color: #055160; }
    .badge-muted { color: var(--erp-muted); }
    /* A phone shows each record as a short stacked row of its phone columns (see ListColumn.phone). */
    @media (max-width: 767px) {
      thead, tfoot { display: none; }
      table, tbody { display: block; }
      tr.record { display: flex; flex-wrap: wrap; align-items: center; gap: 2px 10px; padding: 8px 10px; border-bottom: 1px solid var(--erp-border); }
      tr.record td { display: none; border: 0; padding: 0; max-width: 100%; }
      tr.record td.sel, tr.record td.phone { display: block; }
      tr.record td.phone.text { order: 1; white-space: normal; font-weight: 600; }
      tr.record td.phone.text ~ td.phone.text { flex: 1 1 60%; }
      tr.record td.phone:not(.text) { order: 2; font-size: .85rem; color: var(--erp-muted); }
      tr.record td.sel { order: 0; width: auto; }
      tr.group { display: block; } tr.group td { display: block; }
      tr.record.editing td:not(.readonly-cell) { display: block; flex: 1 1 100%; }
      tr.record.editing td.sel { display: none; }
      /* No header on a phone: each input of the editing row says which column it is. */
      tr.record.editing td:not(.readonly-cell)::before { content: attr(data-label); display: block; text-align: left; font-size: .8rem; color: var(--erp-muted); }
    }
    /* The row being edited in place (editable lists): inputs fill their cells, dropdowns overflow them. */
    tr.record.editing { cursor: default; background: var(--erp-selected); box-shadow: inset 3px 0 0 var(--erp-primary); }
    tr.record.editing td { overflow: visible; padding: 3px 6px; }
    tr.record.editing td input:not([type="checkbox"]), tr.record.editing td select { width: 100%; min-width: 6rem; }
  `];
  declare columns: ListColumn[];
  declare records: RecordValues[];
  declare groups: ListGroup[] | null;
  declare selection: Set<number>;
  declare order: string;
  declare names: Map<string, Map<number, string>>;
  declare scopeFor: (record: RecordValues) => Scope;
  declare selectable: boolean;
  declare limit: number;
  /** Attributes of the `<list>` root: its `decoration-*` expressions colour the rows. */
  declare rowAttrs: Record<string, string>;
  /** The inline editor of an editable list (its row is rendered with widgets), or null. */
  declare editor: InlineEditor | null;
  /** Where "New" adds its row: 'top' or 'bottom'. */
  declare editPosition: string;

  constructor() {
    super();
    this.columns = [];
    this.records = [];
    this.groups = null;
    this.selection = new Set();
    this.order = '';
    this.names = new Map();
    this.selectable = true;
    this.limit = 80;
    this.rowAttrs = {};
    this.editor = null;
    this.editPosition = 'bottom';
  }

  private fire(name: string, detail: unknown) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  private cell(record: RecordValues, col: ListColumn, scope: Scope): TemplateResult | string {
    if (col.node.attrs.invisible && evalBool(col.node.attrs.invisible, scope)) return '';
    const value = record[col.name];
    const widget = col.node.attrs.widget;
    const f = col.field;
    if (f.type === 'boolean') return html`<input type="checkbox" disabled .checked=${!!value} aria-label=${col.label}>`;
    if (widget === 'priority') return html`<erp-field-priority readonly .field=${f} .value=${value}></erp-field-priority>`;
    if ((widget === 'badge' || widget === 'statusbar') && f.type === 'selection' && value) {
      const tone = decorations(col.node.attrs, scope)[0];
      return html`<span class="badge ${tone ? `badge-${tone}` : ''}">${selectionLabel(f, value)}</span>`;
    }
    if ((f.type === 'many2many' || widget === 'many2many_tags') && Array.isArray(value)) {
      const names = this.names.get(col.name);
      return html`<span class="tags">${(value as number[]).map((id) => html`<span class="badge">${names?.get(id) ?? id}</span>`)}</span>`;
    }
    return formatValue(value, f, { lang: currentLanguage(), records: (n) => _t('%s records', n) });
  }

  private row(record: RecordValues, level: number): TemplateResult {
    const editing = !!this.editor?.isEditing(record.id as number | null);
    const values = editing ? this.editor!.row!.values : record;
    const scope = this.scopeFor(values);
    const classes = decorations(this.rowAttrs, scope);
    const id = record.id as number | null;
    const selected = id !== null && this.selection.has(id);
    return html`<tr class="record ${selected ? 'selected' : ''} ${editing ? 'editing' : ''} ${classes.map((d) => `decoration-${d}`).join(' ')}" data-id=${id ?? 'new'}
        @click=${(e: Event) => !editing && this.fire('row-open', { id, field: clickedField(e) })} @keydown=${(e: KeyboardEvent) => editing && this.editor!.onKeydown(e)}>
      ${this.selectable ? html`<td class="sel" @click=${(e: Event) => e.stopPropagation()}>
        ${id === null ? '' : html`<input type="checkbox" aria-label=${_t('Select record')} .checked=${selected}
          @change=${(e: Event) => this.fire('selection-toggle', { ids: [id], selected: (e.target as HTMLInputElement).checked })}>`}</td>` : ''}
      ${this.columns.map((c, i) => {
        const input = editing ? this.editor!.cell(c, scope) : null;
        return html`<td class="${NUMERIC.has(c.field.type) ? 'num' : ''} ${TEXTUAL.has(c.field.type) && !c.node.attrs.widget ? 'text' : ''} ${c.phone ? 'phone' : ''} ${editing && !input ? 'readonly-cell' : ''}"
          data-field=${c.name} data-label=${c.label} style=${i === 0 && level ? `padding-left:${8 + level * 20}px` : ''} title=${!editing && typeof values[c.name] === 'string' ? String(values[c.name]) : ''}>${input ?? this.cell(values, c, scope)}</td>`;
      })}
    </tr>`;
  }

  private aggregate(col: ListColumn, value: unknown): string {
    return typeof value === 'number' ? formatNumber(value, currentLanguage(), col.field.type === 'integer' && col.aggregate !== 'avg' ? 0 : 2) : '';
  }

  private group(g: ListGroup): TemplateResult {
    const span = this.columns.length + (this.selectable ? 1 : 0);
    const firstAgg = this.columns.findIndex((c) => c.aggregate);
    const labelSpan = firstAgg < 0 ? span : firstAgg + (this.selectable ? 1 : 0);
    return html`<tr class="group" aria-expanded=${String(g.open)} @click=${() => this.fire('group-toggle', { group: g })}>
        <td colspan=${labelSpan} style="padding-left:${8 + g.level * 20}px"><span class="caret">${g.open ? '▾' : '▸'}</span>${g.label} (${g.count})</td>
        ${firstAgg < 0 ? '' : this.columns.slice(firstAgg).map((c) => html`<td class="num">${c.aggregate ? this.aggregate(c, g.aggregates[c.name]) : ''}</td>`)}
      </tr>
      ${g.open && g.subgroups ? g.subgroups.map((s) => this.group(s)) : ''}
      ${g.open && g.records ? repeat(g.records, (r) => r.id, (r) => this.row(r, g.level + 1)) : ''}
      ${g.open && g.records && g.count > this.limit ? html`<tr class="pagerow"><td colspan=${span}>
        <erp-pager .offset=${g.offset} .limit=${this.limit} .total=${g.count}
          @pager-change=${(e: CustomEvent<{ offset: number }>) => { e.stopPropagation(); this.fire('group-page', { group: g, offset: e.detail.offset }); }}></erp-pager></td></tr>` : ''}`;
  }

  private header(col: ListColumn): TemplateResult {
    const sortable = col.field.sortable !== false && col.field.store !== false;
    const [orderName, dir] = this.order.split(/\s+/);
    const sorted = orderName === col.name ? (dir?.toLowerCase() === 'desc' ? 'descending' : 'ascending') : 'none';
    return html`<th class="${sortable ? 'sortable' : ''} ${NUMERIC.has(col.field.type) ? 'num' : ''}" aria-sort=${sorted}
      @click=${() => sortable && this.fire('sort-column', { name: col.name })}>${col.label}
      ${sorted === 'none' ? '' : sorted === 'ascending' ? '▴' : '▾'}</th>`;
  }

  render() {
    const visibleIds = this.groups ? this.groups.flatMap(function ids(g): number[] {
      return [...(g.open && g.records ? g.records.map((r) => r.id as number) : []), ...(g.open && g.subgroups ? g.subgroups.flatMap(ids) : [])];
    }) : this.records.map((r) => r.id as number);
    const allSelected = visibleIds.length > 0 && visibleIds.every((id) => this.selection.has(id));
    const hasTotals = !this.groups && this.columns.some((c) => c.aggregate);
    return html`<table>
      <thead><tr>
        ${this.selectable ? html`<th class="sel"><input type="checkbox" aria-label=${_t('Select all')} .checked=${allSelected}
          @change=${(e: Event) => this.fire('selection-toggle', { ids: visibleIds, selected: (e.target as HTMLInputElement).checked })}></th>` : ''}
        ${this.columns.map((c) => this.header(c))}
      </tr></thead>
      <tbody>${this.editor?.isEditing(null) && this.editPosition === 'top' ? this.row(NEW_ROW, 0) : ''}
        ${this.groups ? this.groups.map((g) => this.group(g)) : repeat(this.records, (r) => r.id, (r) => this.row(r, 0))}
        ${this.editor?.isEditing(null) && this.editPosition !== 'top' ? this.row(NEW_ROW, 0) : ''}</tbody>
      ${hasTotals ? html`<tfoot><tr>${this.selectable ? html`<td></td>` : ''}${this.columns.map((c) => html`<td class="num">${c.aggregate
        ? this.aggregate(c, c.aggregate === 'sum'
          ? this.records.reduce((a, r) => a + (Number(r[c.name]) || 0), 0)
          : this.records.reduce((a, r) => a + (Number(r[c.name]) || 0), 0) / (this.records.length || 1))
        : ''}</td>`)}</tr></tfoot>` : ''}
    </table>`;
  }
}
customElements.define('erp-list-renderer', ErpListRenderer);
declare global {
  interface HTMLElementTagNameMap { 'erp-list-renderer': ErpListRenderer }
}
