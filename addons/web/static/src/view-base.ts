/**
 * What every view gets from `erp-action-manager` (the processed arch and fields, the action's
 * domain and context merged with the search, breadcrumbs…) and the events it sends back.
 * Views are renderers of the arch: they load their data from these properties.
 */
import { LitElement, html, type PropertyValues, type TemplateResult } from 'lit';
import { sharedStyles } from './styles.ts';
import type { ArchNode } from './arch.ts';
import type { SearchModel } from './search-model.ts';
import type { Context, Domain, FieldsInfo, ViewType } from './types.ts';
import './erp-control-panel.ts';
import './erp-search-bar.ts';
import './erp-pager.ts';

export interface OpenRecordDetail {
  resId: number | null;
  resIds: number[];
}

export abstract class ViewBase extends LitElement {
  static properties = {
    model: {},
    arch: { attribute: false },
    fields: { attribute: false },
    models: { attribute: false },
    domain: { attribute: false },
    context: { attribute: false },
    groupBy: { attribute: false },
    breadcrumbs: { attribute: false },
    viewTypes: { attribute: false },
    searchModel: { attribute: false },
    actionName: {},
    actionHelp: {},
    limit: { type: Number },
  };
  static styles = [sharedStyles];

  declare model: string;
  declare arch: ArchNode;
  declare fields: FieldsInfo;
  /** All models' fields from get_views (comodels of inline subviews). */
  declare models: Record<string, FieldsInfo>;
  declare domain: Domain;
  declare context: Context;
  declare groupBy: string[];
  declare breadcrumbs: string[];
  declare viewTypes: ViewType[];
  declare searchModel: SearchModel | null;
  declare actionName: string;
  declare actionHelp: string;
  declare limit: number;

  abstract readonly viewType: ViewType;
  /** Loads the view's data from its properties. */
  abstract load(): Promise<void>;
  /** The last load failed (e.g. the session expired): it is retried once the user logs in again. */
  protected loadFailed = false;
  private readonly onSessionRestored = () => {
    if (this.loadFailed) void this.load();
  };

  constructor() {
    super();
    this.models = {};
    this.domain = [];
    this.context = {};
    this.groupBy = [];
    this.breadcrumbs = [];
    this.viewTypes = [];
    this.searchModel = null;
    this.actionName = '';
    this.actionHelp = '';
    this.limit = 80;
  }

  private loadKey = '';

  connectedCallback() {
    super.connectedCallback();
    window.addEventListener('erp-session-restored', this.onSessionRestored);
  }

  disconnectedCallback() {
    window.removeEventListener('erp-session-restored', this.onSessionRestored);
    super.disconnectedCallback();
  }

  /**
   * Whether the view must load its data again: another arch, model or fields, or other
   * domain/context/group-by values (the action manager passes new objects on every render).
   */
  protected needsReload(changed: PropertyValues): boolean {
    const key = JSON.stringify([this.domain, this.context, this.groupBy]);
    const structural = changed.has('arch') || changed.has('model') || changed.has('fields');
    if (!structural && key === this.loadKey) return false;
    this.loadKey = key;
    return true;
  }

  /** Asked before the action manager leaves this view; false keeps the user here. */
  async beforeLeave(): Promise<boolean> {
    return true;
  }

  protected fire<T>(name: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(name, { detail, bubbles: true, composed: true }));
  }

  protected openRecord(resId: number | null, resIds: number[] = []): void {
    this.fire<OpenRecordDetail>('open-record', { resId, resIds });
  }

  /** The control panel with this view's buttons, actions and pager, and the search bar when there is one. */
  protected controlPanel(parts: { buttons?: TemplateResult | string; actions?: TemplateResult | string; pager?: TemplateResult | string; search?: boolean; scrollButtons?: boolean }): TemplateResult {
    const search = parts.search !== false && !!this.searchModel;
    return html`<erp-control-panel .breadcrumbs=${this.breadcrumbs} .viewTypes=${this.viewTypes} .activeView=${this.viewType} .hasSearch=${search}>
      <div slot="buttons" class="cp-buttons ${parts.scrollButtons ? 'scroll-x' : ''}">${parts.buttons ?? ''}</div>
      <div slot="actions">${parts.actions ?? ''}</div>
      ${search ? html`<erp-search-bar slot="search" .model=${this.searchModel} .query=${this.searchModel!.query}></erp-search-bar>` : ''}
      <div slot="pager">${parts.pager ?? ''}</div>
    </erp-control-panel>`;
  }
}
