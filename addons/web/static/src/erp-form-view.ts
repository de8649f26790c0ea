import { html, css, type PropertyValues } from 'lit';
import { icon } from './icons.ts';
import { ViewBase } from './view-base.ts';
import { findFirst, boolAttr, fieldNodes } from './arch.ts';
import { baseScope, evalContext, fieldNodeState, recordScope, type FieldLock } from './modifiers.ts';
import { changedNames, fieldOfError, missingRequired, valuesToWrite } from './record.ts';
import { defaultsToValues, formReadFields, loadSubviews, loadX2Many } from './form-data.ts';
import { isChatter } from './erp-form-renderer.ts';
import { callKw, canDo, randomUuid, RpcError } from './rpc.ts';
import { actionRef, openAction } from './actions.ts';
import { dismissNotification, notify, notifyError } from './erp-notifications.ts';
import { confirmDialog } from './erp-dialog.ts';
import { _t } from './i18n.ts';
import type { SubView } from './widgets/erp-field-one2many.ts';
import type { ValueChangedDetail } from './widgets/field-widget.ts';
import type { Action, Context, RecordValues } from './types.ts';
import './erp-form-renderer.ts';
import './erp-progress-bar.ts';

export interface RecordChangedDetail {
  resId: number | null;
  displayName: string;
}
export interface DialogDoneDetail {
  action?: Action;
}

/**
 * The form view: owns one record (its values, what changed, validation errors), loads it
 * (`read` or `default_get`), saves it (`create`/`write` with x2many commands), discards,
 * deletes, duplicates, pages through the list's records, and runs the arch's buttons
 * (save first; `confirm`; `type="object"` calls, with a progress bar for `progress="1"`;
 * `type="action"`; returned actions). In a dialog (`inDialog`) it has no control panel and
 * its `<footer>` buttons close the dialog when done.
 * @fires record-changed - `{resId, displayName}` after load, create or paging
 * @fires record-deleted - the record was deleted
 * @fires dialog-done - `{action?}` a footer button finished (close the dialog, reload the opener)
 * @fires dialog-close - "Cancel"/"Discard" in a dialog
 */
export class ErpFormView extends ViewBase {
  static properties = {
    ...ViewBase.properties,
    resId: { type: Number }, resIds: { attribute: false }, inDialog: { type: Boolean, attribute: 'in-dialog', reflect: true },
    data: { state: true }, changed: { state: true }, errors: { state: true }, loading: { state: true }, busy: { state: true },
    subviews: { state: true }, canWrite: { state: true }, canCreate: { state: true }, canDelete: { state: true },
    progressKey: { state: true }, chatterKey: { state: true }, menu: { state: true },
  };
  static styles = [...ViewBase.styles, css`
    :host { display: flex; flex-direction: column; flex: 1; min-height: 0; }
    .content { flex: 1; overflow: auto; background: var(--erp-bg); }
    :host([in-dialog]) .content { background: #fff; overflow: visible; }
    .dirty { font-size: .85rem; color: var(--erp-muted); }
    /* On a phone, Save and Discard showing already say it; the row stays one line. */
    @media (max-width: 767px) { .dirty { display: none; } }
    .failed { padding: 48px 16px; text-align: center; color: var(--erp-muted); }
    .footer { display: flex; flex-wrap: wrap; gap: 8px; border-top: 1px solid var(--erp-border); padding-top: 12px; margin-top: 16px; }
    .overlay { position: fixed; inset: 0; z-index: 950; background: rgba(255,255,255,.7); display: flex; align-items: center; justify-content: center; }
    .overlay erp-progress-bar { width: min(480px, 90vw); background: #fff; padding: 20px; border: 1px solid var(--erp-border); border-radius: 6px; box-shadow: 0 8px 24px rgba(0,0,0,.15); }
  `];
  readonly viewType = 'form' as const;
  declare resId: number | null;
  declare resIds: number[];
  declare inDialog: boolean;
  declare data: RecordValues;
  declare changed: Set<string>;
  declare errors: Record<string, string>;
  declare loading: boolean;
  declare busy: boolean;
  declare subviews: Map<string, SubView>;
  declare canWrite: boolean;
  declare canCreate: boolean;
  declare canDelete: boolean;
  declare progressKey: string | null;
  declare chatterKey: number;
  declare menu: boolean;
  /** Names set by default_get: sent on create like changed ones. */
  private defaultNames = new Set<string>();
  private origin: RecordValues = {};
  private seq = 0;
  /** This form's save errors share one toast: replaced on each try, removed once saved. */
  private readonly toastKey = `form-save-${randomUuid()}`;
  private readonly onBeforeUnload = (e: BeforeUnloadEvent) => {
    if (this.isDirty) e.preventDefault();
  };

