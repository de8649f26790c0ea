import { html, css, type PropertyValues } from 'lit';
import { icon } from './icons.ts';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { ViewBase } from './view-base.ts';
import { fieldNodes, fieldsToRead, boolAttr } from './arch.ts';
import { baseScope, evalBool, recordScope } from './modifiers.ts';
import { groupCount, groupKey, groupLabel, groupValue, readGroupFields } from './groups.ts';
import { recordsToCsv } from './csv.ts';
import { loadX2manyNames } from './names.ts';
import { callKw, canDo } from './rpc.ts';
import { notify, notifyError } from './erp-notifications.ts';
import { confirmDialog } from './erp-dialog.ts';
import { runSelectionButton, selectionButtons } from './selection-actions.ts';
import { InlineEditor } from './list-inline-edit.ts';
import { currentLanguage, _t } from './i18n.ts';
import { focusEditingCell, type ListColumn, type ListGroup } from './erp-list-renderer.ts';
import type { Domain, ReadGroupRow, RecordValues } from './types.ts';
import './erp-list-renderer.ts';

/**
 * The list view: columns from the arch (`optional`, `column_invisible`, `widget`,
 * `sum`/`avg` totals, `decoration-*` rows), sorting, the pager (80 by default), grouping from
 * the search (read_group with counts, groups opened on demand with their `__domain`),
 * multi-selection with delete, CSV export and the arch's `<header>` buttons
 * (selection-actions.ts), "New", and row click to open the form — or, when the arch says
 * `editable="top|bottom"` and the user may write, to edit the row in place (list-inline-edit.ts).
 * @fires open-record - `{resId, resIds}` (resId null for "New")
 */
export class ErpListView extends ViewBase {
  static properties = {
    ...ViewBase.properties,
    records: { state: true }, total: { state: true }, offset: { state: true }, groups: { state: true },
    selection: { state: true }, order: { state: true }, names: { state: true }, loading: { state: true },
    canCreate: { state: true }, canDelete: { state: true }, canWrite: { state: true }, shownOptional: { state: true }, columnsMenu: { state: true },
  };
  static styles = [...ViewBase.styles, css`
    :host { display: flex; flex-direction: column; min-height: 0; flex: 1; }
    .content { flex: 1; overflow: auto; }
    .help { max-width: 560px; margin: 60px auto; text-align: center; color: var(--erp-muted); padding: 0 16px; }
    .help p:first-child { font-size: 1.1rem; font-weight: 600; color: var(--erp-text); }
    .selinfo { font-size: .9rem; color: var(--erp-muted); }
    .loading { opacity: .6; }
  `];
  readonly viewType = 'list' as const;
  declare records: RecordValues[];
  declare total: number;
  declare offset: number;
  declare groups: ListGroup[] | null;
  declare selection: Set<number>;
  declare order: string;
  declare names: Map<string, Map<number, string>>;
  declare loading: boolean;
  declare canCreate: boolean;
  declare canDelete: boolean;
  declare canWrite: boolean;
  declare shownOptional: Set<string>;
  declare columnsMenu: boolean;
  private seq = 0;
  /** Edits rows in place when the arch is `editable` (see `inlineEditable`). */
  readonly editor = new InlineEditor(this);

  constructor() {
    super();
    this.records = [];
    this.total = 0;
    this.offset = 0;
    this.groups = null;
    this.selection = new Set();
    this.order = '';
    this.names = new Map();
    this.loading = false;
    this.canCreate = false;
    this.canDelete = false;
    this.canWrite = false;
    this.shownOptional = new Set();
    this.columnsMenu = false;
  }

  private get pageLimit(): number {
    return Number(this.arch.attrs.limit) || this.limit || 80;
  }

  private get optionalKey(): string {
    return `erp.optional.${this.model}`;
  }

  willUpdate(changed: PropertyValues<this>) {
    if (changed.has('arch') || changed.has('model')) {
      this.order = this.arch.attrs.default_order ?? '';
      const saved = JSON.parse(localStorage.getItem(this.optionalKey) ?? 'null') as string[] | null;
      this.shownOptional = new Set(saved ?? fieldNodes(this.arch).filter((n) => n.attrs.optional === 'show').map((n) => n.attrs.name));
      void Promise.all([canDo(this.model, 'create'), canDo(this.model, 'unlink'), canDo(this.model, 'write')]).then(([c, d, w]) => {
        this.canCreate = c && boolAttr(this.arch.attrs.create, true);
        this.canDelete = d && boolAttr(this.arch.attrs.delete, true);
        this.canWrite = w && boolAttr(this.arch.attrs.edit, true);
      });
    }
    if (this.needsReload(changed)) {
      // Another search: a row being edited is saved (it reloads the list again once saved).
      void this.editor.save({ leaving: true });
      // A favorite brings its own order; the order in use is what a new favorite saves.
      const sort = this.searchModel?.favoriteSort();
      if (sort) this.order = sort;
      if (this.searchModel) this.searchModel.order = this.order;
      this.offset = 0;
      this.selection = new Set();
      void this.load();
    }
  }

