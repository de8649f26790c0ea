import { LitElement, html, css, type TemplateResult } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { repeat } from 'lit/directives/repeat.js';
import { sharedStyles } from './styles.ts';
import { loadWindowAction, type LoadedAction } from './action-loader.ts';
import { andDomains } from '../../../../core/orm/domain/index.ts';
import { baseScope } from './modifiers.ts';
import { rpc } from './rpc.ts';
import { HashRouter, type RouterState } from './router.ts';
import { notify, notifyError } from './erp-notifications.ts';
import { userContext } from './session.ts';
import { _t } from './i18n.ts';
import type { DoActionDetail } from './actions.ts';
import type { OpenRecordDetail, ViewBase } from './view-base.ts';
import type { DialogDoneDetail, RecordChangedDetail } from './erp-form-view.ts';
import type { QueryItem } from './search-model.ts';
import type { Action, ClientAction, Context, Domain, ViewType, WindowAction } from './types.ts';
import './erp-list-view.ts';
import './erp-form-view.ts';
import './erp-kanban-view.ts';
import './erp-graph-view.ts';
import './erp-dialog.ts';

/** Detail of `action-shown`: the window action now on screen and the menu it was opened from. */
export interface ActionShownDetail {
  actionId: number | undefined;
  menuId: number | undefined;
}

/** One breadcrumb: a view of a loaded action, on a record for forms. */
interface Controller {
  key: number;
  info: LoadedAction;
  viewType: ViewType;
  resId: number | null;
  resIds: number[];
  title: string;
  menuId?: number;
}
/** A `target="new"` action shown as a form in a dialog. */
interface DialogEntry {
  key: number;
  info: LoadedAction;
  resId: number | null;
  onClose?: () => void;
}
export interface DoActionOptions {
  clearBreadcrumbs?: boolean;
  /** The menu the action is opened from; absent: the open action's; present but undefined (a URL without one): none. */
  menuId?: number;
  additionalContext?: Context;
  onClose?: () => void;
  viewType?: ViewType;
  resId?: number;
  query?: QueryItem[];
}

const MULTI: ViewType[] = ['list', 'kanban', 'graph'];

/** `/web/action/load` answers asked for ahead of time (start-up), each used once. */
const prefetched = new Map<string, Promise<Action>>();

/** Starts loading action `id` now (the client is still booting); the next doAction(id) uses it. */
export function prefetchAction(id: number | string): void {
  const p = rpc<Action>('/web/action/load', { action_id: id });
  p.catch(() => undefined); // doAction reports the failure, if it ever asks
  prefetched.set(String(id), p);
}

function loadAction(id: number | string): Promise<Action> {
  const p = prefetched.get(String(id));
  prefetched.delete(String(id));
  return p ?? rpc<Action>('/web/action/load', { action_id: id });
}

/**
 * Runs actions and keeps the breadcrumb stack: loads `/web/action/load`, window actions in
 * the main area (list/kanban/graph/form with the control panel) or, with `target="new"`, as
 * a form in a dialog; URL, client-notification and close actions. Keeps the URL in step
 * (deep links, back/forward) and asks the current view before leaving it (forms autosave).
 * Listens to the views' events: open-record, record-changed, record-deleted, discard-new,
 * breadcrumb-click, switch-view, search-changed, do-action, dialog-done, dialog-close.
 * @fires action-shown - a window action is on screen (its id and menu): the shell shows its app
 */
export class ErpActionManager extends LitElement {
  static properties = { stack: { state: true }, dialogs: { state: true }, loading: { state: true } };
  static styles = [sharedStyles, css`
    :host { display: flex; flex-direction: column; flex: 1; min-height: 0; }
    .o_view { flex: 1; min-height: 0; }
    .loading-bar { position: fixed; top: 0; left: 0; right: 0; height: 3px; z-index: 1001; background: linear-gradient(90deg, transparent, var(--erp-primary), transparent); background-size: 50% 100%; animation: load 1s infinite linear; }
    @keyframes load { from { background-position: -50% 0; } to { background-position: 150% 0; } }
    .empty { padding: 48px; text-align: center; color: var(--erp-muted); }
  `];
  declare stack: Controller[];
  declare dialogs: DialogEntry[];
  declare loading: boolean;
  private seq = 0;
  private keySeq = 0;
  private readonly router = new HashRouter();
  private unlisten?: () => void;
  /** Controllers dropped by the last "back" (restore): "forward" reopens a record with its list's ids. */
  private forward: Controller[] = [];

