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
    ol { display: flex; flex-wrap: wrap; margin: 0; padding: 0; list-style: none; gap: 2px 0; }
    li + li { margin-left: -4px; }
    li button {
      border: 0; background: var(--erp-hover); color: var(--erp-muted); padding: 6px 18px 6px 22px; min-height: 32px;
      font-size: 0.85rem; clip-path: polygon(0 0, calc(100% - 10px) 0, 100% 50%, calc(100% - 10px) 100%, 0 100%, 10px 50%);
    }
    li:first-child button { clip-path: polygon(0 0, calc(100% - 10px) 0, 100% 50%, calc(100% - 10px) 100%, 0 100%); padding-left: 14px; border-radius: var(--erp-radius) 0 0 var(--erp-radius); }
    li:last-child button { clip-path: polygon(0 0, 100% 0, 100% 100%, 0 100%, 10px 50%); padding-right: 14px; border-radius: 0 var(--erp-radius) var(--erp-radius) 0; }
    li:only-child button { clip-path: none; padding: 6px 14px; border-radius: var(--erp-radius); }
    li button:not(:disabled):hover { background: var(--erp-selected); color: var(--erp-text); }
    li button[aria-current='step'] { background: var(--erp-primary); color: #fff; font-weight: 600; }
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