  /** Columns shown: arch fields minus invisible ones and hidden optional ones. */
  private get columns(): ListColumn[] {
    const ctxScope = { ...baseScope(this.context) };
    // `<list phone_columns="number,subject,state">`: what a phone shows of each row (default: the first four).
    const phone = this.arch.attrs.phone_columns?.split(',').map((n) => n.trim());
    return fieldNodes(this.arch)
      .filter((n) => this.fields[n.attrs.name])
      .filter((n) => !evalBool(n.attrs.column_invisible, ctxScope) && !['1', 'True', 'true'].includes(n.attrs.invisible ?? ''))
      .filter((n) => !n.attrs.optional || this.shownOptional.has(n.attrs.name))
      .map((n): ListColumn => ({
        name: n.attrs.name, node: n, field: this.fields[n.attrs.name],
        label: n.attrs.string || this.fields[n.attrs.name].string,
        aggregate: n.attrs.sum !== undefined ? 'sum' : n.attrs.avg !== undefined ? 'avg' : undefined,
      }))
      .map((c, i) => ({ ...c, phone: phone ? phone.includes(c.name) : i < 4 }));
  }

  /** `editable="top|bottom"` in the arch and the right to write: rows are edited in place. */
  private get inlineEditable(): boolean {
    return ['top', 'bottom'].includes(this.arch.attrs.editable ?? '') && this.canWrite;
  }

  // InlineEditHost
  editColumns(): ListColumn[] {
    return this.columns;
  }
  rowScope(values: RecordValues) {
    return recordScope(values, this.fields, baseScope(this.context));
  }
  async saved(): Promise<void> {
    await this.load();
  }

  async beforeLeave(): Promise<boolean> {
    return this.editor.save({ leaving: true });
  }

  private async rowClicked(id: number, ids: number[], field?: string) {
    if (!this.inlineEditable) return this.openRecord(id, ids);
    const record = this.loadedRecords().find((r) => r.id === id);
    if (record && (await this.editor.start(record))) await this.focusCell(field);
  }

  private async create() {
    if (!this.inlineEditable || this.groups) return this.openRecord(null);
    if (await this.editor.startNew()) await this.focusCell();
  }

  /** Puts the cursor in the editing row's cell `field` (or its first editable one). */
  private async focusCell(field?: string) {
    await this.updateComplete;
    const renderer = this.renderRoot.querySelector('erp-list-renderer');
    await renderer?.updateComplete;
    await focusEditingCell(renderer, field);
  }

  private get readFields(): string[] {
    return fieldsToRead(this.arch, this.fields);
  }

