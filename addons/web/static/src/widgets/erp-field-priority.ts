import { html, css } from 'lit';
import { FieldWidget } from './field-widget.ts';

/**
 * Stars for a selection field (`widget="priority"`): one star per value after the first,
 * which means "none". Clicking the current star resets to the first value.
 * @fires value-changed - the selection value of the clicked star
 */
export class ErpFieldPriority extends FieldWidget<string | number | false> {
  static styles = [...FieldWidget.styles, css`
    :host { display: inline-block; }
    button { border: 0; background: none; padding: 0 2px; font-size: 1.25rem; line-height: 1; color: var(--erp-muted); }
    button.on { color: var(--erp-star); }
    button:disabled { cursor: default; }
  `];

  render() {
    const options = this.field.selection ?? [];
    const current = options.findIndex(([v]) => v === this.value);
    return html`<span role="radiogroup" aria-label=${this.label}>${options.slice(1).map(([value, label], i) => html`
      <button type="button" role="radio" class=${i + 1 <= current ? 'on' : ''} title=${label} aria-label=${label}
        aria-checked=${String(i + 1 === current)} ?disabled=${this.readonly}
        @click=${(e: Event) => {
          e.stopPropagation();
          this.emit(i + 1 === current ? options[0][0] : value);
        }}>${i + 1 <= current ? '★' : '☆'}</button>`)}</span>`;
  }
}
customElements.define('erp-field-priority', ErpFieldPriority);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-priority': ErpFieldPriority }
}
