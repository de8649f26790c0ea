import { html, css } from 'lit';
import { FieldWidget } from './field-widget.ts';

/**
 * Multi-line plain text.
 * @fires value-changed - the text, or false when emptied
 */
export class ErpFieldText extends FieldWidget<string | false> {
  static styles = [...FieldWidget.styles, css`.readonly { white-space: pre-wrap; }`];

  render() {
    const v = this.value || '';
    if (this.readonly) return html`<span class="readonly">${v}</span>`;
    return html`<textarea .value=${v} placeholder=${this.placeholder} aria-label=${this.label} ?required=${this.required}
      @input=${(e: Event) => this.emit((e.target as HTMLTextAreaElement).value || false)}></textarea>`;
  }
}
customElements.define('erp-field-text', ErpFieldText);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-text': ErpFieldText }
}