  constructor() {
    super();
    this.stack = [];
    this.dialogs = [];
    this.loading = false;
    const on = <T>(name: string, handler: (detail: T, e: CustomEvent<T>) => void) =>
      this.addEventListener(name, (e) => handler((e as CustomEvent<T>).detail, e as CustomEvent<T>));
    on<DoActionDetail>('do-action', (d) => void this.doAction(d.action, { additionalContext: d.context, onClose: d.onClose }));
    on<OpenRecordDetail>('open-record', (d, e) => !this.fromDialog(e) && this.openRecord(d.resId, d.resIds));
    on<RecordChangedDetail>('record-changed', (d, e) => !this.fromDialog(e) && this.recordChanged(d));
    on('record-deleted', (_d, e) => !this.fromDialog(e) && this.back(true));
    on('discard-new', (_d, e) => !this.fromDialog(e) && this.back(false));
    on<{ index: number }>('breadcrumb-click', (d) => void this.goToBreadcrumb(d.index));
    on<{ viewType: ViewType }>('switch-view', (d) => void this.switchView(d.viewType));
    on('search-changed', (_d, e) => !this.fromDialog(e) && this.searchChanged());
    on<DialogDoneDetail>('dialog-done', (d) => this.closeDialog(d.action));
    on('dialog-close', (_d, e) => {
      e.stopPropagation();
      this.closeDialog();
    });
  }

  connectedCallback() {
    super.connectedCallback();
    this.unlisten = this.router.listen((state) => void this.restore(state));
  }

  /** The main area says it is busy until the last action asked for is on screen. */
  updated(changed: Map<string, unknown>) {
    if (changed.has('loading')) this.setAttribute('aria-busy', String(this.loading));
  }

  disconnectedCallback() {
    this.unlisten?.();
    super.disconnectedCallback();
  }

  private fromDialog(e: Event): boolean {
    return e.composedPath().some((t) => t instanceof HTMLElement && t.tagName === 'ERP-DIALOG');
  }

  private get current(): Controller | undefined {
    return this.stack[this.stack.length - 1];
  }

  private currentView(): ViewBase | null {
    return this.renderRoot.querySelector<ViewBase>('.o_view');
  }

  /** Asks the current view whether it can be left (a dirty form saves first). */
  private async canLeave(): Promise<boolean> {
    return (await this.currentView()?.beforeLeave()) ?? true;
  }

