import { html, css } from 'lit';
import { FieldWidget } from './field-widget.ts';

/**
 * A checkbox (also for `widget="boolean_toggle"`); disabled when read-only.
 * @fires value-changed - true or false
 */
export class ErpFieldBoolean extends FieldWidget<boolean> {
  static styles = [...FieldWidget.styles, css`
    :host { display: flex; align-items: center; min-height: 32px; }
    input { margin: 0; width: 16px; height: 16px; }
  `];

  render() {
    return html`<input type="checkbox" aria-label=${this.label} .checked=${!!this.value} ?disabled=${this.readonly}
      @change=${(e: Event) => this.emit((e.target as HTMLInputElement).checked)}>`;
  }
}
customElements.define('erp-field-boolean', ErpFieldBoolean);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-boolean': ErpFieldBoolean }
}
