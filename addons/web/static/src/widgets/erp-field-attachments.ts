import { html, css } from 'lit';
import { icon } from '../icons.ts';
import { repeat } from 'lit/directives/repeat.js';
import { FieldWidget } from './field-widget.ts';
import { linkRecords, removeRow, emptyX2Many, type X2ManyValue } from '../x2many.ts';
import { uploadAttachments } from '../rpc.ts';
import { notifyError } from '../erp-notifications.ts';
import { humanSize } from '../format.ts';
import { _t } from '../i18n.ts';

/**
 * Files of an x2many to `ir.attachment`: name, size and download link; when editable, an
 * upload button (`/web/binary/upload_attachment`, linked to the record on save) and removal.
 * @fires value-changed - the new X2ManyValue
 */
export class ErpFieldAttachments extends FieldWidget<X2ManyValue> {
  static properties = { ...FieldWidget.properties, uploading: { state: true } };
  static styles = [...FieldWidget.styles, css`
    ul { list-style: none; margin: 0 0 6px; padding: 0; }
    li { display: flex; gap: 8px; align-items: center; padding: 3px 0; }
    li a { overflow-wrap: anywhere; }
  `];
  declare uploading: boolean;

  private async upload(e: Event) {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    if (!files.length) return;
    this.uploading = true;
    try {
      const uploaded = await uploadAttachments(this.resModel, this.record.id ?? 0, files);
      this.emit(linkRecords(this.value ?? emptyX2Many(), uploaded.map((a) => ({ ...a }))));
    } catch (err) {
      notifyError(err);
    } finally {
      this.uploading = false;
    }
  }

  render() {
    const value = this.value ?? emptyX2Many();
    const mode = this.field.type === 'many2many' ? 'unlink' : 'delete';
    return html`<ul>${repeat(value.rows, (r) => r.key, (r) => html`<li>
        ${icon('clip')}
        <a href="/web/content/${r.id}?download=true" download>${r.data.name}</a>
        <span class="muted">${humanSize(r.data.file_size as number)}</span>
        ${this.readonly ? '' : html`<button type="button" class="btn btn-icon btn-sm" aria-label=${_t('Remove %s', String(r.data.name))}
          @click=${() => this.emit(removeRow(value, r.key, mode))}>×</button>`}
      </li>`)}</ul>
      ${!value.rows.length && this.readonly ? html`<span class="muted">${_t('No attachments')}</span>` : ''}
      ${this.readonly ? '' : html`<label class="btn btn-sm">${this.uploading ? _t('Uploading…') : _t('Attach files')}
        <input type="file" multiple class="sr-only" aria-label=${this.label} ?disabled=${this.uploading} @change=${this.upload}></label>`}`;
  }
}
customElements.define('erp-field-attachments', ErpFieldAttachments);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-attachments': ErpFieldAttachments }
}
