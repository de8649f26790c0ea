/**
 * The shapes the web client exchanges with the server (see addons/web/README.md, the contract).
 * Pure types: no DOM, no lit, so the pure helpers and the Node unit tests can share them.
 */

/** Field types the client renders; every one has a widget (`widget-map.ts`). */
export const FIELD_TYPES = [
  'char', 'text', 'html', 'integer', 'float', 'boolean', 'date', 'datetime',
  'selection', 'many2one', 'one2many', 'many2many', 'binary',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** One field as described by `get_views().models[model][name]`, plus its name. */
export interface FieldInfo {
  name: string;
  type: FieldType;
  string: string;
  relation?: string;
  selection?: Array<[string | number, string]>;
  required?: boolean;
  readonly?: boolean;
  help?: string;
  sortable?: boolean;
  groupable?: boolean;
  store?: boolean;
  relation_field?: string;
}
export type FieldsInfo = Record<string, FieldInfo>;

export type Context = Record<string, unknown>;
export type DomainOperator = '&' | '|' | '!';
export type DomainLeaf = [string, string, unknown];
export type DomainItem = DomainLeaf | DomainOperator;
export type Domain = DomainItem[];

export type Many2oneValue = [number, string] | false;
/** A record as read from the server (`read`/`search_read`). */
export type RecordValues = Record<string, unknown> & { id?: number };

export type ViewType = 'list' | 'form' | 'kanban' | 'graph';
export const VIEW_TYPES: readonly ViewType[] = ['list', 'kanban', 'graph', 'form'];

export interface ViewDescription {
  id: number | false;
  arch: string;
  model: string;
}

/** Raw `get_views` answer: `tree` may appear as an alias of `list`. */
export interface GetViewsResult {
  views: Partial<Record<ViewType | 'tree' | 'search', ViewDescription>>;
  models: Record<string, Record<string, Omit<FieldInfo, 'name'> & { name?: string }>>;
}

export interface WindowAction {
  id?: number | false;
  type: 'ir.actions.act_window';
  name?: string;
  res_model: string;
  view_mode?: string;
  views?: Array<[number | false, string]>;
  domain?: Domain | string | false;
  context?: Context | string | false;
  target?: 'current' | 'new' | 'main' | 'fullscreen' | 'inline';
  res_id?: number | false;
  search_view_id?: [number, string] | false;
  limit?: number | false;
  help?: string | false;
}
export interface CloseAction { type: 'ir.actions.act_window_close' }
export interface UrlAction { type: 'ir.actions.act_url'; url: string; target?: 'self' | 'new' }
export interface ClientAction {
  type: 'ir.actions.client';
  tag: string;
  params?: { title?: string; message?: string; type?: 'success' | 'warning' | 'danger' | 'info'; sticky?: boolean; next?: Action };
}
export type Action = WindowAction | CloseAction | UrlAction | ClientAction;

export interface SessionInfo {
  uid: number;
  name: string;
  username: string;
  partner_id: number;
  db: string;
  user_context: { lang: string; tz: string; uid: number } & Context;
  is_system: boolean;
  csrf_token: string;
  server_version: string;
}

export interface MenuItem {
  id: number | 'root';
  name: string;
  children: Array<number>;
  action_id?: number | false;
  action_model?: string | false;
  xmlid?: string;
  sequence?: number;
  web_icon?: string | false;
}
export type MenuData = { root: MenuItem } & Record<string, MenuItem>;

export interface ReadGroupRow {
  __domain: Domain;
  __count?: number;
  [key: string]: unknown;
}

export interface AttachmentInfo {
  id: number;
  name: string;
  mimetype?: string;
  file_size?: number;
}