  constructor() {
    super();
    this.resId = null;
    this.resIds = [];
    this.inDialog = false;
    this.data = {};
    this.changed = new Set();
    this.errors = {};
    this.loading = true;
    this.busy = false;
    this.subviews = new Map();
    this.canWrite = true;
    this.canCreate = true;
    this.canDelete = false;
    this.progressKey = null;
    this.chatterKey = 0;
    this.menu = false;
  }

  connectedCallback() {
    super.connectedCallback();
    window.addEventListener('beforeunload', this.onBeforeUnload);
  }

  disconnectedCallback() {
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    super.disconnectedCallback();
  }

  get isDirty(): boolean {
    return changedNames(this.data, this.changed, this.fields).length > 0;
  }

  private get isNew(): boolean {
    return !this.resId;
  }

  private get scope() {
    return recordScope(this.data, this.fields, baseScope(this.context));
  }

  /** Nothing is editable: a new record the user may not create, or a view that says `edit="0"`. */
  private get locked(): boolean {
    if (this.isNew) return !this.canCreate;
    return !boolAttr(this.arch.attrs.edit, true);
  }

  /** Offered only when the user may create and the view allows copies (`<form duplicate="0">`, as in Odoo). */
  private get canDuplicate(): boolean {
    return this.canCreate && boolAttr(this.arch.attrs.duplicate, true);
  }

  /** Readonly comes from the arch's modifiers; without write access only granted fields stay editable. */
  private get lock(): FieldLock {
    if (this.locked) return 'all';
    return !this.isNew && !this.canWrite ? 'unless-granted' : 'none';
  }

  willUpdate(changed: PropertyValues<this>) {
    if (changed.has('arch') || changed.has('model')) {
      void Promise.all([canDo(this.model, 'write'), canDo(this.model, 'create'), canDo(this.model, 'unlink')]).then(([w, c, d]) => {
        [this.canWrite, this.canCreate] = [w, c && boolAttr(this.arch.attrs.create, true)];
        this.canDelete = d && boolAttr(this.arch.attrs.delete, true);
      });
    }
    if (changed.has('resId') || changed.has('arch') || changed.has('model')) void this.load();
  }

