import { html, css } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { FieldWidget } from './field-widget.ts';
import { linkRecords, removeRow, x2manyIds, emptyX2Many, type X2ManyValue } from '../x2many.ts';
import { _t } from '../i18n.ts';
import { tagColor } from '../tag-colors.ts';
import './erp-field-many2one.ts';


/**
 * Many2many records as removable tags, new ones picked with the many2one autocomplete
 * (`name_search` without the present ids, `name_create`). `options="{'color_field': 'color'}"`
 * colours the tags by that integer field of the related records.
 * @fires value-changed - the new X2ManyValue
 */
export class ErpFieldMany2manyTags extends FieldWidget<X2ManyValue> {
  static styles = [...FieldWidget.styles, css`
    .tags { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
    .badge { display: inline-flex; align-items: center; gap: 2px; }
    .badge button { border: 0; background: none; padding: 0 0 0 4px; line-height: 1; color: inherit; }
    erp-field-many2one { flex: 1; min-width: 140px; }
  `];

  render() {
    const value = this.value ?? emptyX2Many();
    const colorField = this.options.color_field as string | undefined;
    return html`<div class="tags">
      ${repeat(value.rows, (r) => r.key, (r) => html`<span class="badge"
          style=${colorField ? `background:${tagColor(r.data[colorField])}` : ''}>
        ${r.data.display_name ?? r.data.name}
        ${this.readonly ? '' : html`<button type="button" aria-label=${_t('Remove %s', String(r.data.display_name ?? ''))}
          @click=${() => this.emit(removeRow(value, r.key, 'unlink'))}>×</button>`}</span>`)}
      ${this.readonly ? '' : html`<erp-field-many2one .field=${{ ...this.field, type: 'many2one' }} .value=${false}
        .domain=${[...this.domain, ['id', 'not in', x2manyIds(value)]]} .context=${this.context} .options=${this.options}
        .attrs=${{ placeholder: this.attrs.placeholder ?? '', string: this.label }}
        @value-changed=${(e: CustomEvent<{ value: [number, string] | false }>) => {
          const picked = e.detail.value;
          if (picked) this.emit(linkRecords(value, [{ id: picked[0], display_name: picked[1] }]));
        }}></erp-field-many2one>`}
    </div>`;
  }
}
customElements.define('erp-field-many2many-tags', ErpFieldMany2manyTags);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-many2many-tags': ErpFieldMany2manyTags }
}
