import { LitElement, html, css } from 'lit';
import { sharedStyles } from './styles.ts';
import { callKw, rpc, RpcError } from './rpc.ts';
import { setSession, session } from './session.ts';
import { setTranslations, _t } from './i18n.ts';
import { decodeRouterState } from './router.ts';
import { notifyError } from './erp-notifications.ts';
import { appOf, firstAction, menuOfAction, type MenuSelectDetail } from './erp-menu.ts';
import { prefetchAction } from './erp-action-manager.ts';
import type { ActionShownDetail, ErpActionManager } from './erp-action-manager.ts';
import type { MenuData, SessionInfo } from './types.ts';
import './erp-menu.ts';
import './erp-action-manager.ts';
import './erp-notifications.ts';
import './erp-login.ts';

/**
 * The web client's root: loads the session (or sends the user to `/web/login`), the user's
 * translations and menus, then shows the navbar, the action manager (opening the URL's
 * action, or the first app) and the notifications. Asks to log in again when the session
 * expires mid-work, and logs out.
 */
export class ErpApp extends LitElement {
  static properties = { state: { state: true }, menus: { state: true }, appId: { state: true }, expired: { state: true }, failure: { state: true } };
  static styles = [sharedStyles, css`
    :host { display: flex; flex-direction: column; height: 100vh; height: 100dvh; }
    erp-action-manager { flex: 1; min-height: 0; }
    .center { margin: auto; text-align: center; color: var(--erp-muted); padding: 24px; }
  `];
  declare state: 'loading' | 'ready' | 'failed';
  declare menus: MenuData | null;
  declare appId: number | undefined;
  declare expired: boolean;
  declare failure: string;
  private readonly onExpired = () => (this.expired = true);

  constructor() {
    super();
    this.state = 'loading';
    this.menus = null;
    this.expired = false;
    this.failure = '';
  }

  connectedCallback() {
    super.connectedCallback();
    window.addEventListener('erp-session-expired', this.onExpired);
    window.addEventListener('hashchange', this.onHashChange);
    void this.boot();
  }

  disconnectedCallback() {
    window.removeEventListener('erp-session-expired', this.onExpired);
    window.removeEventListener('hashchange', this.onHashChange);
    super.disconnectedCallback();
  }

  /** A URL pasted in the address bar (or back/forward) may belong to another app: show that app's menu. */
  private onHashChange = () => {
    if (this.state === 'ready') this.followRouteApp();
  };

  /** The app of the URL (back/forward, a pasted link): its menu_id's, or the app whose menu opens its action. */
  private followRouteApp() {
    const route = decodeRouterState(window.location.hash);
    const action = typeof route.action === 'number' ? route.action : undefined;
    this.showAppOf(route.menu_id, action);
  }

  /**
   * The action on screen decides the app when no menu was clicked (a link from an email, a
   * bookmark, an XML id in the URL): only the manager knows which action that is, once loaded.
   */
  private onActionShown(e: CustomEvent<ActionShownDetail>) {
    this.showAppOf(e.detail.menuId, e.detail.actionId);
  }

  /** Unchanged for an action no menu opens. */
  private showAppOf(menuId: number | undefined, actionId: number | undefined) {
    const menu = menuId ?? (actionId !== undefined ? menuOfAction(this.menus!, actionId) : undefined);
    const appId = menu !== undefined ? appOf(this.menus!, menu) : undefined;
    if (appId !== undefined) this.appId = appId;
  }

  private toLogin() {
    const redirect = window.location.pathname + window.location.search + window.location.hash;
    window.location.assign(`/web/login?redirect=${encodeURIComponent(redirect)}`);
  }

  async boot() {
    this.state = 'loading';
    // Menus and the URL's action load beside the session: fewer round trips before the first view.
    const route = decodeRouterState(window.location.hash);
    const menusLoading = rpc<MenuData>('/web/webclient/load_menus', {});
    menusLoading.catch(() => undefined); // an expired session is handled below
    if (route.action !== undefined) prefetchAction(route.action);
    let info: SessionInfo;
    try {
      info = await rpc<SessionInfo>('/web/session/get_session_info', {});
      if (!info?.uid) return this.toLogin();
    } catch (err) {
      if (err instanceof RpcError && err.isSessionExpired) return this.toLogin();
      [this.state, this.failure] = ['failed', (err as Error).message];
      return;
    }
    this.expired = false;
    setSession(info);
    document.documentElement.lang = (info.user_context.lang || 'en_US').replace('_', '-');
    try {
      const [translations, menus] = await Promise.all([
        rpc<{ lang: string; messages: Record<string, string> }>('/web/webclient/translations', { lang: info.user_context.lang }),
        menusLoading,
      ]);
      setTranslations(translations?.lang ?? info.user_context.lang, translations?.messages ?? {});
      this.menus = menus;
    } catch (err) {
      [this.state, this.failure] = ['failed', (err as Error).message];
      return;
    }
    const start = route.menu_id !== undefined ? route.menu_id : undefined;
    this.appId = start !== undefined ? appOf(this.menus!, start) : this.menus!.root.children[0];
    this.state = 'ready';
    await this.updateComplete;
    const fallback = this.appId !== undefined ? firstAction(this.menus!, this.appId) : undefined;
    const manager = this.renderRoot.querySelector<ErpActionManager>('erp-action-manager')!;
    if (!route.action && !route.model && fallback) {
      await manager.doAction(fallback.actionId, { clearBreadcrumbs: true, menuId: fallback.menuId });
    } else {
      await manager.restore(route);
    }
  }

  private onMenuSelect(e: CustomEvent<MenuSelectDetail>) {
    this.appId = e.detail.appId;
    void this.renderRoot.querySelector<ErpActionManager>('erp-action-manager')?.doAction(e.detail.actionId, { clearBreadcrumbs: true, menuId: e.detail.menuId });
  }

  /** Saves the user's new language, then reloads the client in it. */
  private async changeLang(e: CustomEvent<{ lang: string }>) {
    try {
      await callKw('res.users', 'preference_change_lang', [], { lang: e.detail.lang });
      window.location.reload();
    } catch (err) {
      notifyError(err);
    }
  }

  private async logout() {
    try {
      await rpc('/web/session/destroy', {});
    } catch (err) {
      notifyError(err);
    }
    window.location.assign('/web/login');
  }

  private onLogin(e: CustomEvent<{ session: SessionInfo }>) {
    setSession({ ...session(), ...e.detail.session });
    this.expired = false;
    window.dispatchEvent(new CustomEvent('erp-session-restored'));
  }

  render() {
    if (this.state === 'failed') {
      return html`<div class="center" role="alert"><p>${_t('The web client could not start: %s', this.failure)}</p>
        <button class="btn btn-primary" @click=${() => this.boot()}>${_t('Retry')}</button></div>`;
    }
    if (this.state === 'loading' || !this.menus) return html`<div class="center">${_t('Loading…')}</div>`;
    const info = session();
    return html`<erp-menu .menus=${this.menus} .appId=${this.appId} .userName=${info.name} .lang=${info.user_context.lang}
        @menu-select=${this.onMenuSelect} @logout=${this.logout} @lang-change=${this.changeLang}></erp-menu>
      <erp-action-manager @action-shown=${this.onActionShown}></erp-action-manager>
      <erp-notifications></erp-notifications>
      ${this.expired ? html`<erp-login .db=${info.db} .login=${info.username} @login-success=${this.onLogin}></erp-login>` : ''}`;
  }
}
customElements.define('erp-app', ErpApp);
declare global {
  interface HTMLElementTagNameMap { 'erp-app': ErpApp }
}
