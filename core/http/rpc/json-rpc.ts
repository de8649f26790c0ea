/**
 * JSON-RPC 2.0 envelope, as Odoo's `type='json'` routes use it: the request is
 * `{jsonrpc: '2.0', method: 'call', params: {...}, id}`, the answer `{jsonrpc, id, result}`
 * or `{jsonrpc, id, error: {code, message, data: {name, message, debug}}}` (errors.ts).
 * Values are JSON; dates go out as Odoo's 'YYYY-MM-DD HH:MM:SS' strings, binary content as
 * base64 strings.
 */
import { parseJson } from '../body.ts';
import { isWireResult } from './call-kw.ts';
import { BadRequest, toJsonRpcError, type JsonRpcErrorObject } from './errors.ts';

export interface JsonRpcRequest {
  id: string | number | null;
  method: string;
  params: Record<string, unknown>;
}

/** Parses and checks a JSON-RPC request body. @throws BadRequest */
export function parseJsonRpc(body: Buffer): JsonRpcRequest {
  const data = parseJson(body);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new BadRequest('Invalid JSON-RPC request: expected an object with jsonrpc, method, params and id');
  const req = data as Record<string, unknown>;
  const id = req.id === undefined ? null : req.id;
  if (id !== null && typeof id !== 'string' && typeof id !== 'number') throw new BadRequest('Invalid JSON-RPC request: id must be a string, a number or null');
  const params = req.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new BadRequest('Invalid JSON-RPC request: params must be an object');
  return { id, method: typeof req.method === 'string' ? req.method : 'call', params: params as Record<string, unknown> };
}

/** The id of a request body if it can be read at all (for error answers). */
export function peekId(body: Buffer | undefined): string | number | null {
  if (!body) return null;
  try {
    const id = JSON.parse(body.toString('utf8'))?.id;
    return typeof id === 'string' || typeof id === 'number' ? id : null;
  } catch {
    return null;
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** JSON.stringify with Odoo's wire conventions for dates, buffers, maps and sets. */
export function stringifyWire(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    if (raw instanceof Date) return `${raw.getUTCFullYear()}-${pad(raw.getUTCMonth() + 1)}-${pad(raw.getUTCDate())} ${pad(raw.getUTCHours())}:${pad(raw.getUTCMinutes())}:${pad(raw.getUTCSeconds())}`;
    if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
    if (raw instanceof Map) return Object.fromEntries(raw);
    if (raw instanceof Set) return [...raw];
    if (typeof v === 'bigint') return Number(v);
    return v === undefined ? null : v;
  });
}

/**
 * The success answer. Results of `callKw` are already wire values (toWire: not walked again)
 * and the other routes return plain data, so the fast JSON.stringify is used; anything else
 * (a Date or a Buffer a route forgot to convert) falls back to the converting serialiser.
 */
export function jsonRpcResult(id: string | number | null, result: unknown): string {
  const envelope = { jsonrpc: '2.0', id, result: result === undefined ? null : result };
  return isWireResult(result) || isPlainData(result, 0) ? JSON.stringify(envelope) : stringifyWire(envelope);
}

/** True when JSON.stringify alone gives the wire format (no Date, bytes, Map, Set, bigint). */
function isPlainData(v: unknown, depth: number): boolean {
  if (v === null || v === undefined) return true;
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean') return true;
  if (t !== 'object' || depth > 64) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (!isPlainData(x, depth + 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return false;
  for (const k in v as Record<string, unknown>) if (!isPlainData((v as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

export function jsonRpcError(id: string | number | null, err: unknown, translate?: (s: string) => string, where?: string): { body: string; error: JsonRpcErrorObject } {
  const error = toJsonRpcError(err, translate, where);
  return { body: JSON.stringify({ jsonrpc: '2.0', id, error }), error };
}
