/**
 * RPC dispatch in one place: `callKw(env, model, method, args, kwargs)`, shared by
 * `/xmlrpc/2/object`, `/jsonrpc` and `/web/dataset/call_kw`.
 *
 *   model class ── _meta.rpc: { name → 'model' | 'records' | {kind, params} }
 *        │
 *        ├─ 'model'   → empty recordset . method(...args)
 *        └─ 'records' → browse(args[0]) . method(...args.slice(1))
 *   kwargs are placed on the declared positional parameters by name; `context` becomes the
 *   environment's context (merged over the user's lang/tz).
 *
 * Only declared methods are reachable: names starting with `_`, undeclared methods and
 * unknown models are refused with a clear error. Return values are made wire-safe:
 * recordsets become ids (a `create` with one dict returns one id), `undefined` becomes
 * `false` (XML-RPC has no nil; Odoo's marshaller sends None as False).
 */
import { AccessError, UserError, ValidationError, err } from '../../errors.ts';
import type { Environment, Context } from '../../orm/environment.ts';
import { Model, type ModelClass, type RpcKind } from '../../orm/model.ts';
import type { Registry } from '../../orm/registry.ts';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);
}

interface RpcEntry { kind: 'model' | 'records'; params: string[] | null; returns?: 'id' }

function normalizeKind(kind: RpcKind): RpcEntry {
  return typeof kind === 'string' ? { kind, params: null } : { kind: kind.kind, params: kind.params, returns: kind.returns };
}

/** The declared RPC entry of `method` on `cls`, or a clear error. */
export function rpcEntry(cls: ModelClass, method: string): RpcEntry {
  const model = cls._meta.name;
  if (typeof method !== 'string' || !method) throw err(ValidationError, "Invalid method name %s for model '%s'", JSON.stringify(method), model);
  if (method.startsWith('_')) throw err(AccessError, 'Private methods (such as %s) cannot be called remotely.', method);
  const kind = cls._meta.rpc.get(method);
  const impl = (cls.prototype as unknown as Record<string, unknown>)[method];
  if (!kind || typeof impl !== 'function') {
    throw err(UserError, "The method '%s' does not exist on the model '%s' or cannot be called remotely.", method, model);
  }
  return normalizeKind(kind);
}

/**
 * True when `model.method` is declared read-only (`readonly: true` in `_rpc`): the transports
 * then run it on the read-only connection (see App.withEnv). Unknown names are not read-only;
 * callKw reports them.
 */
export function isReadonlyCall(registry: Registry, model: unknown, method: unknown): boolean {
  if (typeof model !== 'string' || typeof method !== 'string') return false;
  const kind = registry.get(model)?._meta.rpc.get(method);
  return typeof kind === 'object' && kind.readonly === true;
}

/** Places keyword arguments on the declared parameters; positional ones stay first. */
export function bindArguments(model: string, method: string, params: string[] | null, args: unknown[], kwargs: Record<string, unknown>): unknown[] {
  const out = [...args];
  const names = Object.keys(kwargs);
  if (!names.length) return out;
  if (!params) throw err(ValidationError, '%s.%s() takes no keyword arguments (got %s)', model, method, names.join(', '));
  if (out.length > params.length) throw err(ValidationError, '%s.%s() takes at most %s positional arguments (%s given)', model, method, params.length, out.length);
  for (const name of names) {
    const i = params.indexOf(name);
    if (i < 0) throw err(ValidationError, "%s.%s() got an unexpected keyword argument '%s'", model, method, name);
    if (i < args.length) throw err(ValidationError, "%s.%s() got multiple values for argument '%s'", model, method, name);
    out[i] = kwargs[name];
  }
  return out;
}

/** Ids of a 'records' call: an id or a list of ids. */
function recordIds(model: string, method: string, value: unknown): number[] {
  const list = Array.isArray(value) ? value : [value];
  if (value === undefined || list.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > 2147483647)) {
    throw err(ValidationError, '%s.%s() expects the record ids as first argument (an id or a list of ids), got %s', model, method, JSON.stringify(value) ?? 'nothing');
  }
  return list as number[];
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Converts a method result to wire values: recordsets → ids, undefined → false, dates →
 * Odoo's 'YYYY-MM-DD HH:MM:SS' (UTC), bytes → base64, maps/sets → objects/arrays. Copy on
 * write: a result that is already plain data is returned as is (no allocation per row).
 */
export function toWire(value: unknown): unknown {
  if (value === undefined) return false;
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? Number(value) : value;
  if (value instanceof Model) return value.ids;
  if (Array.isArray(value)) {
    let out = value;
    for (let i = 0; i < value.length; i++) {
      const w = toWire(value[i]);
      if (w !== value[i]) {
        if (out === value) out = value.slice();
        out[i] = w;
      }
    }
    return out;
  }
  if (value instanceof Date) {
    return `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())} ${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}`;
  }
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Map) return toWire(Object.fromEntries([...value].map(([k, v]) => [String(k), v])));
  if (value instanceof Set) return toWire([...value]);
  const obj = value as Record<string, unknown>;
  let out = obj;
  for (const k in obj) {
    const w = toWire(obj[k]);
    if (w !== obj[k]) {
      if (out === obj) out = { ...obj };
      out[k] = w;
    }
  }
  return out;
}

/** Results callKw returned: wire values already (toWire), so a serialiser need not walk them again. */
const wireResults = new WeakSet<object>();

/** True for an object callKw returned (plain JSON data). */
export function isWireResult(value: unknown): boolean {
  return typeof value === 'object' && value !== null && wireResults.has(value);
}

/**
 * Calls `model.method` as `env`'s user. `kwargs.context` extends the environment's context.
 * @throws the method's own errors; ValidationError/AccessError/UserError for bad calls.
 */
export async function callKw(env: Environment, model: string, method: string, args: unknown = [], kwargs: unknown = {}): Promise<unknown> {
  if (typeof model !== 'string' || !model) throw err(ValidationError, 'Invalid model name %s', JSON.stringify(model));
  if (args === null || args === undefined) args = [];
  if (kwargs === null || kwargs === undefined) kwargs = {};
  if (!Array.isArray(args)) throw err(ValidationError, 'The arguments of %s.%s() must be a list, got %s', model, method, typeof args);
  if (!isPlainObject(kwargs)) throw err(ValidationError, 'The keyword arguments of %s.%s() must be a dictionary', model, method);
  const cls = env.registry.get(model);
  if (!cls) throw err(UserError, "Model '%s' does not exist.", model);
  const entry = rpcEntry(cls, method);
  const { context, ...named } = kwargs as Record<string, unknown>;
  if (context !== undefined && context !== null && !isPlainObject(context)) throw err(ValidationError, 'The context of %s.%s() must be a dictionary', model, method);
  const callEnv = context ? env.withContext(context as Context) : env;
  let recs = callEnv.model(model);
  let positional = args as unknown[];
  if (entry.kind === 'records') {
    recs = recs.browse(recordIds(model, method, positional[0]));
    positional = positional.slice(1);
  }
  const bound = bindArguments(model, method, entry.params, positional, named);
  const fn = (recs as unknown as Record<string, (...a: unknown[]) => unknown>)[method];
  const result = await fn.apply(recs, bound);
  if (method === 'create' && result instanceof Model && isPlainObject(bound[0])) return result.ids[0] ?? false;
  if (entry.returns === 'id' && result instanceof Model) return result.ids[0] ?? false;
  const out = toWire(result);
  if (typeof out === 'object' && out !== null) wireResults.add(out);
  return out;
}
