import { LitElement, html, css } from 'lit';
import { sharedStyles } from './styles.ts';
import { deleteFavorite, favoriteItem, ownsFavorite, saveFavorite } from './favorites.ts';
import { baseScope } from './modifiers.ts';
import { notify, notifyError } from './erp-notifications.ts';
import { confirmDialog } from './erp-dialog.ts';
import { userContext } from './session.ts';
import { _t } from './i18n.ts';
import type { Favorite, SearchModel } from './search-model.ts';

/**
 * The Favorites column of the search panel: the saved searches of the model and action
 * (applied on click, Odoo-style: a favorite replaces the current search), a delete button
 * on the user's own ones, and "Save current search" with a name, "Default filter" (applied
 * when the action opens) and "Shared" (everyone sees it).
 * @fires favorite-applied - the search model's query changed
 */
export class ErpSearchFavorites extends LitElement {
  static properties = { search: { attribute: false }, favorites: { state: true }, saving: { state: true }, busy: { state: true } };
  static styles = [sharedStyles, css`
    :host { display: block; }
    .fav { display: flex; align-items: center; }
    .fav .dropdown-item { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; }
    .fav .delete { border: 0; background: none; color: var(--erp-muted); padding: 0 10px; font-size: 1.1rem; }
    .fav .delete:hover { color: var(--erp-danger); }
    .check { display: inline-block; width: 16px; color: var(--erp-primary); }
    .shared { font-size: .75rem; color: var(--erp-muted); margin-left: 6px; }
    form { display: grid; gap: 6px; padding: 4px 14px 8px; }
    form label.opt { display: flex; gap: 6px; align-items: center; font-size: .9rem; }
  `];
  declare search: SearchModel;
  declare favorites: Favorite[];
  declare saving: boolean;
  declare busy: boolean;

  constructor() {
    super();
    this.favorites = [];
    this.saving = false;
    this.busy = false;
  }

  willUpdate(changed: Map<PropertyKey, unknown>) {
    if (changed.has('search') && this.search) this.favorites = this.search.favorites;
  }

  private get scope() {
    return baseScope(userContext());
  }

  private applied() {
    this.requestUpdate();
    this.dispatchEvent(new CustomEvent('favorite-applied', { bubbles: true, composed: true }));
  }

  private toggle(f: Favorite) {
    this.search.toggleFavorite(favoriteItem(f, this.scope));
    this.applied();
  }

  private async removeFavorite(f: Favorite) {
    if (!(await confirmDialog(_t('Delete the favorite "%s"?', f.name), { danger: true, confirmLabel: _t('Delete') }))) return;
    try {
      this.favorites = this.search.favorites = await deleteFavorite(this.search, this.search.resModel, f.id);
      if (this.search.isFavoriteActive(f.id)) {
        this.search.query = this.search.query.filter((q) => q.type !== 'favorite');
        this.applied();
      }
    } catch (err) {
      notifyError(err);
    }
  }

  private async save(e: Event) {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const name = String(data.get('name') ?? '').trim();
    if (!name) {
      notify(_t('A favorite needs a name.'), { type: 'danger', title: _t('Invalid fields:') });
      return;
    }
    this.busy = true;
    try {
      const list = await saveFavorite(this.search, this.search.resModel, this.scope, { name, isDefault: data.get('is_default') === 'on', shared: data.get('shared') === 'on' });
      this.favorites = this.search.favorites = list;
      this.saving = false;
      const saved = [...list].reverse().find((f) => f.name === name) ?? list.find((f) => f.name === name);
      if (saved) {
        this.search.toggleFavorite(favoriteItem(saved, this.scope));
        this.applied();
      }
      notify(_t('Favorite "%s" saved', name), { type: 'success' });
    } catch (err) {
      notifyError(err);
    } finally {
      this.busy = false;
    }
  }

  render() {
    const uid = Number(userContext().uid);
    return html`<div class="dropdown-header">${_t('Favorites')}</div>
      ${this.favorites.map((f) => html`<div class="fav">
        <button class="dropdown-item" role="menuitemcheckbox" aria-checked=${String(this.search.isFavoriteActive(f.id))} @click=${() => this.toggle(f)}>
          <span class="check" aria-hidden="true">${this.search.isFavoriteActive(f.id) ? '✓' : ''}</span>${f.name}${f.is_default ? ` (${_t('default')})` : ''}${f.user_id ? '' : html`<span class="shared">${_t('shared')}</span>`}</button>
        ${ownsFavorite(f, uid) ? html`<button class="delete" aria-label=${_t('Delete favorite %s', f.name)} title=${_t('Delete')} @click=${() => this.removeFavorite(f)}>×</button>` : ''}
      </div>`)}
      ${this.favorites.length ? html`<div class="dropdown-divider"></div>` : ''}
      <button class="dropdown-item" aria-expanded=${String(this.saving)} @click=${() => (this.saving = !this.saving)}>${_t('Save current search')} ▾</button>
      ${this.saving ? html`<form @submit=${this.save}>
        <input name="name" aria-label=${_t('Favorite name')} placeholder=${_t('Favorite name')} required>
        <label class="opt"><input type="checkbox" name="is_default"> ${_t('Default filter')}</label>
        <label class="opt"><input type="checkbox" name="shared"> ${_t('Shared with all users')}</label>
        <button class="btn btn-primary btn-sm" ?disabled=${this.busy}>${_t('Save')}</button>
      </form>` : ''}`;
  }
}
customElements.define('erp-search-favorites', ErpSearchFavorites);
declare global {
  interface HTMLElementTagNameMap { 'erp-search-favorites': ErpSearchFavorites }
}
