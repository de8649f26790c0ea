import { html, css } from 'lit';
import { FieldWidget } from './field-widget.ts';

/**
 * The stages of a selection field as a breadcrumb of chevrons (`widget="statusbar"`),
 * current one highlighted. `statusbar_visible="new,open"` limits the stages shown (the
 * current one always shows); `options="{'clickable': 1}"` lets the user pick a stage.
 * @fires value-changed - the picked stage value
 */
export class ErpFieldStatusbar extends FieldWidget<string | number | false> {
  static styles = [...FieldWidget.styles, css`
    :host { display: flex; justify-content: flex-end; }
    ol { display: flex; flex-wrap: wrap; margin: 0; padding: 0; list-style: none; }
    li button {
      border: 1px solid var(--erp-border); background: #fff; color: var(--erp-muted); padding: 4px 14px 4px 18px;
      margin-left: -1px; font-size: 0.85rem; clip-path: polygon(0 0, calc(100% - 8px) 0, 100% 50%, calc(100% - 8px) 100%, 0 100%, 8px 50%);
    }
    li:first-child button { clip-path: polygon(0 0, calc(100% - 8px) 0, 100% 50%, calc(100% - 8px) 100%, 0 100%); padding-left: 12px; }
    li button[aria-current='step'] { background: var(--erp-primary); border-color: var(--erp-primary); color: #fff; font-weight: 600; }
    li button:disabled { cursor: default; }
  `];

  render() {
    const visible = (this.attrs.statusbar_visible ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const clickable = !this.readonly && !!this.options.clickable;
    const stages = (this.field.selection ?? []).filter(([v]) => !visible.length || visible.includes(String(v)) || v === this.value);
    return html`<ol aria-label=${this.label}>${stages.map(([value, label]) => html`<li>
      <button type="button" ?disabled=${!clickable || value === this.value} aria-current=${value === this.value ? 'step' : 'false'}
        @click=${() => this.emit(value)}>${label}</button></li>`)}</ol>`;
  }
}
customElements.define('erp-field-statusbar', ErpFieldStatusbar);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-statusbar': ErpFieldStatusbar }
}
