import { html, css } from 'lit';
import { FieldWidget } from './field-widget.ts';
import { callKw, canDo, displayName } from '../rpc.ts';
import { selectRecord } from '../erp-select-dialog.ts';
import { notifyError } from '../erp-notifications.ts';
import { openAction } from '../actions.ts';
import { _t } from '../i18n.ts';
import type { Many2oneValue } from '../types.ts';

/**
 * A link to one record of `field.relation`, picked by typing: `name_search` suggestions,
 * "Search more…" (every match in a dialog), `Create "…"` (`name_create`) and "Create and
 * edit…" (`name_create`, then its form in a dialog) — the creations only where the user may
 * create such records and `options` do not say `no_create`. Read-only, it links to the
 * record's form.
 * @fires value-changed - `[id, display_name]`, or false when cleared
 */
export class ErpFieldMany2one extends FieldWidget<Many2oneValue> {
  static properties = { ...FieldWidget.properties, text: { state: true }, results: { state: true }, active: { state: true }, mayCreate: { state: true } };
  static styles = [...FieldWidget.styles, css`
    :host { position: relative; }
    .dropdown-menu { width: 100%; }
  `];
  declare text: string | null;
  declare results: Array<[number, string]> | null;
  declare active: number;
  declare mayCreate: boolean;
  private timer = 0;

  constructor() {
    super();
    this.mayCreate = false;
  }

  willUpdate(changed: Map<PropertyKey, unknown>) {
    if (changed.has('field') && this.field?.relation) void canDo(this.field.relation, 'create').then((ok) => (this.mayCreate = ok));
  }
  private seq = 0;

  private search(text: string, typed = true) {
    if (typed) this.text = text;
    clearTimeout(this.timer);
    this.timer = window.setTimeout(async () => {
      const seq = ++this.seq;
      try {
        const found = await callKw<Array<[number, string]>>(this.field.relation!, 'name_search', [], {
          name: text, args: this.domain, operator: 'ilike', limit: 8, context: this.context,
        });
        if (seq === this.seq) [this.results, this.active] = [found, 0];
      } catch (err) {
        notifyError(err);
      }
    }, 200);
  }

  private pick(value: Many2oneValue) {
    [this.text, this.results] = [null, null];
    this.emit(value);
  }

  private async create(edit: boolean) {
    const name = (this.text ?? '').trim();
    this.results = null;
    try {
      const created = await callKw<[number, string]>(this.field.relation!, 'name_create', [name], { context: this.context });
      this.pick(created);
      if (edit) {
        openAction(this, { type: 'ir.actions.act_window', res_model: this.field.relation!, res_id: created[0], views: [[false, 'form']], target: 'new', name: this.label },
          async () => this.emit([created[0], await displayName(this.field.relation!, created[0])]));
      }
    } catch (err) {
      notifyError(err);
    }
  }

  private items(): Array<[string, () => void]> {
    const items: Array<[string, () => void]> = (this.results ?? []).map(([id, name]) => [name, () => this.pick([id, name])]);
    const text = (this.text ?? '').trim();
    const create = this.mayCreate && !this.options.no_create;
    if (!items.length) items.push([_t('No records'), () => (this.results = null)]);
    items.push([_t('Search more…'), () => this.searchMore()]);
    if (text && create && !this.options.no_quick_create) items.push([_t('Create "%s"', text), () => this.create(false)]);
    if (text && create && !this.options.no_create_edit) items.push([_t('Create and edit…'), () => this.create(true)]);
    return items;
  }

  private async searchMore() {
    this.results = null;
    const picked = await selectRecord(this.field.relation!, { heading: _t('Search: %s', this.label), domain: this.domain, context: this.context });
    if (picked) this.pick(picked);
  }

  private onKey(e: KeyboardEvent, items: Array<[string, () => void]>) {
    if (!this.results) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      this.active = (this.active + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
    } else if (e.key === 'Enter') {
      e.preventDefault();
      items[this.active]?.[1]();
    } else if (e.key === 'Escape') {
      // Closing the suggestions is all Escape does here (an editable list row stays in edition).
      e.preventDefault();
      [this.text, this.results] = [null, null];
    }
  }

  private onBlur() {
    setTimeout(() => {
      if (this.text === '' && this.value) this.pick(false);
      [this.text, this.results] = [null, null];
    }, 150);
  }

  render() {
    const name = this.value ? this.value[1] : '';
    if (this.readonly) {
      if (!this.value || this.options.no_open) return html`<span class="readonly">${name}</span>`;
      const id = this.value[0];
      return html`<a class="readonly" href="#" @click=${(e: Event) => {
        e.preventDefault();
        openAction(this, { type: 'ir.actions.act_window', res_model: this.field.relation!, res_id: id, views: [[false, 'form']], target: 'current', name });
      }}>${name}</a>`;
    }
    const items = this.results ? this.items() : [];
    return html`<input role="combobox" aria-label=${this.label} aria-expanded=${String(!!this.results)} aria-autocomplete="list"
        .value=${this.text ?? name} placeholder=${this.placeholder} ?required=${this.required}
        @input=${(e: Event) => this.search((e.target as HTMLInputElement).value)}
        @focus=${() => this.text === null && this.search('', false)}
        @click=${() => !this.results && this.search(this.text ?? '', false)}
        @keydown=${(e: KeyboardEvent) => this.onKey(e, items)} @blur=${this.onBlur}>
      ${this.results ? html`<div class="dropdown-menu" role="listbox">${items.map(([label, run], i) => html`
        <button type="button" role="option" class="dropdown-item ${i === this.active ? 'active' : ''}" aria-selected=${String(i === this.active)}
          @mousedown=${(e: Event) => e.preventDefault()} @click=${run}>${label}</button>`)}</div>` : ''}`;
  }
}
customElements.define('erp-field-many2one', ErpFieldMany2one);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-many2one': ErpFieldMany2one }
}
