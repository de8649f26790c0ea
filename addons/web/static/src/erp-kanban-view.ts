import { html, css, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { ViewBase } from './view-base.ts';
import { fieldNodes, fieldsToRead, findFirst, boolAttr, type ArchNode } from './arch.ts';
import { andDomains } from '../../../../core/orm/domain/index.ts';
import { groupCount, groupField, groupKey, groupLabel, groupValue } from './groups.ts';
import { selectionLabel } from './format.ts';
import { callKw, canDo } from './rpc.ts';
import { loadX2manyNames, type ColorCache, type NameCache } from './names.ts';
import { cardField } from './kanban-card-field.ts';
import { baseScope, evalOptions, recordScope } from './modifiers.ts';
import { notify, notifyError } from './erp-notifications.ts';
import { openAction } from './actions.ts';
import { dropMethod, parseDropActions, type DropActions } from './kanban-drop.ts';
import { currentLanguage, _t } from './i18n.ts';
import type { Domain, ReadGroupRow, RecordValues } from './types.ts';

interface Column {
  key: string;
  value: unknown;
  label: string;
  count: number;
  domain: Domain;
  records: RecordValues[];
}

const PAGE = 40;
/** Field types a card can be dragged across (the group value can be written back). */
const DRAGGABLE = new Set(['selection', 'many2one', 'boolean', 'char', 'integer']);

/**
 * The kanban view: cards showing the `<field>`s of the `card` (or `kanban-box`) template, in
 * columns by the search's first group-by or `default_group_by` (read_group; all values of a
 * selection field get a column). Dragging a card to another column writes the new value; if
 * the server refuses, the card goes back and the error shows. With `on_drop` (see
 * kanban-drop.ts) the drop runs the target column's action instead. Without grouping: a card grid.
 * @fires open-record - `{resId, resIds}`
 */
export class ErpKanbanView extends ViewBase {
  static properties = {
    ...ViewBase.properties,
    columns: { state: true }, records: { state: true }, total: { state: true }, offset: { state: true },
    canCreate: { state: true }, canWrite: { state: true }, dragOver: { state: true }, names: { state: true },
  };
  static styles = [...ViewBase.styles, css`
    :host { display: flex; flex-direction: column; flex: 1; min-height: 0; }
    .board { flex: 1; display: flex; gap: 12px; overflow-x: auto; padding: 12px 16px; background: var(--erp-bg); align-items: flex-start; }
    .column { flex: 0 0 280px; max-width: 85vw; display: flex; flex-direction: column; gap: 8px; border-radius: 6px; padding: 6px; min-height: 120px; }
    .column.over { background: var(--erp-selected); outline: 2px dashed var(--erp-primary); }
    .column h3 { display: flex; justify-content: space-between; margin: 0; padding: 4px 6px; font-size: 1rem; }
    .grid { flex: 1; display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 10px; padding: 12px 16px; background: var(--erp-bg); align-content: start; overflow: auto; }
    .card { background: #fff; border: 1px solid var(--erp-border); border-radius: var(--erp-radius); padding: 10px 12px; cursor: pointer; box-shadow: 0 1px 2px rgba(0,0,0,.05); display: grid; gap: 4px; }
    .card:hover { border-color: var(--erp-primary); }
    .card[draggable='true'] { cursor: grab; }
    .card .title { font-weight: 600; overflow-wrap: anywhere; }
    .line { font-size: .9rem; overflow-wrap: anywhere; }
    .tags { display: flex; flex-wrap: wrap; gap: 3px; }
    .tags .badge { font-size: .75rem; }
    .stars { color: var(--erp-star); letter-spacing: 1px; } .stars .off { color: var(--erp-muted); }
    .avatar-line { display: inline-flex; align-items: center; gap: 6px; }
    .avatar { display: inline-flex; align-items: center; justify-content: center; width: 22px; height: 22px; border-radius: 50%; background: var(--erp-primary); color: #fff; font-size: .7rem; font-weight: 600; }
    .badge-success { background: #d1e7dd; color: #0f5132; } .badge-warning { background: #fff3cd; color: #664d03; }
    .badge-danger { background: #f8d7da; color: #842029; } .badge-info { background: #cff4fc; color: #055160; }
    .move { display: none; margin-top: 4px; }
    @media (pointer: coarse) { .move { display: block; } }
    @media (max-width: 767px) {
      .board { scroll-snap-type: x mandatory; padding: 8px; gap: 8px; }
      .column { flex-basis: 86vw; scroll-snap-align: start; }
      .grid { padding: 8px; grid-template-columns: 1fr; }
    }
    .more { align-self: center; }
    .empty { color: var(--erp-muted); text-align: center; padding: 40px; grid-column: 1 / -1; max-width: 560px; margin: 0 auto; }
    .empty p:first-child { font-size: 1.1rem; font-weight: 600; color: var(--erp-text); }
  `];
  readonly viewType = 'kanban' as const;
  declare columns: Column[] | null;
  declare records: RecordValues[];
  declare total: number;
  declare offset: number;
  declare canCreate: boolean;
  declare canWrite: boolean;
  declare dragOver: string | null;
  declare names: NameCache;
  private dragged: { id: number; from: string } | null = null;
  /** Colour indexes of the tags shown on cards (filled with their names). */
  private colors: ColorCache = new Map();
  private seq = 0;

  constructor() {
    super();
    this.columns = null;
    this.records = [];
    this.total = 0;
    this.offset = 0;
    this.canCreate = false;
    this.canWrite = false;
    this.dragOver = null;
    this.names = new Map();
  }

  private get template(): ArchNode {
    return findFirst(this.arch, (n) => n.tag === 't' && (n.attrs['t-name'] === 'card' || n.attrs['t-name'] === 'kanban-box')) ?? this.arch;
  }

  private get groupSpec(): string | undefined {
    return this.groupBy[0] ?? this.arch.attrs.default_group_by;
  }

  willUpdate(changed: PropertyValues<this>) {
    if (changed.has('arch') || changed.has('model')) {
      void Promise.all([canDo(this.model, 'create'), canDo(this.model, 'write')]).then(([c, w]) => {
        this.canCreate = c && boolAttr(this.arch.attrs.create, true);
        this.canWrite = w && boolAttr(this.arch.attrs.records_draggable, true);
      });
    }
    if (this.needsReload(changed)) {
      this.offset = 0;
      void this.load();
    }
  }

  private search(domain: Domain, offset: number, limit = PAGE): Promise<RecordValues[]> {
    return callKw<RecordValues[]>(this.model, 'search_read', [], {
      domain, fields: fieldsToRead(this.arch, this.fields), offset, limit, order: this.arch.attrs.default_order || undefined, context: this.context,
    });
  }

  async load() {
    const seq = ++this.seq;
    this.loadFailed = false;
    const spec = this.groupSpec;
    try {
      if (!spec || !this.fields[groupField(spec)]) {
        const [records, total] = await Promise.all([this.search(this.domain, this.offset), callKw<number>(this.model, 'search_count', [this.domain], { context: this.context })]);
        // Tag names first: the cards render once, without shifting under the pointer.
        await this.loadNames(records);
        if (seq === this.seq) [this.columns, this.records, this.total] = [null, records, total];
        return;
      }
      const rows = await callKw<ReadGroupRow[]>(this.model, 'read_group', [this.domain, ['__count'], [spec]], { lazy: true, context: this.context });
      const columns: Column[] = rows.map((row) => {
        const value = groupValue(row, spec);
        return { key: groupKey(value), value, label: groupLabel(value, spec, this.fields), count: groupCount(row, spec), domain: row.__domain, records: [] };
      });
      const field = this.fields[groupField(spec)];
      if (field.type === 'selection') {
        for (const [value] of field.selection ?? []) {
          if (!columns.some((c) => c.value === value)) {
            columns.push({ key: groupKey(value), value, label: selectionLabel(field, value), count: 0, domain: andDomains(this.domain, [[field.name, '=', value]]) as Domain, records: [] });
          }
        }
        const order = (field.selection ?? []).map(([v]) => groupKey(v));
        columns.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
      }
      await Promise.all(columns.map(async (c) => (c.records = c.count ? await this.search(c.domain, 0) : [])));
      await this.loadNames(columns.flatMap((c) => c.records));
      if (seq === this.seq) this.columns = columns;
    } catch (err) {
      this.loadFailed = true;
      notifyError(err);
    }
  }

  private async loadNames(records: RecordValues[]) {
    const nodes = fieldNodes(this.template).filter((n) => ['many2many', 'one2many'].includes(this.fields[n.attrs.name]?.type));
    const colorFields = Object.fromEntries(nodes.map((n) => [n.attrs.name, evalOptions(n.attrs.options).color_field]).filter(([, c]) => typeof c === 'string'));
    if (nodes.length) this.names = await loadX2manyNames(records, nodes.map((n) => this.fields[n.attrs.name]), this.names, this.context, { fields: colorFields, cache: this.colors });
  }

  private async loadMore(column: Column) {
    try {
      column.records = [...column.records, ...(await this.search(column.domain, column.records.length))];
      await this.loadNames(column.records);
      this.columns = [...this.columns!];
    } catch (err) {
      notifyError(err);
    }
  }

  /** `on_drop` of the arch: the column's action replaces writing the group value. */
  private get dropActions(): DropActions | null {
    return parseDropActions(this.arch.attrs.on_drop);
  }

  private get canDrag(): boolean {
    const spec = this.groupSpec;
    if (!spec || !this.canWrite || spec.includes(':')) return false;
    if (this.dropActions) return groupField(spec) === this.arch.attrs.default_group_by;
    return DRAGGABLE.has(this.fields[groupField(spec)]?.type) && this.fields[groupField(spec)]?.readonly !== true;
  }

  /**
   * A drop on a view with `on_drop`: runs the action of the target column for the card's
   * current column (a returned wizard opens, and the board reloads when it closes); where no
   * action leads, says so and leaves the card where it was.
   */
  private async runDropAction(actions: DropActions, card: RecordValues, from: Column, to: Column) {
    const method = dropMethod(actions, from.value, to.value);
    if (!method) {
      const name = String(card.display_name ?? card[fieldNodes(this.template)[0]?.attrs.name ?? 'id'] ?? card.id);
      notify(_t('%s cannot be moved to "%s": no action leads there from "%s".', name, to.label, from.label), { type: 'warning', title: _t('Not moved'), key: 'kanban-drop' });
      return;
    }
    const id = card.id as number;
    const active = { active_id: id, active_ids: [id], active_model: this.model };
    try {
      const result = await callKw(this.model, method, [[id]], { context: { ...this.context, ...active } });
      const action = result && typeof result === 'object' && 'type' in result ? (result as { type: string }) : null;
      if (action && action.type !== 'ir.actions.act_window_close') openAction(this, action as never, () => this.load(), active);
    } catch (err) {
      notifyError(err);
    }
    await this.load();
  }

  /** Moves a card (optimistically), writes the new group value, and moves it back on refusal. */
  private async move(id: number, fromKey: string, toKey: string) {
    if (fromKey === toKey || !this.columns) return;
    const from = this.columns.find((c) => c.key === fromKey);
    const to = this.columns.find((c) => c.key === toKey);
    const card = from?.records.find((r) => r.id === id);
    if (!from || !to || !card) return;
    const actions = this.dropActions;
    if (actions) return this.runDropAction(actions, card, from, to);
    const name = groupField(this.groupSpec!);
    const snapshot = this.columns.map((c) => ({ ...c, records: [...c.records] }));
    const moved = { ...card, [name]: to.value };
    from.records = from.records.filter((r) => r.id !== id);
    to.records = [moved, ...to.records];
    [from.count, to.count] = [from.count - 1, to.count + 1];
    this.columns = [...this.columns];
    const value = Array.isArray(to.value) ? to.value[0] : to.value ?? false;
    try {
      await callKw(this.model, 'write', [[id], { [name]: value }], { context: this.context });
      const [fresh] = await this.search([['id', '=', id]], 0, 1);
      if (fresh) to.records = to.records.map((r) => (r.id === id ? fresh : r));
      this.columns = [...this.columns];
    } catch (err) {
      this.columns = snapshot;
      notifyError(err);
    }
  }

  private cardField(node: ArchNode, record: RecordValues): TemplateResult | string {
    const field = this.fields[node.attrs.name];
    if (!field || node.attrs.invisible === '1') return '';
    return cardField(node, field, record, { names: this.names, colors: this.colors, scope: recordScope(record, this.fields, baseScope(this.context)) });
  }

  private card(record: RecordValues, ids: number[], column?: Column): TemplateResult {
    const [first, ...rest] = fieldNodes(this.template);
    const drag = this.canDrag && !!column;
    return html`<div class="card" role="button" tabindex="0" draggable=${drag ? 'true' : 'false'} data-id=${record.id as number}
      @click=${() => this.openRecord(record.id as number, ids)}
      @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.openRecord(record.id as number, ids)}
      @dragstart=${(e: DragEvent) => {
        // Dragging selected text also starts here (the event bubbles from the text): only the card itself moves.
        if (!drag || e.target !== e.currentTarget) return;
        this.dragged = { id: record.id as number, from: column!.key };
        e.dataTransfer?.setData('text/plain', String(record.id));
      }}
      @dragend=${() => { this.dragged = null; this.dragOver = null; }}>
      ${first ? html`<div class="title">${this.cardField(first, record)}</div>` : ''}
      ${rest.map((n) => html`<div class="line">${this.cardField(n, record)}</div>`)}
      ${drag ? html`<select class="move" aria-label=${_t('Move to')} @click=${(e: Event) => e.stopPropagation()}
        @change=${(e: Event) => this.move(record.id as number, column!.key, (e.target as HTMLSelectElement).value)}>
        ${this.columns!.map((c) => html`<option value=${c.key} .selected=${c.key === column!.key}>${c.label}</option>`)}</select>` : ''}
    </div>`;
  }

  private column(c: Column, ids: number[]): TemplateResult {
    return html`<section class="column ${this.dragOver === c.key ? 'over' : ''}" aria-label=${c.label} data-key=${c.key}
      @dragover=${(e: DragEvent) => { if (this.dragged) { e.preventDefault(); this.dragOver = c.key; } }}
      @dragleave=${(e: DragEvent) => { if (!(e.currentTarget as Element).contains(e.relatedTarget as Node)) this.dragOver = null; }}
      @drop=${(e: DragEvent) => {
        e.preventDefault();
        const d = this.dragged;
        [this.dragged, this.dragOver] = [null, null];
        if (d) void this.move(d.id, d.from, c.key);
      }}>
      <h3><span>${c.label}</span><span class="muted">${c.count}</span></h3>
      ${repeat(c.records, (r) => r.id, (r) => this.card(r, ids, c))}
      ${c.records.length < c.count ? html`<button class="btn btn-link more" @click=${() => this.loadMore(c)}>${_t('Load more… (%s remaining)', c.count - c.records.length)}</button>` : ''}
    </section>`;
  }

  render() {
    const ids = this.columns ? this.columns.flatMap((c) => c.records.map((r) => r.id as number)) : this.records.map((r) => r.id as number);
    return html`
      ${this.controlPanel({
        buttons: this.canCreate ? html`<button class="btn btn-primary" @click=${() => this.openRecord(null)}>${_t('New')}</button>` : '',
        pager: this.columns ? '' : html`<erp-pager .offset=${this.offset} .limit=${PAGE} .total=${this.total}
          @pager-change=${(e: CustomEvent<{ offset: number }>) => { this.offset = e.detail.offset; void this.load(); }}></erp-pager>`,
      })}
      ${this.columns
        ? html`${ids.length || !this.actionHelp ? '' : this.emptyHelp()}<div class="board">${this.columns.map((c) => this.column(c, ids))}</div>`
        : html`<div class="grid">${repeat(this.records, (r) => r.id, (r) => this.card(r, ids))}
            ${this.records.length ? '' : this.emptyHelp()}</div>`}`;
  }

  /** Nothing to show: the action's help (what this list is for, how to fill it), as in Odoo. */
  private emptyHelp() {
    return html`<div class="empty">${this.actionHelp ? unsafeHTML(this.actionHelp) : html`<p>${_t('No records found')}</p>`}</div>`;
  }
}
customElements.define('erp-kanban-view', ErpKanbanView);
declare global {
  interface HTMLElementTagNameMap { 'erp-kanban-view': ErpKanbanView }
}
