import { LitElement, html, css, type TemplateResult } from 'lit';
import { ClickOutsideController } from './click-outside.ts';
import { icon } from './icons.ts';
import { sharedStyles } from './styles.ts';
import { _t } from './i18n.ts';
import type { MenuData, MenuItem } from './types.ts';

/** The languages the user can switch to, by their own names (never translated). */
export const LANGUAGES: Array<[string, string]> = [['en_US', 'English'], ['es_ES', 'Español']];

export interface MenuSelectDetail {
  menuId: number;
  actionId: number;
  appId: number;
}

/** First action of a menu or of its first descendant that has one (opening an app). */
export function firstAction(menus: MenuData, id: number | 'root'): { menuId: number; actionId: number } | undefined {
  const item = menus[String(id)];
  if (!item) return undefined;
  if (item.action_id && typeof item.id === 'number') return { menuId: item.id, actionId: item.action_id };
  for (const child of item.children) {
    const found = firstAction(menus, child);
    if (found) return found;
  }
  return undefined;
}

/** The app (top-level menu) containing menu `id`. */
export function appOf(menus: MenuData, id: number): number | undefined {
  return menus.root.children.find(function contains(appId: number): boolean {
    return appId === id || (menus[String(appId)]?.children ?? []).some(contains);
  });
}

