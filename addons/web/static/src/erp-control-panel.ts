import { LitElement, html, css } from 'lit';
import { icon } from './icons.ts';
import { sharedStyles } from './styles.ts';
import { _t } from './i18n.ts';
import type { ViewType } from './types.ts';

const VIEW_ICONS = { list: 'list', kanban: 'kanban', graph: 'graph', form: 'form' } as const;
const VIEW_LABELS: Record<ViewType, () => string> = {
  list: () => _t('List'), kanban: () => _t('Kanban'), graph: () => _t('Graph'), form: () => _t('Form'),
};

/**
 * The bar above every view: breadcrumbs, the view's buttons (`buttons` slot), its extra
 * actions (`actions` slot), the search bar (`search` slot), the pager (`pager` slot) and the
 * switcher between the action's multi-record views.
 * @fires breadcrumb-click - `{index}` of the clicked breadcrumb
 * @fires switch-view - `{viewType}` picked in the switcher
 */
export class ErpControlPanel extends LitElement {
  static properties = { breadcrumbs: { attribute: false }, viewTypes: { attribute: false }, activeView: {}, hasSearch: { type: Boolean } };
  static styles = [sharedStyles, css`
    :host { display: block; background: #fff; border-bottom: 1px solid var(--erp-border); padding: 8px 16px; }
    .top { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
    .left { flex: 1 1 auto; display: flex; align-items: center; gap: 8px; min-width: 0; }
    .search { flex: 1 1 320px; max-width: 720px; min-width: 0; }
    nav { min-width: 0; overflow: hidden; }
    ol { display: flex; align-items: center; margin: 0; padding: 0; list-style: none; min-width: 0; font-size: 1.1rem; }
    li { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    li + li::before { content: '/'; color: var(--erp-muted); margin: 0 6px; }
    li a { color: var(--erp-link); text-decoration: none; cursor: pointer; }
    li[aria-current] { font-weight: 600; }
    .right { display: flex; align-items: center; justify-content: flex-end; gap: 8px; flex-wrap: wrap; margin-left: auto; }
    .switcher { display: inline-flex; }
    .switcher .btn { border-radius: 0; margin-left: -1px; }
    .switcher .btn:first-child { border-radius: var(--erp-radius) 0 0 var(--erp-radius); margin-left: 0; }
    .switcher .btn:last-child { border-radius: 0 var(--erp-radius) var(--erp-radius) 0; }
    .switcher .btn[aria-pressed='true'] { background: var(--erp-hover); color: var(--erp-primary); }
    @media (max-width: 767px) {
      :host { padding: 6px 8px; }
      /* The buttons keep one row; a breadcrumb that does not fit beside them goes below. */
      .left { flex-wrap: wrap; }
      ::slotted([slot='buttons']) { flex: none; max-width: 100%; }
      .search { order: 3; flex-basis: 100%; max-width: none; }
      ol { font-size: 1rem; }
    }
  `];
  declare breadcrumbs: string[];
  declare viewTypes: ViewType[];
  declare activeView: ViewType;
  declare hasSearch: boolean;

  constructor() {
    super();
    this.breadcrumbs = [];
    this.viewTypes = [];
    this.hasSearch = false;
  }

  private fire(name: string, detail: unknown) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  render() {
    const crumbs = this.breadcrumbs;
    return html`<div class="top">
      <div class="left">
        <slot name="buttons"></slot>
        <nav aria-label=${_t('Breadcrumb')}><ol>${crumbs.map((label, i) => i === crumbs.length - 1
          ? html`<li aria-current="page">${label}</li>`
          : html`<li><a role="link" tabindex="0" @click=${() => this.fire('breadcrumb-click', { index: i })}
              @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.fire('breadcrumb-click', { index: i })}>${label}</a></li>`)}</ol></nav>
        <slot name="actions"></slot>
      </div>
      ${this.hasSearch ? html`<div class="search"><slot name="search"></slot></div>` : ''}
      <div class="right">
        <slot name="pager"></slot>
        ${this.viewTypes.length > 1 ? html`<div class="switcher" role="group" aria-label=${_t('Views')}>${this.viewTypes.map((v) => html`
          <button class="btn btn-sm" title=${VIEW_LABELS[v]()} aria-label=${VIEW_LABELS[v]()} aria-pressed=${String(v === this.activeView)}
            @click=${() => v !== this.activeView && this.fire('switch-view', { viewType: v })}>${icon(VIEW_ICONS[v])}</button>`)}</div>` : ''}
      </div>
    </div>`;
  }
}
customElements.define('erp-control-panel', ErpControlPanel);
declare global {
  interface HTMLElementTagNameMap { 'erp-control-panel': ErpControlPanel }
}
