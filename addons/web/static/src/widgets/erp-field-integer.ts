import { html } from 'lit';
import { FieldWidget } from './field-widget.ts';
import { formatNumber } from '../format.ts';
import { currentLanguage } from '../i18n.ts';

/**
 * Whole numbers.
 * @fires value-changed - the number, or false when emptied
 */
export class ErpFieldInteger extends FieldWidget<number | false> {
  protected step = '1';
  protected digits = 0;

  protected parse(text: string): number | false {
    if (text.trim() === '') return false;
    const n = Number(text);
    return Number.isFinite(n) ? (this.digits === 0 ? Math.trunc(n) : n) : false;
  }

  render() {
    const v = this.value;
    if (this.readonly) {
      return html`<span class="readonly">${typeof v === 'number' ? formatNumber(v, currentLanguage(), this.digits) : ''}</span>`;
    }
    return html`<input type="number" step=${this.step} inputmode=${this.digits ? 'decimal' : 'numeric'} aria-label=${this.label}
      .value=${typeof v === 'number' ? String(v) : ''} ?required=${this.required}
      @input=${(e: Event) => this.emit(this.parse((e.target as HTMLInputElement).value))}>`;
  }
}
customElements.define('erp-field-integer', ErpFieldInteger);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-integer': ErpFieldInteger }
}