  async load() {
    const seq = ++this.seq;
    this.loadFailed = false;
    this.loading = true;
    try {
      if (this.groupBy.length) {
        const groups = await this.loadGroups(this.domain, 0);
        if (seq !== this.seq) return;
        [this.groups, this.records, this.total] = [groups, [], groups.reduce((a, g) => a + g.count, 0)];
      } else {
        // The count runs beside the page (one round trip less); it is used only for a full page.
        const reading = this.searchRead(this.domain, this.offset);
        const counting = callKw<number>(this.model, 'search_count', [this.domain], { context: this.context });
        counting.catch(() => undefined);
        const records = await reading;
        const total = records.length < this.pageLimit && this.offset === 0 ? records.length : await counting;
        const names = await this.namesFor(records);
        if (seq !== this.seq) return;
        // One render with everything: rows, pager and tag names.
        [this.groups, this.records, this.total, this.names, this.loading] = [null, records, total, names, false];
        return;
      }
      await this.loadNames();
    } catch (err) {
      this.loadFailed = true;
      notifyError(err);
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }

  private searchRead(domain: Domain, offset: number): Promise<RecordValues[]> {
    return callKw<RecordValues[]>(this.model, 'search_read', [], {
      domain, fields: this.readFields, offset, limit: this.pageLimit, order: this.order || undefined, context: this.context,
    });
  }

  private async loadGroups(domain: Domain, level: number): Promise<ListGroup[]> {
    const spec = this.groupBy[level];
    const measures = this.columns.filter((c) => c.aggregate).map((c) => ({ name: c.name, aggregator: c.aggregate! }));
    const rows = await callKw<ReadGroupRow[]>(this.model, 'read_group', [domain, readGroupFields(measures), [spec]], { lazy: true, context: this.context });
    return rows.map((row) => {
      const value = groupValue(row, spec);
      return {
        key: `${level}:${groupKey(value)}`, spec, value, label: groupLabel(value, spec, this.fields), count: groupCount(row, spec),
        domain: row.__domain, aggregates: row, level, open: false, records: null, subgroups: null, offset: 0,
      };
    });
  }

  private async toggleGroup(group: ListGroup, offset = group.offset) {
    try {
      if (group.open && offset === group.offset) {
        group.open = false;
      } else if (group.level + 1 < this.groupBy.length) {
        group.subgroups = await this.loadGroups(group.domain, group.level + 1);
        group.open = true;
      } else {
        group.records = await this.searchRead(group.domain, offset);
        [group.offset, group.open] = [offset, true];
        await this.loadNames();
      }
      this.groups = [...(this.groups ?? [])];
    } catch (err) {
      notifyError(err);
    }
  }

  /** All loaded records (ungrouped page, or the rows of opened groups). */
  private loadedRecords(): RecordValues[] {
    const fromGroups = (gs: ListGroup[]): RecordValues[] => gs.flatMap((g) => [...(g.records ?? []), ...fromGroups(g.subgroups ?? [])]);
    return this.groups ? fromGroups(this.groups) : this.records;
  }

  /** Display names of the many2many tags of `records` shown in the columns (known ones are kept). */
  private namesFor(records: RecordValues[]): Promise<Map<string, Map<number, string>>> {
    const tagFields = this.columns.filter((c) => c.field.relation && (c.field.type === 'many2many' || c.node.attrs.widget === 'many2many_tags')).map((c) => c.field);
    return tagFields.length ? loadX2manyNames(records, tagFields, this.names, this.context) : Promise.resolve(this.names);
  }

  private async loadNames() {
    this.names = await this.namesFor(this.loadedRecords());
  }

  private sort(name: string) {
    const [current, dir] = this.order.split(/\s+/);
    this.order = current === name && dir?.toLowerCase() !== 'desc' ? `${name} desc` : `${name} asc`;
    if (this.searchModel) this.searchModel.order = this.order;
    void this.load();
  }

  /** Another page (a row being edited is saved first; it stays if it cannot be). */
  private async turnPage(offset: number) {
    if (!(await this.editor.save({ leaving: true }))) return;
    [this.offset, this.selection] = [offset, new Set()];
    void this.load();
  }

  private toggleSelection(ids: number[], selected: boolean) {
    const next = new Set(this.selection);
    for (const id of ids) selected ? next.add(id) : next.delete(id);
    this.selection = next;
  }

  private async deleteSelected() {
    const ids = [...this.selection];
    if (!(await confirmDialog(_t('Are you sure you want to delete %s record(s)?', ids.length), { danger: true, confirmLabel: _t('Delete') }))) return;
    try {
      await callKw(this.model, 'unlink', [ids], { context: this.context });
      notify(_t('%s record(s) deleted', ids.length), { type: 'success' });
      this.selection = new Set();
      await this.load();
    } catch (err) {
      notifyError(err);
    }
  }

  private exportSelected() {
    const records = this.loadedRecords().filter((r) => this.selection.has(r.id as number));
    const csv = recordsToCsv(this.columns.map((c) => ({ field: c.field, label: c.label })), records, (f) => ({
      names: this.names.get(f.name), lang: currentLanguage(), yes: _t('Yes'), no: _t('No'), records: (n) => _t('%s records', n),
    }));
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob(['\ufeff', csv], { type: 'text/csv;charset=utf-8' }));
    a.download = `${(this.actionName || this.model).replace(/[\\/:*?"<>|]+/g, '_')}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  private toggleOptional(name: string) {
    const next = new Set(this.shownOptional);
    next.has(name) ? next.delete(name) : next.add(name);
    this.shownOptional = next;
    localStorage.setItem(this.optionalKey, JSON.stringify([...next]));
    void this.load();
  }

  private renderButtons() {
    const n = this.selection.size;
    if (this.editor.row) {
      // These clicks are not "clicking elsewhere" for the editor's document listener.
      return html`<button class="btn btn-primary" @click=${(e: Event) => { e.stopPropagation(); void this.editor.save(); }}>${_t('Save')}</button>
        <button class="btn" @click=${(e: Event) => { e.stopPropagation(); this.editor.discard(); }}>${_t('Discard')}</button>`;
    }
    if (!n) return this.canCreate ? html`<button class="btn btn-primary" @click=${this.create}>${_t('New')}</button>` : '';
    const ids = [...this.selection];
    return html`<span class="selinfo">${_t('%s selected', n)}</span>
      ${selectionButtons(this.arch).map((b) => html`<button class="btn ${/\b(btn-primary|oe_highlight)\b/.test(b.attrs.class ?? '') ? 'btn-primary' : ''}"
        name=${b.attrs.name} title=${b.attrs.help ?? ''}
        @click=${() => runSelectionButton(this, this.model, b.attrs, ids, this.context, () => { this.selection = new Set(); void this.load(); })}>${b.attrs.string ?? b.attrs.name}</button>`)}
      <button class="btn" @click=${this.exportSelected}>${_t('Export')}</button>
      ${this.canDelete ? html`<button class="btn btn-danger" @click=${this.deleteSelected}>${_t('Delete')}</button>` : ''}
      <button class="btn btn-link" @click=${() => (this.selection = new Set())}>${_t('Unselect all')}</button>`;
  }

  private renderColumnsMenu() {
    const optional = fieldNodes(this.arch).filter((n) => n.attrs.optional && this.fields[n.attrs.name]);
    if (!optional.length) return '';
    return html`<div class="dropdown">
      <button class="btn btn-icon" aria-label=${_t('Optional columns')} aria-expanded=${String(this.columnsMenu)} @click=${() => (this.columnsMenu = !this.columnsMenu)}>${icon('gear')}</button>
      ${this.columnsMenu ? html`<div class="dropdown-menu">${optional.map((n) => html`<label class="dropdown-item">
        <input type="checkbox" .checked=${this.shownOptional.has(n.attrs.name)} @change=${() => this.toggleOptional(n.attrs.name)}>
        ${n.attrs.string || this.fields[n.attrs.name].string}</label>`)}</div>` : ''}
    </div>`;
  }

  render() {
    const ids = this.loadedRecords().map((r) => r.id as number);
    const scopeBase = baseScope(this.context);
    const empty = !this.loading && !this.groups && !this.records.length && !this.editor.row;
    return html`
      ${this.controlPanel({
        buttons: this.renderButtons(),
        scrollButtons: this.selection.size > 0 && !this.editor.row,
        actions: this.renderColumnsMenu(),
        pager: this.groups ? '' : html`<erp-pager .offset=${this.offset} .limit=${this.pageLimit} .total=${this.total}
          @pager-change=${(e: CustomEvent<{ offset: number }>) => void this.turnPage(e.detail.offset)}></erp-pager>`,
      })}
      <div class="content ${this.loading ? 'loading' : ''}">
        ${empty ? html`<div class="help">${this.actionHelp ? unsafeHTML(this.actionHelp) : html`<p>${_t('No records found')}</p>`}</div>` : html`
        <erp-list-renderer .columns=${this.columns} .records=${this.records} .groups=${this.groups} .selection=${this.selection}
          .order=${this.order} .names=${this.names} .limit=${this.pageLimit} .rowAttrs=${this.arch.attrs}
          .scopeFor=${(r: RecordValues) => recordScope(r, this.fields, scopeBase)}
          @sort-column=${(e: CustomEvent<{ name: string }>) => this.sort(e.detail.name)}
          .editor=${this.inlineEditable ? this.editor : null} .editVersion=${this.editor.version} .editPosition=${this.arch.attrs.editable ?? 'bottom'}
          @row-open=${(e: CustomEvent<{ id: number; field?: string }>) => this.rowClicked(e.detail.id, ids, e.detail.field)}
          @group-toggle=${(e: CustomEvent<{ group: ListGroup }>) => this.toggleGroup(e.detail.group)}
          @group-page=${(e: CustomEvent<{ group: ListGroup; offset: number }>) => this.toggleGroup(e.detail.group, e.detail.offset)}
          @selection-toggle=${(e: CustomEvent<{ ids: number[]; selected: boolean }>) => this.toggleSelection(e.detail.ids, e.detail.selected)}
        ></erp-list-renderer>`}
      </div>`;
  }
}
customElements.define('erp-list-view', ErpListView);
declare global {
  interface HTMLElementTagNameMap { 'erp-list-view': ErpListView }
}
