/**
 * The JSON-RPC 2.0 client of the web client: `rpc(route, params)` for `/web/*` routes,
 * `callKw(model, method, args, kwargs)` for `/web/dataset/call_kw/<model>/<method>` (the user
 * context is merged into `kwargs.context`), and the multipart attachment upload.
 * Server errors become `RpcError` with Odoo's exception name and readable message; an expired
 * session also fires `erp-session-expired` on window (erp-app asks the user to log in again).
 */
import { _t } from './i18n.ts';
import { csrfToken, userContext } from './session.ts';
import type { AttachmentInfo, Context } from './types.ts';

export const SESSION_EXPIRED = 'odoo.http.SessionExpiredException';

export class RpcError extends Error {
  constructor(message: string, readonly exceptionName: string, readonly code = 200, readonly debug = '') {
    super(message);
    this.name = 'RpcError';
  }
  get isValidation(): boolean {
    return this.exceptionName === 'odoo.exceptions.ValidationError';
  }
  get isSessionExpired(): boolean {
    return this.exceptionName === SESSION_EXPIRED;
  }
}

interface JsonRpcError {
  code?: number;
  message?: string;
  data?: { name?: string; message?: string; debug?: string };
}

let nextId = 1;

/** POSTs a JSON-RPC call to `route`; resolves with `result`, rejects with RpcError. */
export async function rpc<T = unknown>(route: string, params: Record<string, unknown> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(route, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id: nextId++ }),
    });
  } catch {
    throw new RpcError(_t('The server cannot be reached. Check your connection.'), 'network');
  }
  let body: { result?: T; error?: JsonRpcError };
  try {
    body = await response.json();
  } catch {
    throw new RpcError(_t('The server answered with an error (HTTP %s).', response.status), 'http', response.status);
  }
  if (body.error) {
    const e = body.error;
    const err = new RpcError(e.data?.message || e.message || _t('Unknown error'), e.data?.name || 'unknown', e.code, e.data?.debug);
    if (err.isSessionExpired) window.dispatchEvent(new CustomEvent('erp-session-expired', { detail: { route } }));
    throw err;
  }
  return body.result as T;
}

/** Calls a model method; `kwargs.context` is merged over the user context. */
export function callKw<T = unknown>(model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<T> {
  const context: Context = { ...userContext(), ...((kwargs.context as Context) ?? {}) };
  return rpc<T>(`/web/dataset/call_kw/${model}/${method}`, { model, method, args, kwargs: { ...kwargs, context } });
}

const accessCache = new Map<string, Promise<boolean>>();

/**
 * Whether the user may `operation` (read/write/create/unlink) on `model`, asked once per
 * model and operation with `check_access_rights(…, raise_exception=False)`. If the server
 * cannot answer, the client lets the user try: the server still decides on the real call.
 */
export function canDo(model: string, operation: 'read' | 'write' | 'create' | 'unlink'): Promise<boolean> {
  const key = `${model}/${operation}`;
  let answer = accessCache.get(key);
  if (!answer) {
    answer = callKw<boolean>(model, 'check_access_rights', [operation], { raise_exception: false }).then((v) => v !== false, () => true);
    accessCache.set(key, answer);
  }
  return answer;
}

/** `display_name` of one record. */
export async function displayName(model: string, id: number): Promise<string> {
  const [rec] = await callKw<Array<{ display_name: string }>>(model, 'read', [[id], ['display_name']]);
  return rec?.display_name ?? String(id);
}

/** Uploads files as attachments of `model`/`id` (0 for a record not created yet). */
export async function uploadAttachments(model: string, id: number, files: Iterable<File>): Promise<AttachmentInfo[]> {
  const form = new FormData();
  form.append('model', model);
  form.append('id', String(id));
  form.append('csrf_token', csrfToken());
  for (const file of files) form.append('ufile', file, file.name);
  let response: Response;
  try {
    response = await fetch('/web/binary/upload_attachment', { method: 'POST', body: form, credentials: 'same-origin' });
  } catch {
    throw new RpcError(_t('The server cannot be reached. Check your connection.'), 'network');
  }
  let body: AttachmentInfo[] | { error?: string };
  try {
    body = await response.json();
  } catch {
    throw new RpcError(_t('The upload failed (HTTP %s).', response.status), 'http', response.status);
  }
  if (!Array.isArray(body)) throw new RpcError(body.error || _t('The upload failed (HTTP %s).', response.status), 'upload');
  return body;
}

/** A random UUID v4 for `/web/progress` (crypto.randomUUID needs a secure origin; this does not). */
export function randomUuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
