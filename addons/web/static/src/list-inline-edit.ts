/**
 * Inline editing of a list whose arch says `editable="top|bottom"` (Odoo): one row at a time
 * is edited in place with the field widgets; Enter, clicking elsewhere or "Save" saves
 * (`write`, or `create` for a new row added by "New"), Escape or "Discard" drops the changes.
 * Required fields left empty are marked and named in one toast; a server validation error is
 * shown (and marked on its field when the message names it) and the row stays in edition.
 * The list view owns one InlineEditor and passes it to its renderer, which asks it for the
 * editing row's cells.
 */
import type { ReactiveController, ReactiveControllerHost, TemplateResult } from 'lit';
import { fieldNodeState, type Scope } from './modifiers.ts';
import { fieldOfError, missingRequired, valuesToWrite } from './record.ts';
import { defaultsToValues } from './form-data.ts';
import { renderWidget, widgetFor } from './widget-map.ts';
import { callKw, RpcError } from './rpc.ts';
import { dismissNotification, notify, notifyError } from './erp-notifications.ts';
import { _t } from './i18n.ts';
import type { ListColumn } from './erp-list-renderer.ts';
import type { ValueChangedDetail } from './widgets/field-widget.ts';
import type { Context, FieldsInfo, RecordValues } from './types.ts';

/** The row being edited: `id` null for a new row. */
export interface EditingRow {
  id: number | null;
  values: RecordValues;
  changed: Set<string>;
  invalid: Set<string>;
  /** The user changed a value (an untouched new row is dropped when the user leaves it). */
  edited: boolean;
}

export interface InlineEditHost {
  model: string;
  fields: FieldsInfo;
  context: Context;
  /** The columns shown (their arch nodes carry the modifiers). */
  editColumns(): ListColumn[];
  /** The modifiers' evaluation scope of a row's values. */
  rowScope(values: RecordValues): Scope;
  /** Called after a save, with the saved record's id. */
  saved(id: number): Promise<void>;
}

const X2MANY = new Set(['one2many', 'many2many']);

/**
 * The state and the rules of the row being edited (a lit controller of the list view: it
 * listens for clicks outside the row while the view is connected).
 */
export class InlineEditor implements ReactiveController {
  row: EditingRow | null = null;
  /** Bumped on every change of the row, so the renderer (given the same editor) re-renders. */
  version = 0;
  private pending: Promise<boolean> | null = null;
  private readonly toastKey = `inline-edit-${Math.random().toString(36).slice(2)}`;
  private readonly onDocumentClick = (e: Event) => {
    if (!this.row || this.pending) return;
    const path = e.composedPath();
    const inRow = path.some((el) => el instanceof HTMLElement && el.tagName === 'TR' && el.dataset.id === this.rowKey);
    // Dialogs opened from the row ("Search more…") and toasts are part of the edition.
    const partOfEdition = path.some((el) => el instanceof HTMLElement && /^ERP-(SELECT-DIALOG|DIALOG|NOTIFICATIONS)$/.test(el.tagName));
    if (!inRow && !partOfEdition) void this.save({ leaving: true });
  };

