import { ErpFieldInteger } from './erp-field-integer.ts';

/**
 * Decimal numbers: the integer widget with a free step and two display decimals
 * (`options="{'digits': [16, 4]}"` changes the decimals).
 * @fires value-changed - the number, or false when emptied
 */
export class ErpFieldFloat extends ErpFieldInteger {
  protected step = 'any';
  protected digits = 2;

  willUpdate() {
    const digits = this.options?.digits;
    if (Array.isArray(digits) && typeof digits[1] === 'number') this.digits = digits[1];
  }
}
customElements.define('erp-field-float', ErpFieldFloat);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-float': ErpFieldFloat }
}
