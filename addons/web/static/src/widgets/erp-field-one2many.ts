import { html, css, type TemplateResult } from 'lit';
import { icon } from '../icons.ts';
import { repeat } from 'lit/directives/repeat.js';
import { FieldWidget, type ValueChangedDetail } from './field-widget.ts';
import { addRow, removeRow, updateRow, emptyX2Many, type X2ManyValue, type X2Row } from '../x2many.ts';
import { fieldNodes, boolAttr, type ArchNode } from '../arch.ts';
import { baseScope, fieldNodeState, recordScope } from '../modifiers.ts';
import { formatValue } from '../format.ts';
import { callKw } from '../rpc.ts';
import { notifyError } from '../erp-notifications.ts';
import { renderWidget, widgetFor } from '../widget-map.ts';
import { defaultsToValues } from '../form-data.ts';
import { currentLanguage, _t } from '../i18n.ts';
import type { FieldsInfo } from '../types.ts';

const NUMERIC = new Set(['integer', 'float']);

/** The list subview of an x2many field and its comodel's fields. */
export interface SubView {
  arch: ArchNode;
  fields: FieldsInfo;
}

/**
 * One2many lines as an inline list (the field's `<list>` subview, or the comodel's default
 * list): click a line to edit it in place, "Add a line" (with the comodel's `default_get`),
 * delete a line. Saved by the form with `(0,0,vals)`, `(1,id,vals)`, `(2,id)` commands.
 * @fires value-changed - the new X2ManyValue
 */
export class ErpFieldOne2many extends FieldWidget<X2ManyValue> {
  static properties = { ...FieldWidget.properties, subview: { attribute: false }, editing: { state: true } };
  static styles = [...FieldWidget.styles, css`
    .table-wrap { overflow-x: auto; }
    table { width: 100%; border-collapse: collapse; }
    th { text-align: left; font-weight: 600; border-bottom: 2px solid var(--erp-border); padding: 6px; white-space: nowrap; }
    td { border-bottom: 1px solid var(--erp-border); padding: 4px 6px; vertical-align: middle; }
    tbody tr:hover { background: var(--erp-hover); cursor: pointer; }
    td.actions { width: 32px; text-align: right; }
    .num { text-align: right; } td.num input { text-align: right; }
    .add { margin-top: 4px; }
  `];
  declare subview: SubView | undefined;
  declare editing: string | null;

  constructor() {
    super();
    this.editing = null;
  }

  private get columns(): ArchNode[] {
    if (!this.subview) return [];
    return fieldNodes(this.subview.arch).filter((n) => this.subview!.fields[n.attrs.name] && !boolAttr(n.attrs.column_invisible) && !['1', 'True'].includes(n.attrs.invisible ?? ''));
  }

  private async add() {
    const sub = this.subview!.fields;
    const inverse = this.field.relation_field;
    let defaults: Record<string, unknown>;
    try {
      const raw = await callKw<Record<string, unknown>>(this.field.relation!, 'default_get', [this.columns.map((c) => c.attrs.name)], { context: this.context });
      if (inverse) delete raw[inverse];
      defaults = await defaultsToValues(raw, sub, this.context);
    } catch (err) {
      notifyError(err);
      return;
    }
    const value = addRow(this.value ?? emptyX2Many(), defaults);
    this.editing = value.rows[value.rows.length - 1].key;
    this.emit(value);
  }

  private cell(row: X2Row, node: ArchNode): TemplateResult | string {
    const sub = this.subview!.fields;
    const field = sub[node.attrs.name];
    const scope = recordScope(row.data, sub, baseScope(this.context), recordScope(this.record, {}, baseScope(this.context)));
    const state = fieldNodeState(node.attrs, field, scope, this.readonly || this.editing !== row.key);
    if (state.invisible) return '';
    if (state.readonly) return formatValue(row.data[field.name], field, { lang: currentLanguage(), yes: '✓', no: '', records: (n) => _t('%s records', n) });
    return renderWidget(widgetFor(field, node.attrs.widget), {
      field, value: row.data[field.name], readonly: false, required: state.required, record: row.data, attrs: node.attrs,
      options: state.options, domain: state.domain, context: state.context, resModel: this.field.relation!,
      onChange: (e: CustomEvent<ValueChangedDetail>) => this.emit(updateRow(this.value, row.key, { [e.detail.name]: e.detail.value })),
    });
  }

  render(): TemplateResult {
    if (!this.subview) return html`<span class="muted">…</span>`;
    const value = this.value ?? emptyX2Many();
    const columns = this.columns;
    const sub = this.subview.fields;
    return html`<div class="table-wrap"><table>
        <thead><tr>${columns.map((c) => html`<th class=${NUMERIC.has(sub[c.attrs.name].type) ? 'num' : ''}>${c.attrs.string || sub[c.attrs.name].string}</th>`)}${this.readonly ? '' : html`<th></th>`}</tr></thead>
        <tbody>${repeat(value.rows, (r) => r.key, (r) => html`<tr @click=${() => !this.readonly && (this.editing = r.key)}>
          ${columns.map((c) => html`<td class=${NUMERIC.has(sub[c.attrs.name].type) ? 'num' : ''}>${this.cell(r, c)}</td>`)}
          ${this.readonly ? '' : html`<td class="actions"><button type="button" class="btn btn-icon btn-sm" aria-label=${_t('Delete line')}
            @click=${(e: Event) => { e.stopPropagation(); this.emit(removeRow(value, r.key, 'delete')); }}>${icon('trash')}</button></td>`}
        </tr>`)}</tbody>
      </table></div>
      ${this.readonly ? (value.rows.length ? '' : html`<span class="muted">${_t('No records')}</span>`) : html`
        <button type="button" class="btn btn-link add" @click=${this.add}>${_t('Add a line')}</button>`}`;
  }
}
customElements.define('erp-field-one2many', ErpFieldOne2many);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-one2many': ErpFieldOne2many }
}
