import { html } from 'lit';
import { FieldWidget } from './field-widget.ts';

/**
 * Single-line text. `widget="email"|"url"|"phone"` render links when read-only.
 * @fires value-changed - the text, or false when emptied
 */
export class ErpFieldChar extends FieldWidget<string | false> {
  private href(v: string): string | undefined {
    switch (this.attrs.widget) {
      case 'email': return `mailto:${v}`;
      case 'phone': return `tel:${v}`;
      case 'url': return /^https?:\/\//.test(v) ? v : `https://${v}`;
      default: return undefined;
    }
  }

  render() {
    const v = this.value || '';
    if (this.readonly) {
      const href = v ? this.href(v) : undefined;
      return href
        ? html`<a class="readonly" href=${href} target="_blank" rel="noopener">${v}</a>`
        : html`<span class="readonly">${v}</span>`;
    }
    const type = { email: 'email', url: 'url', phone: 'tel' }[this.attrs.widget ?? ''] ?? 'text';
    return html`<input type=${type} .value=${v} placeholder=${this.placeholder} aria-label=${this.label}
      ?required=${this.required} @input=${(e: Event) => this.emit((e.target as HTMLInputElement).value || false)}>`;
  }
}
customElements.define('erp-field-char', ErpFieldChar);
declare global {
  interface HTMLElementTagNameMap { 'erp-field-char': ErpFieldChar }
}