  /** Runs an action: an id or xml id (loaded from the server) or an action dict. */
  async doAction(request: Action | number | string, opts: DoActionOptions = {}): Promise<void> {
    const seq = ++this.seq;
    this.loading = true;
    try {
      const action = typeof request === 'object' ? request : await loadAction(request);
      if (!action) throw new Error(_t('The action %s does not exist.', String(request)));
      switch (action.type) {
        case 'ir.actions.act_window': return await this.windowAction(action, opts, seq);
        case 'ir.actions.act_window_close': return this.closeDialog(undefined, opts.onClose);
        case 'ir.actions.act_url': {
          window.open(action.url, action.target === 'self' ? '_self' : '_blank', 'noopener');
          return;
        }
        case 'ir.actions.client': return this.clientAction(action, opts);
        default: throw new Error(_t('Actions of type %s are not supported.', (action as { type: string }).type));
      }
    } catch (err) {
      notifyError(err);
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }

  private clientAction(action: ClientAction, opts: DoActionOptions) {
    const p = action.params ?? {};
    if (action.tag === 'display_notification') {
      notify(p.message ?? '', { title: p.title, type: p.type ?? 'info', sticky: p.sticky });
      if (p.next) void this.doAction(p.next, opts);
      else opts.onClose?.();
    } else if (action.tag === 'reload' || action.tag === 'soft_reload') {
      window.location.reload();
    } else {
      notify(_t('The client action "%s" is not supported.', action.tag), { type: 'warning' });
    }
  }

  private async windowAction(action: WindowAction, opts: DoActionOptions, seq: number) {
    const info = await loadWindowAction(action, { additionalContext: opts.additionalContext, query: opts.query });
    if (seq !== this.seq) return;
    if (action.target === 'new') {
      if (!info.archs.form) throw new Error(_t('No form view for %s', action.res_model));
      this.dialogs = [...this.dialogs, { key: ++this.keySeq, info, resId: action.res_id || null, onClose: opts.onClose }];
      return;
    }
    // Leaving may save a form (a round trip): a later click may have opened another action meanwhile.
    if (!(await this.canLeave()) || seq !== this.seq) return;
    this.dialogs.forEach((d) => d.onClose?.());
    this.dialogs = [];
    // On a phone, a kanban view (when the action has one) reads better than a wide table.
    const phone = window.matchMedia('(max-width: 767px)').matches && info.archs.kanban;
    const first = phone ? 'kanban' : info.viewTypes.find((t) => MULTI.includes(t));
    const resId = opts.resId ?? (action.res_id || null);
    const multi = opts.viewType && MULTI.includes(opts.viewType) && info.archs[opts.viewType] ? opts.viewType : first;
    const formOnly = !multi || (!opts.viewType && !!action.res_id);
    const base = opts.clearBreadcrumbs ? [] : this.stack;
    // A URL (restore) says its menu, or has none: it does not inherit the menu of what was open.
    const menuId = 'menuId' in opts ? opts.menuId : this.current?.menuId;
    const title = action.name || info.model;
    const controllers: Controller[] = [];
    if (!formOnly) controllers.push({ key: ++this.keySeq, info, viewType: multi!, resId: null, resIds: [], title, menuId });
    if (formOnly || opts.viewType === 'form') {
      controllers.push({ key: ++this.keySeq, info, viewType: 'form', resId, resIds: resId ? [resId] : [], title: resId ? '…' : _t('New'), menuId });
    }
    this.stack = [...base, ...controllers];
    this.syncUrl('push');
    // The app shell follows what is on screen (a deep link's app is known only now).
    const shown: ActionShownDetail = { actionId: typeof info.action.id === 'number' ? info.action.id : undefined, menuId };
    this.dispatchEvent(new CustomEvent<ActionShownDetail>('action-shown', { detail: shown }));
  }

  private openRecord(resId: number | null, resIds: number[]) {
    const c = this.current;
    if (!c || !c.info.archs.form) return;
    this.stack = [...this.stack, { key: ++this.keySeq, info: c.info, viewType: 'form', resId, resIds, title: resId ? '…' : _t('New'), menuId: c.menuId }];
    this.syncUrl('push');
  }

  private recordChanged(d: RecordChangedDetail) {
    const c = this.current;
    if (!c || c.viewType !== 'form') return;
    const moved = c.resId !== d.resId;
    Object.assign(c, { resId: d.resId, title: d.displayName });
    if (d.resId && !c.resIds.includes(d.resId)) c.resIds = [...c.resIds, d.resId];
    this.stack = [...this.stack];
    this.syncUrl(moved ? 'push' : 'replace');
  }

  /** After a delete or discarding a new record: the previous breadcrumb, or the action's list. */
  private back(deleted: boolean) {
    if (this.stack.length > 1) {
      this.stack = this.stack.slice(0, -1);
    } else if (deleted && this.current) {
      const first = this.current.info.viewTypes.find((t) => MULTI.includes(t));
      if (!first) return;
      this.stack = [{ ...this.current, key: ++this.keySeq, viewType: first, resId: null, title: this.current.info.action.name || this.current.info.model }];
    }
    this.syncUrl('push');
  }

  private async goToBreadcrumb(index: number) {
    if (index >= this.stack.length - 1 || !(await this.canLeave())) return;
    this.stack = this.stack.slice(0, index + 1).map((c, i) => (i === index ? { ...c, key: ++this.keySeq } : c));
    this.syncUrl('push');
  }

  private async switchView(viewType: ViewType, ask = true) {
    const c = this.current;
    if (!c || !c.info.archs[viewType] || (ask && !(await this.canLeave()))) return;
    const title = c.viewType === 'form' ? c.info.action.name || c.info.model : c.title;
    this.stack = [...this.stack.slice(0, -1), { ...c, key: ++this.keySeq, viewType, resId: null, resIds: [], title }];
    this.syncUrl(ask ? 'push' : 'replace');
  }

  private searchChanged() {
    this.stack = [...this.stack];
    this.syncUrl('replace');
  }

  /** Closes the topmost dialog, runs its onClose, then an action it returned (if any). */
  private closeDialog(action?: Action, onClose?: () => void) {
    const top = this.dialogs[this.dialogs.length - 1];
    if (top) {
      this.dialogs = this.dialogs.slice(0, -1);
      top.onClose?.();
    } else {
      onClose?.();
    }
    if (action && action.type !== 'ir.actions.act_window_close') void this.doAction(action);
  }

  private syncUrl(mode: 'push' | 'replace') {
    const c = this.current;
    if (!c) return;
    const state: RouterState = {
      action: c.info.action.id || undefined, menu_id: c.menuId, model: c.info.model, view_type: c.viewType,
      id: c.viewType === 'form' && c.resId ? c.resId : undefined,
      search: c.viewType !== 'form' && c.info.searchModel.query.length ? c.info.searchModel.query : undefined,
    };
    this.router.navigate(state, mode);
    document.title = c.title;
  }

  /** Shows what a URL describes (start-up, back/forward, a pasted deep link). */
  async restore(state: RouterState, fallbackAction?: number | string): Promise<void> {
    const c = this.current;
    const sameAction = (ctl: Controller) => (state.action !== undefined ? ctl.info.action.id === state.action : ctl.info.model === state.model);
    const index = this.stack.findIndex((ctl) => sameAction(ctl) && ctl.viewType === (state.view_type ?? ctl.viewType) && (ctl.viewType !== 'form' || ctl.resId === (state.id ?? null)));
    if (index >= 0) {
      if (!(await this.canLeave())) return;
      this.forward = this.stack.slice(index + 1);
      this.stack = this.stack.slice(0, index + 1);
      if (state.search && this.current!.viewType !== 'form') this.current!.info.searchModel.setQuery(state.search);
      this.stack = [...this.stack];
      return;
    }
    if (c && sameAction(c) && state.view_type === 'form') {
      if (c.viewType !== 'form') {
        const before = this.forward.find((ctl) => ctl.viewType === 'form' && sameAction(ctl) && ctl.resId === (state.id ?? null));
        return this.openRecord(state.id ?? null, before?.resIds.length ? before.resIds : state.id ? [state.id] : []);
      }
      if (!(await this.canLeave())) return;
      this.stack = [...this.stack.slice(0, -1), { ...c, key: ++this.keySeq, resId: state.id ?? null, title: state.id ? '…' : _t('New') }];
      return;
    }
    if (c && sameAction(c) && state.view_type && MULTI.includes(state.view_type as ViewType)) {
      const multi = this.stack.map((ctl, i) => [ctl, i] as const).filter(([ctl]) => sameAction(ctl) && MULTI.includes(ctl.viewType)).pop();
      if (multi && !(await this.canLeave())) return;
      if (multi) this.stack = this.stack.slice(0, multi[1] + 1);
      if (state.search) this.current!.info.searchModel.setQuery(state.search);
      return this.switchView(state.view_type as ViewType, false);
    }
    const viewType = state.view_type as ViewType | undefined;
    if (state.action !== undefined) {
      return this.doAction(state.action, { clearBreadcrumbs: true, menuId: state.menu_id, viewType, resId: state.id, query: state.search });
    }
    if (state.model) {
      const action: WindowAction = { type: 'ir.actions.act_window', res_model: state.model, name: state.model, views: [[false, state.id ? 'form' : 'list'], [false, 'form']], res_id: state.id ?? false };
      return this.doAction(action, { clearBreadcrumbs: true, menuId: state.menu_id, viewType, resId: state.id });
    }
    if (fallbackAction !== undefined) return this.doAction(fallbackAction, { clearBreadcrumbs: true });
  }

  private renderView(c: Controller): TemplateResult {
    const info = c.info;
    const scope = baseScope({ ...userContext(), ...info.context });
    let search = { domain: [] as unknown[], context: {} as Context, groupBy: [] as string[] };
    try {
      search = info.searchModel.getSearch(scope);
    } catch (err) {
      notifyError(err);
    }
    const p = {
      model: info.model, arch: info.archs[c.viewType]!, fields: info.fields, models: info.models,
      domain: andDomains(info.domain as unknown[], search.domain as unknown[]) as Domain, context: { ...userContext(), ...info.context, ...search.context },
      groupBy: search.groupBy, breadcrumbs: this.stack.map((s) => s.title), actionName: info.action.name ?? '',
      viewTypes: info.viewTypes.filter((t) => MULTI.includes(t)), help: info.action.help || '', limit: info.action.limit || 80,
    };
    switch (c.viewType) {
      case 'list': return html`<erp-list-view class="o_view" .model=${p.model} .arch=${p.arch} .fields=${p.fields} .models=${p.models} .domain=${p.domain}
        .context=${p.context} .groupBy=${p.groupBy} .breadcrumbs=${p.breadcrumbs} .viewTypes=${p.viewTypes} .searchModel=${info.searchModel}
        .actionName=${p.actionName} .actionHelp=${p.help} .limit=${p.limit}></erp-list-view>`;
      case 'kanban': return html`<erp-kanban-view class="o_view" .model=${p.model} .arch=${p.arch} .fields=${p.fields} .models=${p.models} .domain=${p.domain}
        .context=${p.context} .groupBy=${p.groupBy} .breadcrumbs=${p.breadcrumbs} .viewTypes=${p.viewTypes} .searchModel=${info.searchModel}
        .actionName=${p.actionName} .actionHelp=${p.help}></erp-kanban-view>`;
      case 'graph': return html`<erp-graph-view class="o_view" .model=${p.model} .arch=${p.arch} .fields=${p.fields} .models=${p.models} .domain=${p.domain}
        .context=${p.context} .groupBy=${p.groupBy} .breadcrumbs=${p.breadcrumbs} .viewTypes=${p.viewTypes} .searchModel=${info.searchModel}
        .actionName=${p.actionName}></erp-graph-view>`;
      case 'form': return html`<erp-form-view class="o_view" .model=${p.model} .arch=${p.arch} .fields=${p.fields} .models=${p.models}
        .context=${{ ...userContext(), ...info.context }} .breadcrumbs=${p.breadcrumbs} .resId=${c.resId} .resIds=${c.resIds}
        .actionName=${p.actionName}></erp-form-view>`;
    }
  }

  private renderDialog(d: DialogEntry): TemplateResult {
    const info = d.info;
    return html`<erp-dialog heading=${info.action.name ?? ''}>
      <erp-form-view .inDialog=${true} .model=${info.model} .arch=${info.archs.form!} .fields=${info.fields} .models=${info.models}
        .context=${{ ...userContext(), ...info.context }} .resId=${d.resId} .actionName=${info.action.name ?? ''}></erp-form-view>
    </erp-dialog>`;
  }

  render() {
    const c = this.current;
    return html`${this.loading ? html`<div class="loading-bar" role="progressbar" aria-label=${_t('Loading…')}></div>` : ''}
      ${c ? keyed(c.key, this.renderView(c)) : this.loading ? '' : html`<p class="empty">${_t('Choose an application in the menu.')}</p>`}
      ${repeat(this.dialogs, (d) => d.key, (d) => this.renderDialog(d))}`;
  }
}
customElements.define('erp-action-manager', ErpActionManager);
declare global {
  interface HTMLElementTagNameMap { 'erp-action-manager': ErpActionManager }
}