/** The first menu (in menu order) that opens action `actionId`: where a deep link without `menu_id` belongs. */
export function menuOfAction(menus: MenuData, actionId: number): number | undefined {
  const visit = (id: number): number | undefined => {
    const item = menus[String(id)];
    if (!item) return undefined;
    if (item.action_id === actionId) return id;
    for (const child of item.children) {
      const found = visit(child);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  for (const appId of menus.root.children) {
    const found = visit(appId);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The top navbar: the apps menu (the top-level menus), the current app's sections (nested
 * menus as dropdowns; a hamburger panel on phones) and the user menu with "Log out".
 * Menus arrive already filtered by the server for the user's groups.
 * @fires menu-select - `{menuId, actionId, appId}`
 * @fires logout - the user asked to log out
 * @fires lang-change - `{lang}` picked in the user menu
 */
export class ErpMenu extends LitElement {
  static properties = { menus: { attribute: false }, appId: { type: Number }, userName: {}, lang: {}, open: { state: true } };
  static styles = [sharedStyles, css`
    :host { display: block; background: var(--erp-nav-bg); color: #fff; position: relative; z-index: 50; }
    nav { display: flex; align-items: center; gap: 2px; height: 46px; padding: 0 8px; }
    .nav-btn { border: 0; background: none; color: #fff; padding: 0 12px; height: 46px; display: inline-flex; align-items: center; gap: 6px; font-size: .95rem; white-space: nowrap; }
    .nav-btn:hover, .nav-btn[aria-expanded='true'] { background: rgba(255,255,255,.14); }
    .app-name { font-weight: 600; font-size: 1.05rem; }
    .sections { display: flex; align-items: center; min-width: 0; overflow: visible; }
    .spacer { flex: 1; }
    .apps { display: grid; grid-template-columns: repeat(auto-fill, minmax(110px, 1fr)); gap: 8px; padding: 12px; width: min(420px, 92vw); }
    .app { display: flex; flex-direction: column; align-items: center; gap: 6px; padding: 10px 4px; border: 0; background: none; border-radius: 6px; color: var(--erp-text); text-align: center; font-size: .88rem; }
    .app:hover { background: var(--erp-hover); }
    .icon { width: 48px; height: 48px; border-radius: 10px; background: var(--erp-primary); color: #fff; display: flex; align-items: center; justify-content: center; font-size: 1.4rem; font-weight: 700; }
    .burger { display: none; }
    .panel { position: absolute; left: 0; right: 0; top: 46px; background: #fff; border-bottom: 1px solid var(--erp-border); box-shadow: 0 6px 16px rgba(0,0,0,.15); padding: 4px 0; max-height: 80vh; overflow: auto; }
    .panel .dropdown-header { padding-top: 10px; }
    .user { max-width: 180px; overflow: hidden; text-overflow: ellipsis; }
    .check { width: 16px; color: var(--erp-primary); }
    @media (max-width: 767px) {
      .sections { display: none; }
      .burger { display: inline-flex; }
      .user-name { display: none; }
    }
  `];
  declare menus: MenuData;
  declare appId: number | undefined;
  declare userName: string;
  /** The user's language (`en_US`), checked in the user menu. */
  declare lang: string;
  /** Which dropdown is open: 'apps', 'user', 'burger', or a section menu id. */
  declare open: string | null;
  /** Closes the panel when the user clicks elsewhere. */
  private readonly clickOutside = new ClickOutsideController(this, () => (this.open = null));

  constructor() {
    super();
    this.userName = '';
    this.lang = 'en_US';
    this.open = null;
  }

  private item(id: number): MenuItem | undefined {
    return this.menus?.[String(id)];
  }

  private select(id: number) {
    const found = firstAction(this.menus, id);
    this.open = null;
    if (!found) return;
    const appId = appOf(this.menus, id) ?? id;
    this.dispatchEvent(new CustomEvent<MenuSelectDetail>('menu-select', { detail: { ...found, appId }, bubbles: true, composed: true }));
  }

  private toggle(key: string) {
    this.open = this.open === key ? null : key;
  }

  /** A section's children as dropdown items; deeper levels become headers with their items. */
  private entries(id: number): TemplateResult[] {
    return (this.item(id)?.children ?? []).flatMap((childId) => {
      const child = this.item(childId);
      if (!child) return [];
      if (child.children.length) {
        return [html`<div class="dropdown-header">${child.name}</div>`, ...this.entries(childId)];
      }
      return [html`<button class="dropdown-item" role="menuitem" @click=${() => this.select(childId)}>${child.name}</button>`];
    });
  }

  private section(id: number): TemplateResult | string {
    const s = this.item(id);
    if (!s) return '';
    if (!s.children.length) return html`<button class="nav-btn" @click=${() => this.select(id)}>${s.name}</button>`;
    const key = String(id);
    return html`<div class="dropdown"><button class="nav-btn" aria-haspopup="menu" aria-expanded=${String(this.open === key)} @click=${() => this.toggle(key)}>${s.name} ▾</button>
      ${this.open === key ? html`<div class="dropdown-menu" role="menu">${this.entries(id)}</div>` : ''}</div>`;
  }

  render() {
    if (!this.menus) return html``;
    const app = this.appId !== undefined ? this.item(this.appId) : undefined;
    const sections = app?.children ?? [];
    return html`<nav aria-label=${_t('Main menu')}>
      <div class="dropdown"><button class="nav-btn" aria-label=${_t('Applications')} aria-haspopup="menu" aria-expanded=${String(this.open === 'apps')}
        @click=${() => this.toggle('apps')}>${icon('apps')}</button>
        ${this.open === 'apps' ? html`<div class="dropdown-menu apps" role="menu">${this.menus.root.children.map((id) => {
          const a = this.item(id);
          return a ? html`<button class="app" role="menuitem" @click=${() => this.select(id)}><span class="icon" aria-hidden="true">${a.name.charAt(0)}</span>${a.name}</button>` : '';
        })}</div>` : ''}</div>
      ${app ? html`<button class="nav-btn app-name" @click=${() => this.select(this.appId!)}>${app.name}</button>` : ''}
      ${sections.length ? html`<button class="nav-btn burger" aria-label=${_t('Menu')} aria-expanded=${String(this.open === 'burger')} @click=${() => this.toggle('burger')}>${icon('menu')}</button>` : ''}
      <div class="sections">${sections.map((id) => this.section(id))}</div>
      <span class="spacer"></span>
      <div class="dropdown"><button class="nav-btn user" aria-haspopup="menu" aria-expanded=${String(this.open === 'user')} @click=${() => this.toggle('user')}>
        ${icon('user')}<span class="user-name">${this.userName}</span></button>
        ${this.open === 'user' ? html`<div class="dropdown-menu right" role="menu">
          <div class="dropdown-header">${this.userName}</div>
          <div class="dropdown-header">${_t('Language')}</div>
          ${LANGUAGES.map(([code, name]) => html`<button class="dropdown-item" role="menuitemradio" lang=${code.replace('_', '-')} aria-checked=${String(code === this.lang)}
            @click=${() => { this.open = null; if (code !== this.lang) this.dispatchEvent(new CustomEvent('lang-change', { detail: { lang: code }, bubbles: true, composed: true })); }}>
            <span class="check" aria-hidden="true">${code === this.lang ? '✓' : ''}</span>${name}</button>`)}
          <div class="dropdown-divider"></div>
          <button class="dropdown-item" role="menuitem" @click=${() => this.dispatchEvent(new CustomEvent('logout', { bubbles: true, composed: true }))}>${_t('Log out')}</button>
        </div>` : ''}</div>
    </nav>
    ${this.open === 'burger' ? html`<div class="panel" role="menu">${sections.map((id) => {
      const s = this.item(id);
      if (!s) return '';
      return s.children.length ? html`<div class="dropdown-header">${s.name}</div>${this.entries(id)}` : html`<button class="dropdown-item" @click=${() => this.select(id)}>${s.name}</button>`;
    })}</div>` : ''}`;
  }
}
customElements.define('erp-menu', ErpMenu);
declare global {
  interface HTMLElementTagNameMap { 'erp-menu': ErpMenu }
}
