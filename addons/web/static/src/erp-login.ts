import { LitElement, html, css } from 'lit';
import { sharedStyles } from './styles.ts';
import { rpc, RpcError } from './rpc.ts';
import { _t } from './i18n.ts';
import type { SessionInfo } from './types.ts';

/**
 * Logging in again without leaving the page, when the session expires while the user works
 * (unsaved edits stay on screen): `/web/session/authenticate {db, login, password}`.
 * The first login happens on the server-rendered `/web/login` page, linked from here too.
 * @fires login-success - `{session}` with the new session info
 */
export class ErpLogin extends LitElement {
  static properties = { db: {}, login: {}, error: { state: true }, busy: { state: true } };
  static styles = [sharedStyles, css`
    :host { position: fixed; inset: 0; z-index: 2000; display: flex; align-items: center; justify-content: center; background: rgba(0,0,0,.5); padding: 12px; }
    form { width: min(360px, 100%); background: #fff; border-radius: 8px; padding: 24px; display: grid; gap: 12px; box-shadow: 0 12px 40px rgba(0,0,0,.3); }
    h2 { margin: 0; font-size: 1.2rem; }
    label { display: grid; gap: 4px; font-weight: 600; font-size: .9rem; }
    .error { color: var(--erp-danger); background: #fdecee; padding: 8px; border-radius: var(--erp-radius); }
  `];
  declare db: string;
  declare login: string;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.db = '';
    this.login = '';
    this.error = '';
    this.busy = false;
  }

  private async submit(e: Event) {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    this.busy = true;
    this.error = '';
    try {
      const session = await rpc<SessionInfo>('/web/session/authenticate', { db: this.db, login: String(data.get('login')), password: String(data.get('password')) });
      if (!session?.uid) throw new RpcError(_t('Wrong login/password'), 'odoo.exceptions.AccessDenied');
      this.dispatchEvent(new CustomEvent('login-success', { detail: { session }, bubbles: true, composed: true }));
    } catch (err) {
      this.error = err instanceof RpcError && err.exceptionName === 'odoo.exceptions.AccessDenied' ? _t('Wrong login/password') : (err as Error).message;
    } finally {
      this.busy = false;
    }
  }

  render() {
    const redirect = encodeURIComponent(window.location.pathname + window.location.hash);
    return html`<form @submit=${this.submit} aria-labelledby="t">
      <h2 id="t">${_t('Your session has expired')}</h2>
      <p class="muted">${_t('Log in again to continue. Your unsaved changes stay on the page.')}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      <label>${_t('Login')}<input name="login" autocomplete="username" required .value=${this.login}></label>
      <label>${_t('Password')}<input name="password" type="password" autocomplete="current-password" required></label>
      <button class="btn btn-primary" ?disabled=${this.busy}>${_t('Log in')}</button>
      <a href="/web/login?redirect=${redirect}">${_t('Go to the login page')}</a>
    </form>`;
  }
}
customElements.define('erp-login', ErpLogin);
declare global {
  interface HTMLElementTagNameMap { 'erp-login': ErpLogin }
}
