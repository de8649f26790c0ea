/**
 * Deep links: the state of the web client in the URL hash, Odoo style
 * (`#action=12&model=helpdesk.ticket&view_type=form&id=5`), plus the active search facets.
 * `encodeRouterState`/`decodeRouterState` are pure; `HashRouter` binds them to the browser
 * history so back/forward move between views and records.
 */
import type { QueryItem } from './search-model.ts';

export interface RouterState {
  action?: number | string;
  menu_id?: number;
  model?: string;
  view_type?: string;
  id?: number;
  search?: QueryItem[];
}

const KEYS = ['action', 'menu_id', 'model', 'view_type', 'id'] as const;

export function encodeRouterState(state: RouterState): string {
  const parts: string[] = [];
  for (const key of KEYS) {
    const v = state[key];
    if (v !== undefined && v !== null && v !== '') parts.push(`${key}=${encodeURIComponent(String(v))}`);
  }
  if (state.search?.length) parts.push(`search=${encodeURIComponent(JSON.stringify(state.search))}`);
  return parts.join('&');
}

function isQueryItem(v: unknown): v is QueryItem {
  if (!v || typeof v !== 'object') return false;
  const q = v as Record<string, unknown>;
  const str = (k: string) => typeof q[k] === 'string';
  switch (q.type) {
    case 'filter': return str('key');
    case 'dateRange': return str('key') && str('from') && str('to');
    case 'groupBy': return str('spec') && (q.key === undefined || str('key'));
    case 'field': return str('name') && str('label') && (typeof q.value === 'string' || typeof q.value === 'number');
    default: return false;
  }
}

/** Parses a hash (with or without `#`); unknown keys and malformed values are dropped. */
export function decodeRouterState(hash: string): RouterState {
  const state: RouterState = {};
  for (const part of hash.replace(/^#/, '').split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq);
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1));
    } catch {
      continue;
    }
    const int = /^\d+$/.test(value) ? Number(value) : undefined;
    if (key === 'action' && value) state.action = int ?? value;
    else if ((key === 'id' || key === 'menu_id') && int !== undefined) state[key] = int;
    else if ((key === 'model' || key === 'view_type') && /^[\w.]+$/.test(value)) state[key] = value;
    else if (key === 'search') {
      try {
        const items: unknown = JSON.parse(value);
        if (Array.isArray(items)) state.search = items.filter(isQueryItem);
      } catch {
        /* a hand-edited, broken search parameter is ignored like any unknown key */
      }
    }
  }
  return state;
}

/** The browser binding: push/replace history entries, call back on back/forward. */
export class HashRouter {
  private last = '';

  current(): RouterState {
    return decodeRouterState(window.location.hash);
  }

  /** Records a new state: a history entry (`push`) or an in-place update (`replace`). */
  navigate(state: RouterState, mode: 'push' | 'replace' = 'push'): void {
    const hash = encodeRouterState(state);
    if (hash === window.location.hash.replace(/^#/, '')) return;
    this.last = hash;
    const url = `${window.location.pathname}${window.location.search}#${hash}`;
    if (mode === 'push') window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
  }

  /** Calls `cb` when the user moves in history or edits the hash. Returns the unsubscriber. */
  listen(cb: (state: RouterState) => void): () => void {
    const handler = () => {
      const hash = window.location.hash.replace(/^#/, '');
      if (hash === this.last) return;
      this.last = hash;
      cb(this.current());
    };
    window.addEventListener('popstate', handler);
    window.addEventListener('hashchange', handler);
    return () => {
      window.removeEventListener('popstate', handler);
      window.removeEventListener('hashchange', handler);
    };
  }
}
