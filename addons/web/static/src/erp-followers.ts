import { LitElement, html, css, type PropertyValues } from 'lit';
import { ClickOutsideController } from './click-outside.ts';
import { icon } from './icons.ts';
import { sharedStyles } from './styles.ts';
import { callKw } from './rpc.ts';
import { notifyError } from './erp-notifications.ts';
import { _t } from './i18n.ts';
import type { FieldInfo, Many2oneValue } from './types.ts';
import './widgets/erp-field-many2one.ts';

interface FollowerInfo {
  followers: Array<{ id: number; partner_id: [number, string]; email: string | false }>;
  own_partner_id: number | false;
  can_edit: boolean;
}

/** The partner picker of "Add follower": a many2one on res.partner without creation. */
const PARTNER_FIELD: FieldInfo = { name: 'partner_id', type: 'many2one', string: 'Add follower', relation: 'res.partner' } as FieldInfo;

/**
 * The followers of a record (`message_get_followers`): a button with their count opening
 * the list of their names and emails; "Follow"/"Unfollow" for oneself (read access suffices);
 * adding a partner (autocomplete) and removing a follower only when the server says the user
 * may write the record (`can_edit`). The server checks every change again.
 * @fires followers-changed - `{count}` after a change
 */
export class ErpFollowers extends LitElement {
  static properties = { model: {}, resId: { type: Number }, info: { state: true }, open: { state: true }, busy: { state: true } };
  static styles = [sharedStyles, css`
    :host { display: inline-block; position: relative; }
    .dropdown-menu { left: auto; right: 0; min-width: 260px; max-width: min(340px, 92vw); padding: 6px 0; }
    .follower { display: flex; align-items: center; gap: 8px; padding: 4px 14px; }
    .follower .name { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; color: var(--erp-text); }
    .follower .email { display: block; font-size: .8rem; color: var(--erp-muted); overflow: hidden; text-overflow: ellipsis; }
    .follower button { border: 0; background: none; color: var(--erp-muted); padding: 0 4px; font-size: 1.1rem; }
    .follower button:hover { color: var(--erp-danger); }
    .add { padding: 6px 14px 4px; }
    .actions { padding: 4px 14px; }
  `];
  declare model: string;
  declare resId: number;
  declare info: FollowerInfo | null;
  declare open: boolean;
  declare busy: boolean;
  private seq = 0;
  private readonly clickOutside = new ClickOutsideController(this, () => (this.open = false));

  constructor() {
    super();
    this.resId = 0;
    this.info = null;
    this.open = false;
    this.busy = false;
  }

  willUpdate(changed: PropertyValues<this>) {
    if ((changed.has('resId') || changed.has('model')) && this.model && this.resId) void this.load();
  }

  async load() {
    const seq = ++this.seq;
    try {
      const info = await callKw<FollowerInfo>(this.model, 'message_get_followers', [[this.resId]]);
      if (seq === this.seq) this.info = info;
    } catch (err) {
      notifyError(err);
    }
  }

  private async change(method: 'message_subscribe' | 'message_unsubscribe', partnerIds: number[]) {
    this.busy = true;
    try {
      await callKw(this.model, method, [[this.resId]], { partner_ids: partnerIds });
      await this.load();
      this.dispatchEvent(new CustomEvent('followers-changed', { detail: { count: this.info?.followers.length ?? 0 }, bubbles: true, composed: true }));
    } catch (err) {
      notifyError(err);
    } finally {
      this.busy = false;
    }
  }

  private renderMenu(info: FollowerInfo) {
    const own = info.own_partner_id;
    const following = info.followers.some((f) => f.partner_id[0] === own);
    return html`<div class="dropdown-menu" role="dialog" aria-label=${_t('Followers')}>
      <div class="dropdown-header">${_t('Followers')}</div>
      ${info.followers.length ? '' : html`<div class="follower muted">${_t('No followers')}</div>`}
      ${info.followers.map((f) => html`<div class="follower" data-partner=${f.partner_id[0]}>
        <span class="name">${f.partner_id[1]}${f.email ? html`<span class="email">${f.email}</span>` : ''}</span>
        ${info.can_edit ? html`<button aria-label=${_t('Remove %s', f.partner_id[1])} title=${_t('Remove this follower')} ?disabled=${this.busy}
          @click=${() => this.change('message_unsubscribe', [f.partner_id[0]])}>×</button>` : ''}
      </div>`)}
      ${info.can_edit ? html`<div class="dropdown-divider"></div><div class="add">
        <erp-field-many2one .field=${PARTNER_FIELD} .value=${false} .options=${{ no_create: true }}
          .attrs=${{ string: _t('Add follower'), placeholder: _t('Add a follower…') }}
          .domain=${[['id', 'not in', info.followers.map((f) => f.partner_id[0])]]}
          @value-changed=${(e: CustomEvent<{ value: Many2oneValue }>) => e.detail.value && this.change('message_subscribe', [e.detail.value[0]])}></erp-field-many2one>
      </div>` : ''}
      ${own ? html`<div class="actions"><button class="btn btn-sm" ?disabled=${this.busy}
        @click=${() => this.change(following ? 'message_unsubscribe' : 'message_subscribe', [own])}>${following ? _t('Unfollow') : _t('Follow')}</button></div>` : ''}
    </div>`;
  }

  render() {
    const count = this.info?.followers.length ?? 0;
    return html`<button class="btn btn-link followers" aria-expanded=${String(this.open)} aria-label=${_t('Followers (%s)', count)} title=${_t('Followers')}
        @click=${() => (this.open = !this.open)}>${icon('user')} ${count}</button>
      ${this.open && this.info ? this.renderMenu(this.info) : ''}`;
  }
}
customElements.define('erp-followers', ErpFollowers);
declare global {
  interface HTMLElementTagNameMap { 'erp-followers': ErpFollowers }
}
