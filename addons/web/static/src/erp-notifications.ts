import { LitElement, html, css } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { sharedStyles } from './styles.ts';
import { RpcError } from './rpc.ts';
import { _t } from './i18n.ts';

export type NotificationType = 'info' | 'success' | 'warning' | 'danger';
export interface NotificationDetail {
  message: string;
  title?: string;
  type?: NotificationType;
  sticky?: boolean;
  /** A later notification with the same key replaces this one; `dismissNotification(key)` removes it. */
  key?: string;
}
interface Shown extends NotificationDetail {
  id: number;
}

/** Shows a notification (toast) from anywhere: `erp-notifications` listens on window. */
export function notify(message: string, opts: Omit<NotificationDetail, 'message'> = {}): void {
  window.dispatchEvent(new CustomEvent<NotificationDetail>('erp-notify', { detail: { message, ...opts } }));
}

/** Removes the toast shown under `key` (e.g. a form's validation errors once it saved). */
export function dismissNotification(key: string): void {
  window.dispatchEvent(new CustomEvent<string>('erp-notify-dismiss', { detail: key }));
}

const TITLES: Record<string, () => string> = {
  'odoo.exceptions.AccessError': () => _t('Access Error'),
  'odoo.exceptions.ValidationError': () => _t('Validation Error'),
  'odoo.exceptions.UserError': () => _t('User Error'),
  'odoo.exceptions.MissingError': () => _t('Missing Record'),
  'odoo.exceptions.AccessDenied': () => _t('Access Denied'),
};

/** Shows a failed call's readable message (`error.data.message`); an expired session is left to the login dialog. */
export function notifyError(err: unknown, key?: string): void {
  if (err instanceof RpcError) {
    if (err.isSessionExpired) return;
    notify(err.message, { type: 'danger', title: TITLES[err.exceptionName]?.() ?? _t('Error'), key });
  } else {
    console.error(err);
    notify(err instanceof Error ? err.message : String(err), { type: 'danger', title: _t('Error'), key });
  }
}

function sameToast(a: NotificationDetail, b: NotificationDetail): boolean {
  return a.message === b.message && a.title === b.title && a.type === b.type;
}

/**
 * The stack of toasts in the corner. Non-sticky ones fade after a few seconds.
 */
export class ErpNotifications extends LitElement {
  static properties = { items: { state: true } };
  static styles = [sharedStyles, css`
    :host { position: fixed; z-index: 1000; right: 12px; bottom: 12px; display: flex; flex-direction: column; gap: 8px; width: min(360px, calc(100vw - 24px)); }
    .toast { display: flex; gap: 8px; align-items: flex-start; background: #fff; border: 1px solid var(--erp-border); border-left: 4px solid var(--erp-info);
      border-radius: var(--erp-radius); box-shadow: 0 6px 16px rgba(0,0,0,.15); padding: 10px 12px; }
    .toast.success { border-left-color: var(--erp-success); } .toast.warning { border-left-color: var(--erp-warning); }
    .toast.danger { border-left-color: var(--erp-danger); }
    .body { flex: 1; min-width: 0; overflow-wrap: anywhere; white-space: pre-line; } strong { display: block; margin-bottom: 2px; }
  `];
  declare items: Shown[];
  private seq = 0;
  private readonly onNotify = (e: Event) => this.add((e as CustomEvent<NotificationDetail>).detail);
  private readonly onDismiss = (e: Event) => (this.items = this.items.filter((i) => i.key !== (e as CustomEvent<string>).detail));

  constructor() {
    super();
    this.items = [];
  }

  connectedCallback() {
    super.connectedCallback();
    window.addEventListener('erp-notify', this.onNotify);
    window.addEventListener('erp-notify-dismiss', this.onDismiss);
  }

  disconnectedCallback() {
    window.removeEventListener('erp-notify', this.onNotify);
    window.removeEventListener('erp-notify-dismiss', this.onDismiss);
    super.disconnectedCallback();
  }

  private add(detail: NotificationDetail) {
    const item = { ...detail, id: ++this.seq };
    // Repeating the same failing click replaces its toast instead of stacking copies.
    const others = this.items.filter((i) => (detail.key ? i.key !== detail.key : !sameToast(i, detail)));
    this.items = [...others.slice(-4), item];
    if (!detail.sticky) setTimeout(() => this.close(item.id), detail.type === 'danger' ? 10000 : 5000);
  }

  private close(id: number) {
    this.items = this.items.filter((i) => i.id !== id);
  }

  render() {
    return repeat(this.items, (i) => i.id, (i) => html`
      <div class="toast ${i.type ?? 'info'}" role=${i.type === 'danger' ? 'alert' : 'status'}>
        <div class="body">${i.title ? html`<strong>${i.title}</strong>` : ''}${i.message}</div>
        <button class="btn-icon btn btn-sm" aria-label=${_t('Close')} @click=${() => this.close(i.id)}>×</button>
      </div>`);
  }
}
customElements.define('erp-notifications', ErpNotifications);
declare global {
  interface HTMLElementTagNameMap { 'erp-notifications': ErpNotifications }
}
