import { html } from 'lit';
import { FieldWidget } from './field-widget.ts';
import { formatDate } from '../format.ts';
import { currentLanguage } from '../i18n.ts';

/**
 * A calendar date, `'YYYY-MM-DD'` on the wire and in the input.
 * @fires value-changed - the date string, or false when cleared
 */
export class ErpFieldDate extends FieldWidget<string | false> {
  render() {
    const v = this.value || '';
    if (this.readonly) return html`<span class="readonly">${v ? formatDate(v, currentLanguage()) : ''}</span>`;
    return html`<input type="date" .value=${v} aria-label=${this.label} ?required=${this.required}
      @change=${(e: Event) => this.emit((e.target as HTMLInputElement).value || false)}>`;
  }
}
customElements.define('erp-field-date', ErpFieldDate);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-date': ErpFieldDate }
}
