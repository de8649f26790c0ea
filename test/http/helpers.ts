/** Small HTTP clients for the tests of test/http: JSON-RPC, call_kw with a cookie, XML-RPC. */
import type { App } from '../../core/app.ts';
import { parseMethodResponse, serializeMethodCall } from '../../core/http/rpc/xml-rpc.ts';

export interface JsonAnswer {
  status: number;
  result?: any;
  error?: { code: number; message: string; data: { name: string; message: string; debug: string } };
  setCookie: string | null;
}

export async function jsonCall(url: string, path: string, params: Record<string, unknown>, cookie?: string): Promise<JsonAnswer> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id: 7 }),
  });
  const body = await res.json();
  return { status: res.status, result: body.result, error: body.error, setCookie: res.headers.get('set-cookie') };
}

/** `/jsonrpc` service call; resolves with result or throws the error object. */
export async function jsonRpc(url: string, service: string, method: string, args: unknown[]): Promise<any> {
  const r = await jsonCall(url, '/jsonrpc', { service, method, args });
  if (r.error) throw Object.assign(new Error(r.error.data.message), { rpc: r.error });
  return r.result;
}

/** Logs in through /web/session/authenticate; returns the `session_id=…` cookie pair. */
export async function webLogin(url: string, login: string, password: string): Promise<string> {
  const r = await jsonCall(url, '/web/session/authenticate', { db: 'helpdesk', login, password });
  if (r.error || !r.setCookie) throw new Error(`login failed: ${JSON.stringify(r.error)}`);
  return r.setCookie.split(';')[0];
}

export async function callKwHttp(url: string, cookie: string, model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<JsonAnswer> {
  return jsonCall(url, `/web/dataset/call_kw/${model}/${method}`, { model, method, args, kwargs }, cookie);
}

export async function xmlRpc(url: string, path: string, method: string, params: unknown[]): Promise<{ status: number; value?: any; fault?: { faultCode: number | string; faultString: string } }> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: serializeMethodCall(method, params) });
  const text = await res.text();
  return { status: res.status, ...parseMethodResponse(text) };
}

/** Creates an internal user (base.group_user only) with password = login; returns its id. */
export async function createInternalUser(app: App, login: string): Promise<number> {
  return app.withEnv(1, async (env) => {
    const group = await env.refId('base.group_user');
    const user = await env.model('res.users').create({ name: `User ${login}`, login, password: login, groups_id: [[6, 0, [group]]] });
    return user.ids[0];
  });
}
