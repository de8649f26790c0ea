import { LitElement, html, css } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { sharedStyles } from './styles.ts';
import { callKw } from './rpc.ts';
import { notifyError } from './erp-notifications.ts';
import { _t } from './i18n.ts';
import type { Context, Domain } from './types.ts';
import './erp-dialog.ts';

/** How many matches "Search more…" lists at once. */
const LIMIT = 80;

/**
 * "Search more…" of a many2one: the records of `model` allowed by `domain`, filtered by
 * what the user types, one click to pick. Opened by `selectRecord()`.
 * @fires record-selected - `{value: [id, display_name]}`
 * @fires dialog-close - closed without a choice
 */
export class ErpSelectDialog extends LitElement {
  static properties = { model: {}, heading: {}, domain: { attribute: false }, context: { attribute: false }, found: { state: true }, more: { state: true } };
  static styles = [sharedStyles, css`
    input { width: 100%; margin-bottom: 12px; }
    ul { list-style: none; margin: 0; padding: 0; max-height: 60vh; overflow: auto; }
    li button { width: 100%; text-align: left; border: 0; border-bottom: 1px solid var(--erp-border); background: none; padding: 8px; }
    li button:hover, li button:focus { background: var(--erp-hover, #f2f4f7); }
    .muted { color: var(--erp-muted); padding: 8px; }
  `];
  declare model: string;
  declare heading: string;
  declare domain: Domain;
  declare context: Context;
  declare found: Array<[number, string]> | null;
  declare more: boolean;
  private timer = 0;
  private seq = 0;

  constructor() {
    super();
    [this.domain, this.context, this.found, this.more] = [[], {}, null, false];
  }

  firstUpdated() {
    this.search('');
    this.renderRoot.querySelector('input')?.focus();
  }

  private search(text: string) {
    clearTimeout(this.timer);
    this.timer = window.setTimeout(async () => {
      const seq = ++this.seq;
      try {
        const found = await callKw<Array<[number, string]>>(this.model, 'name_search', [], { name: text, args: this.domain, operator: 'ilike', limit: LIMIT + 1, context: this.context });
        if (seq === this.seq) [this.found, this.more] = [found.slice(0, LIMIT), found.length > LIMIT];
      } catch (err) {
        notifyError(err);
      }
    }, text ? 200 : 0);
  }

  private pick(value: [number, string]) {
    this.dispatchEvent(new CustomEvent('record-selected', { detail: { value } }));
  }

  render() {
    return html`<erp-dialog heading=${this.heading} size="md">
      <input type="search" aria-label=${_t('Search')} placeholder=${_t('Search…')} @input=${(e: Event) => this.search((e.target as HTMLInputElement).value)}>
      ${this.found === null ? html`<p class="muted">${_t('Loading…')}</p>` : !this.found.length ? html`<p class="muted">${_t('No records')}</p>` : html`
        <ul role="listbox">${repeat(this.found, ([id]) => id, (v) => html`<li><button type="button" role="option" @click=${() => this.pick(v)}>${v[1]}</button></li>`)}</ul>
        ${this.more ? html`<p class="muted">${_t('Only the first %s matches are shown: type to narrow them.', String(LIMIT))}</p>` : ''}`}
    </erp-dialog>`;
  }
}
customElements.define('erp-select-dialog', ErpSelectDialog);
declare global {
  interface HTMLElementTagNameMap { 'erp-select-dialog': ErpSelectDialog }
}

/** Opens "Search more…" on `model`; resolves the picked `[id, name]`, or null when closed. */
export function selectRecord(model: string, opts: { heading: string; domain: Domain; context: Context }): Promise<[number, string] | null> {
  return new Promise((resolve) => {
    const dialog = Object.assign(document.createElement('erp-select-dialog'), { model, ...opts });
    const done = (value: [number, string] | null) => {
      dialog.remove();
      resolve(value);
    };
    dialog.addEventListener('record-selected', (e) => done((e as CustomEvent<{ value: [number, string] }>).detail.value));
    dialog.addEventListener('dialog-close', () => done(null));
    document.body.append(dialog);
  });
}