  /** (Re)loads the record, or the defaults of a new one, dropping unsaved changes. */
  async load() {
    const seq = ++this.seq;
    this.loadFailed = false;
    this.loading = true;
    try {
      const hasChatter = !!findFirst(this.arch, isChatter);
      const names = formReadFields(this.arch, this.fields, hasChatter);
      const subviews = await loadSubviews(this.arch, this.fields, this.models, this.context);
      let values: RecordValues;
      if (this.resId) {
        const [rec] = await callKw<RecordValues[]>(this.model, 'read', [[this.resId], names], { context: this.context });
        if (!rec) throw new RpcError(_t('The record does not exist or has been deleted.'), 'odoo.exceptions.MissingError');
        values = rec;
        this.defaultNames = new Set();
      } else {
        const defaults = await callKw<RecordValues>(this.model, 'default_get', [names.filter((n) => n !== 'display_name' && n !== 'message_follower_ids')], { context: this.context });
        values = await defaultsToValues(defaults, this.fields, this.context);
        this.defaultNames = new Set(Object.keys(defaults));
      }
      values = await loadX2Many(values, this.arch, this.fields, subviews, this.context);
      if (seq !== this.seq) return;
      [this.data, this.origin, this.subviews, this.changed, this.errors] = [values, values, subviews, new Set(), {}];
      this.chatterKey++;
      this.fire<RecordChangedDetail>('record-changed', { resId: this.resId, displayName: this.displayName });
    } catch (err) {
      this.loadFailed = true;
      notifyError(err);
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }

  private get displayName(): string {
    if (this.isNew) return _t('New');
    return String(this.data.display_name ?? this.data.name ?? this.resId);
  }

  private onFieldChange(e: CustomEvent<ValueChangedDetail>) {
    const { name, value } = e.detail;
    this.data = { ...this.data, [name]: value };
    this.changed = new Set(this.changed).add(name);
    if (this.errors[name]) {
      const { [name]: _gone, ...rest } = this.errors;
      this.errors = rest;
    }
  }

  /** Visible, required, editable fields that are empty → field errors. True when valid. */
  private validate(): boolean {
    const scope = this.scope;
    const required = fieldNodes(this.arch).filter((n) => {
      const f = this.fields[n.attrs.name];
      if (!f) return false;
      const s = fieldNodeState(n.attrs, f, scope, false);
      return s.required && !s.invisible && !s.readonly;
    }).map((n) => n.attrs.name);
    const missing = missingRequired(this.data, required, this.fields);
    this.errors = Object.fromEntries(missing.map((n) => [n, _t('This field is required')]));
    if (missing.length) notify(missing.map((n) => this.fields[n].string).join(', '), { type: 'danger', title: _t('Invalid fields:'), key: this.toastKey });
    return !missing.length;
  }

  /**
   * Saves the record if new or changed; true when it is saved (or was clean). Server
   * validation errors are shown, and on the field when the message names one.
   */
  async save(): Promise<boolean> {
    if (!this.isNew && !this.isDirty) return true;
    if (!this.validate()) return false;
    const models = { ...this.models, [this.model]: this.fields };
    for (const [name, sub] of this.subviews) models[this.fields[name].relation!] = { ...models[this.fields[name].relation!], ...sub.fields };
    const writable = (n: string) => !this.fields[n]?.readonly || fieldNodes(this.arch).some((node) => node.attrs.name === n && boolAttr(node.attrs.force_save));
    const names = changedNames(this.data, this.changed, this.fields);
    this.busy = true;
    try {
      if (this.isNew) {
        const vals = valuesToWrite(this.data, [...new Set([...this.defaultNames, ...names])].filter(writable), this.fields, models);
        const id = await callKw<number>(this.model, 'create', [vals], { context: this.context });
        this.resId = id;
        if (!this.resIds.includes(id)) this.resIds = [...this.resIds, id];
      } else {
        await callKw(this.model, 'write', [[this.resId], valuesToWrite(this.data, names, this.fields, models)], { context: this.context });
        await this.load();
      }
      dismissNotification(this.toastKey);
      return true;
    } catch (err) {
      if (err instanceof RpcError && err.isValidation) {
        const field = fieldOfError(err.message, Object.keys(this.data), this.fields);
        if (field) this.errors = { ...this.errors, [field]: err.message };
      }
      notifyError(err, this.toastKey);
      return false;
    } finally {
      this.busy = false;
    }
  }

  async beforeLeave(): Promise<boolean> {
    if (this.isNew && !this.isDirty) return true;
    return this.save();
  }

  private async discard() {
    dismissNotification(this.toastKey);
    if (this.inDialog) return this.fire('dialog-close', {});
    if (this.isNew) {
      this.fire('discard-new', {});
      return this.load();
    }
    [this.data, this.changed, this.errors] = [this.origin, new Set(), {}];
  }

  private async goTo(index: number) {
    if (!(await this.beforeLeave())) return;
    this.resId = this.resIds[index];
  }

  private async deleteRecord() {
    this.menu = false;
    if (!(await confirmDialog(_t('Are you sure you want to delete this record?'), { confirmLabel: _t('Delete'), danger: true }))) return;
    try {
      await callKw(this.model, 'unlink', [[this.resId]], { context: this.context });
      this.fire('record-deleted', { resId: this.resId });
    } catch (err) {
      notifyError(err);
    }
  }

  private async duplicate() {
    this.menu = false;
    if (!(await this.beforeLeave())) return;
    try {
      // Odoo answers the new id; a server that answers the new record as a list of ids is read the same way.
      const answer = await callKw<number | number[]>(this.model, 'copy', [[this.resId]], { context: this.context });
      const id = Array.isArray(answer) ? answer[0] : answer;
      if (typeof id !== 'number') throw new Error(_t('The copy did not answer the new record.'));
      this.resIds = [...this.resIds, id];
      this.resId = id;
    } catch (err) {
      notifyError(err);
    }
  }

  /** Re-reads the record (after a button or a dialog it opened); keeps nothing unsaved. */
  reload(): Promise<void> {
    return this.load();
  }

  private async runButton(attrs: Record<string, string>) {
    if (attrs.special === 'cancel') return this.fire('dialog-close', {});
    if (attrs.confirm && !(await confirmDialog(attrs.confirm))) return;
    if (!(await this.save())) return;
    if (attrs.special === 'save' || !attrs.name) return this.inDialog ? this.fire<DialogDoneDetail>('dialog-done', {}) : undefined;
    const id = this.resId!;
    const active: Context = { active_id: id, active_ids: [id], active_model: this.model };
    let buttonContext: Context;
    try {
      buttonContext = { ...this.context, ...evalContext(attrs.context, this.scope) };
    } catch (err) {
      return notifyError(err);
    }
    if (attrs.type === 'action') {
      return openAction(this, actionRef(attrs.name), () => this.reload(), { ...buttonContext, ...active });
    }
    const progress = boolAttr(attrs.progress) ? randomUuid() : null;
    this.busy = true;
    this.progressKey = progress;
    let result: unknown;
    try {
      result = await callKw(this.model, attrs.name, [[id]], { context: progress ? { ...buttonContext, progress_key: progress } : buttonContext });
    } catch (err) {
      notifyError(err);
      await this.reload();
      return;
    } finally {
      this.busy = false;
      this.progressKey = null;
    }
    const action = result && typeof result === 'object' && 'type' in result ? (result as Action) : undefined;
    if (this.inDialog) return this.fire<DialogDoneDetail>('dialog-done', { action });
    if (action && action.type !== 'ir.actions.act_window_close') openAction(this, action, () => this.reload(), active);
    await this.reload();
  }

  private renderButtons() {
    if (this.inDialog) return '';
    const dirty = this.isDirty || this.isNew;
    return html`${this.canCreate && !this.isNew ? html`<button class="btn" @click=${async () => (await this.beforeLeave()) && (this.resId = null)}>${_t('New')}</button>` : ''}
      ${dirty && !this.locked ? html`
        <button class="btn btn-primary" ?disabled=${this.busy} @click=${() => this.save()}>${_t('Save')}</button>
        <button class="btn" ?disabled=${this.busy} @click=${this.discard}>${_t('Discard')}</button>
        ${this.isDirty && !this.isNew ? html`<span class="dirty">${_t('Unsaved changes')}</span>` : ''}` : ''}`;
  }

  private renderActions() {
    if (this.inDialog || this.isNew || !(this.canDuplicate || this.canDelete)) return '';
    return html`<div class="dropdown">
      <button class="btn btn-icon" aria-label=${_t('Actions')} aria-expanded=${String(this.menu)} @click=${() => (this.menu = !this.menu)}>${icon('gear')}</button>
      ${this.menu ? html`<div class="dropdown-menu">
        ${this.canDuplicate ? html`<button class="dropdown-item" @click=${this.duplicate}>${_t('Duplicate')}</button>` : ''}
        ${this.canDelete ? html`<button class="dropdown-item text-danger" @click=${this.deleteRecord}>${_t('Delete')}</button>` : ''}
      </div>` : ''}</div>`;
  }

  private renderDialogFooter() {
    if (findFirst(this.arch, (n) => n.tag === 'footer')) return '';
    const viewOnly = this.lock === 'all' || (this.lock === 'unless-granted' && !this.isDirty);
    return html`<div class="footer">
      ${viewOnly ? '' : html`<button class="btn btn-primary" ?disabled=${this.busy} @click=${() => this.runButton({ special: 'save' })}>${_t('Save & Close')}</button>`}
      <button class="btn" @click=${() => this.fire('dialog-close', {})}>${viewOnly ? _t('Close') : _t('Discard')}</button></div>`;
  }

  render() {
    const index = this.resId ? this.resIds.indexOf(this.resId) : -1;
    return html`
      ${this.inDialog ? '' : this.controlPanel({
        buttons: this.renderButtons(), actions: this.renderActions(), search: false,
        pager: index >= 0 && this.resIds.length > 1 ? html`<erp-pager .offset=${index} .limit=${1} .total=${this.resIds.length}
          @pager-change=${(e: CustomEvent<{ offset: number }>) => this.goTo(e.detail.offset)}></erp-pager>` : '',
      })}
      <div class="content">
        ${this.loadFailed && (this.data.id ?? null) !== this.resId ? html`<p class="failed">${_t('The record could not be loaded.')}
          <button class="btn" @click=${() => this.load()}>${_t('Retry')}</button></p>` : ''}
        ${(this.loading && !this.data.id && !this.isNew) || (this.loadFailed && (this.data.id ?? null) !== this.resId) ? '' : html`<erp-form-renderer .arch=${this.arch} .fields=${this.fields} .data=${this.data}
          .scope=${this.scope} .model=${this.model} .lock=${this.lock} ?busy=${this.busy || this.loading} .errors=${this.errors}
          .subviews=${this.subviews} .inDialog=${this.inDialog} .chatterKey=${this.chatterKey}
          @field-change=${this.onFieldChange} @button-click=${(e: CustomEvent<{ attrs: Record<string, string> }>) => this.runButton(e.detail.attrs)}
        ></erp-form-renderer>`}
        ${this.inDialog ? this.renderDialogFooter() : ''}
      </div>
      ${this.progressKey ? html`<div class="overlay"><erp-progress-bar progress-key=${this.progressKey} heading=${_t('Please wait…')}></erp-progress-bar></div>` : ''}`;
  }
}
customElements.define('erp-form-view', ErpFormView);
declare global {
  interface HTMLElementTagNameMap { 'erp-form-view': ErpFormView }
}
