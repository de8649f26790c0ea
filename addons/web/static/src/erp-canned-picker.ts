import { LitElement, html, css } from 'lit';
import { sharedStyles } from './styles.ts';
import { callKw } from './rpc.ts';
import { notifyError } from './erp-notifications.ts';
import { _t } from './i18n.ts';

/** HTML of a rendered response → the composer's plain text (paragraphs and line breaks kept). */
export function htmlToText(source: string): string {
  const doc = new DOMParser().parseFromString(source.replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>\s*/gi, '</p>\n\n'), 'text/html');
  return (doc.body.textContent ?? '').replace(/\n{3,}/g, '\n\n').trim();
}

/**
 * "Canned response" in the composer: the records of `model` (any model with `name` and a
 * `render(record_id)` method answering HTML, e.g. `<chatter canned_responses="…"/>`); the
 * chosen one is rendered for the document and handed over as text.
 * @fires canned-picked - `{text}`
 */
export class ErpCannedPicker extends LitElement {
  static properties = { model: {}, resId: { type: Number }, options: { state: true } };
  static styles = [sharedStyles, css`select { max-width: 260px; }`];
  declare model: string;
  declare resId: number;
  declare options: Array<{ id: number; name: string }>;

  constructor() {
    super();
    this.options = [];
  }

  async firstUpdated() {
    try {
      this.options = await callKw(this.model, 'search_read', [], { domain: [], fields: ['name'], limit: 200 });
    } catch (err) {
      notifyError(err);
    }
  }

  private async pick(select: HTMLSelectElement) {
    const id = Number(select.value);
    select.value = '';
    if (!id) return;
    try {
      const rendered = await callKw<string>(this.model, 'render', [[id], this.resId]);
      this.dispatchEvent(new CustomEvent('canned-picked', { detail: { text: htmlToText(rendered) } }));
    } catch (err) {
      notifyError(err);
    }
  }

  render() {
    if (!this.options.length) return html``;
    return html`<select aria-label=${_t('Canned response')} @change=${(e: Event) => this.pick(e.target as HTMLSelectElement)}>
      <option value="">${_t('Canned response…')}</option>
      ${this.options.map((o) => html`<option value=${o.id}>${o.name}</option>`)}</select>`;
  }
}
customElements.define('erp-canned-picker', ErpCannedPicker);
declare global {
  interface HTMLElementTagNameMap { 'erp-canned-picker': ErpCannedPicker }
}