  constructor(private readonly host: ReactiveControllerHost & InlineEditHost) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('click', this.onDocumentClick);
  }
  hostDisconnected(): void {
    document.removeEventListener('click', this.onDocumentClick);
  }

  private touch(): void {
    this.version++;
    this.host.requestUpdate();
  }

  /** `data-id` of the editing row's `<tr>`. */
  get rowKey(): string {
    return this.row ? String(this.row.id ?? 'new') : '';
  }

  isEditing(id: number | null): boolean {
    return !!this.row && this.row.id === id;
  }

  get dirty(): boolean {
    return !!this.row && (this.row.id === null || this.row.changed.size > 0);
  }

  /** Edits `record` (the current row is saved first; false when that save failed). */
  async start(record: RecordValues): Promise<boolean> {
    if (this.isEditing(record.id as number)) return true;
    if (!(await this.save({ leaving: true }))) return false;
    this.row = { id: record.id as number, values: { ...record }, changed: new Set(), invalid: new Set(), edited: false };
    this.touch();
    return true;
  }

  /** Adds a new row with the model's defaults. */
  async startNew(): Promise<boolean> {
    if (!(await this.save({ leaving: true }))) return false;
    const names = this.host.editColumns().map((c) => c.name);
    try {
      const defaults = await callKw<RecordValues>(this.host.model, 'default_get', [names], { context: this.host.context });
      const values = await defaultsToValues(defaults, this.host.fields, this.host.context);
      this.row = { id: null, values, changed: new Set(Object.keys(defaults)), invalid: new Set(), edited: false };
    } catch (err) {
      notifyError(err);
      return false;
    }
    this.touch();
    return true;
  }

  change(name: string, value: unknown): void {
    if (!this.row) return;
    this.row.values = { ...this.row.values, [name]: value };
    this.row.changed.add(name);
    this.row.invalid.delete(name);
    this.row.edited = true;
    this.touch();
  }

  discard(): void {
    if (!this.row) return;
    this.row = null;
    dismissNotification(this.toastKey);
    this.touch();
  }

  /**
   * Saves the editing row (if any, and if changed); true when nothing is left unsaved.
   * `leaving`: the user moves away from the row — a new row they did not touch is dropped.
   */
  save(opts: { leaving?: boolean } = {}): Promise<boolean> {
    if (opts.leaving && this.row && this.row.id === null && !this.row.edited && !this.pending) {
      this.discard();
      return Promise.resolve(true);
    }
    this.pending ??= this.doSave().finally(() => (this.pending = null));
    return this.pending;
  }

  private editable(col: ListColumn, scope: Scope): boolean {
    const state = fieldNodeState(col.node.attrs, col.field, scope, false);
    return !state.invisible && !state.readonly && !X2MANY.has(col.field.type) && col.node.attrs.widget !== 'handle';
  }

  private async doSave(): Promise<boolean> {
    const row = this.row;
    if (!row) return true;
    if (!this.dirty) {
      this.discard();
      return true;
    }
    const scope = this.host.rowScope(row.values);
    const required = this.host.editColumns().filter((c) => this.editable(c, scope) && fieldNodeState(c.node.attrs, c.field, scope, false).required).map((c) => c.name);
    const missing = missingRequired(row.values, required, this.host.fields);
    if (missing.length) {
      row.invalid = new Set(missing);
      notify(missing.map((n) => this.host.fields[n].string).join(', '), { type: 'danger', title: _t('Invalid fields:'), key: this.toastKey });
      this.touch();
      return false;
    }
    const names = [...row.changed].filter((n) => this.host.fields[n] && !this.host.fields[n].readonly && !X2MANY.has(this.host.fields[n].type));
    try {
      const vals = valuesToWrite(row.values, names, this.host.fields);
      let id = row.id;
      if (id === null) id = await callKw<number>(this.host.model, 'create', [vals], { context: this.host.context });
      else await callKw(this.host.model, 'write', [[id], vals], { context: this.host.context });
      if (this.row === row) this.row = null;
      dismissNotification(this.toastKey);
      this.touch();
      await this.host.saved(id);
      return true;
    } catch (err) {
      if (err instanceof RpcError && err.isValidation) {
        const field = fieldOfError(err.message, Object.keys(row.values), this.host.fields);
        if (field) row.invalid = new Set([...row.invalid, field]);
      }
      notifyError(err, this.toastKey);
      this.touch();
      return false;
    }
  }

  /** The editing row's cell for `col`: its widget, or null to show the value as usual. */
  cell(col: ListColumn, scope: Scope): TemplateResult | null {
    const row = this.row;
    if (!row || !this.editable(col, scope)) return null;
    const state = fieldNodeState(col.node.attrs, col.field, scope, false);
    return renderWidget(widgetFor(col.field, col.node.attrs.widget === 'handle' ? undefined : col.node.attrs.widget), {
      field: col.field, value: row.values[col.name], readonly: false, required: state.required, invalid: row.invalid.has(col.name),
      record: row.values, attrs: { ...col.node.attrs, string: col.label }, options: state.options, domain: state.domain, context: state.context,
      resModel: this.host.model,
      onChange: (e: CustomEvent<ValueChangedDetail>) => this.change(e.detail.name, e.detail.value),
    });
  }

  /** Enter saves, Escape discards (unless a widget already used the key, e.g. an open autocomplete). */
  onKeydown(e: KeyboardEvent): void {
    if (e.defaultPrevented) return;
    const target = e.composedPath()[0];
    if (e.key === 'Enter' && !(target instanceof HTMLTextAreaElement)) {
      e.preventDefault();
      void this.save();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.discard();
    }
  }
}
