import { LitElement, html, css } from 'lit';
import { sharedStyles } from './styles.ts';
import { _t } from './i18n.ts';

/**
 * "1-80 / 203  ‹ ›": moves a window of `limit` over `total` items (limit 1 is the form's
 * record pager: "3 / 80"). Wraps around like Odoo.
 * @fires pager-change - `{offset}` of the new window
 */
export class ErpPager extends LitElement {
  static properties = { offset: { type: Number }, limit: { type: Number }, total: { type: Number } };
  static styles = [sharedStyles, css`
    :host { display: inline-flex; align-items: center; gap: 4px; white-space: nowrap; }
    .value { font-size: .9rem; padding: 0 4px; }
    .btn { min-width: 32px; justify-content: center; }
  `];
  declare offset: number;
  declare limit: number;
  declare total: number;

  constructor() {
    super();
    this.offset = 0;
    this.limit = 80;
    this.total = 0;
  }

  private go(direction: 1 | -1) {
    let offset = this.offset + direction * this.limit;
    if (offset >= this.total) offset = 0;
    if (offset < 0) offset = this.limit === 1 ? this.total - 1 : Math.max(0, Math.floor((this.total - 1) / this.limit) * this.limit);
    this.dispatchEvent(new CustomEvent('pager-change', { detail: { offset }, bubbles: true, composed: true }));
  }

  render() {
    if (this.total <= 0) return html``;
    const first = this.offset + 1;
    const last = Math.min(this.offset + this.limit, this.total);
    const single = this.total <= this.limit;
    return html`<span class="value" aria-live="polite">${this.limit === 1 || first === last ? first : `${first}-${last}`} / ${this.total}</span>
      <button class="btn btn-sm" aria-label=${_t('Previous')} ?disabled=${single} @click=${() => this.go(-1)}>‹</button>
      <button class="btn btn-sm" aria-label=${_t('Next')} ?disabled=${single} @click=${() => this.go(1)}>›</button>`;
  }
}
customElements.define('erp-pager', ErpPager);
declare global {
  interface HTMLElementTagNameMap { 'erp-pager': ErpPager }
}
