import { html } from 'lit';
import { FieldWidget } from './field-widget.ts';
import { formatDatetime, localInputToServerDatetime, serverDatetimeToLocalInput } from '../format.ts';
import { currentLanguage } from '../i18n.ts';

/**
 * A moment: UTC `'YYYY-MM-DD HH:MM:SS'` on the wire, the browser's local time on screen.
 * @fires value-changed - the UTC datetime string, or false when cleared
 */
export class ErpFieldDatetime extends FieldWidget<string | false> {
  render() {
    const v = this.value || '';
    if (this.readonly) return html`<span class="readonly">${v ? formatDatetime(v, currentLanguage()) : ''}</span>`;
    return html`<input type="datetime-local" .value=${serverDatetimeToLocalInput(v)} aria-label=${this.label} ?required=${this.required}
      @change=${(e: Event) => this.emit(localInputToServerDatetime((e.target as HTMLInputElement).value))}>`;
  }
}
customElements.define('erp-field-datetime', ErpFieldDatetime);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-datetime': ErpFieldDatetime }
}
