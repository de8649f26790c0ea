import { html } from 'lit';
import { icon } from '../icons.ts';
import { FieldWidget } from './field-widget.ts';
import { humanSize } from '../format.ts';
import { _t } from '../i18n.ts';

/**
 * A file stored in a binary field (base64 on the wire): download, replace, clear.
 * `filename="<field>"` names the record field holding the file name.
 * @fires value-changed - the new base64 content, or false when cleared
 */
export class ErpFieldBinary extends FieldWidget<string | false> {
  private download() {
    const bytes = Uint8Array.from(atob(this.value as string), (c) => c.charCodeAt(0));
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([bytes]));
    a.download = String(this.record[this.attrs.filename ?? ''] || this.field.string || 'file');
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  private async pick(e: Event) {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    const data = await new Promise<string>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
    this.emit(data);
  }

  render() {
    const v = this.value;
    return html`
      ${v ? html`<button type="button" class="btn btn-link" @click=${this.download}>${icon('download')} ${_t('Download')} (${humanSize(Math.floor((v.length * 3) / 4))})</button>` : ''}
      ${this.readonly ? '' : html`
        <label class="btn btn-sm">${v ? _t('Replace') : _t('Upload your file')}
          <input type="file" class="sr-only" aria-label=${this.label} @change=${this.pick}></label>
        ${v ? html`<button type="button" class="btn btn-sm" @click=${() => this.emit(false)}>${_t('Clear')}</button>` : ''}`}`;
  }
}
customElements.define('erp-field-binary', ErpFieldBinary);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-binary': ErpFieldBinary }
}
