import { html } from 'lit';
import { FieldWidget } from './field-widget.ts';
import { selectionLabel } from '../format.ts';

/**
 * One value of the field's `selection` list (a `<select>`; `widget="badge"` shows a badge
 * when read-only).
 * @fires value-changed - the selected value, or false for the empty choice
 */
export class ErpFieldSelection extends FieldWidget<string | number | false> {
  render() {
    const options = this.field.selection ?? [];
    if (this.readonly) {
      const label = selectionLabel(this.field, this.value);
      return this.attrs.widget === 'badge' && label ? html`<span class="badge">${label}</span>` : html`<span class="readonly">${label}</span>`;
    }
    const onChange = (e: Event) => {
      const index = (e.target as HTMLSelectElement).selectedIndex - 1;
      this.emit(index >= 0 ? options[index][0] : false);
    };
    return html`<select aria-label=${this.label} ?required=${this.required} @change=${onChange}>
      <option value="" .selected=${this.value === false || this.value === null || this.value === undefined} ?disabled=${this.required}></option>
      ${options.map(([value, label]) => html`<option .selected=${value === this.value}>${label}</option>`)}
    </select>`;
  }
}
customElements.define('erp-field-selection', ErpFieldSelection);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-selection': ErpFieldSelection }
}
