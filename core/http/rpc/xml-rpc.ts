/**
 * XML-RPC codec: parses a `<methodCall>` into (method, params) and serialises a
 * `<methodResponse>` (value or fault). Pure functions, no koa, no ORM.
 *
 * Values follow Odoo's marshaller: there is no nil on the way out (null/undefined are sent
 * as `false`, as Odoo's `allow_none=False` server does), dates are sent as
 * 'YYYY-MM-DD HH:MM:SS' strings, binary content as a base64 string. On the way in every
 * standard type is read: int/i4/i8, double, boolean, string (and bare text), array,
 * struct, nil, dateTime.iso8601 (→ Date, UTC when naive) and base64 (→ Buffer).
 */
import { DOMParser, type Element, type Node } from '@xmldom/xmldom';

/** A malformed request: answered with a fault, the server goes on. */
export class XmlRpcParseError extends Error {}

export interface MethodCall {
  method: string;
  params: unknown[];
}

export interface Fault {
  faultCode: number | string;
  faultString: string;
}

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;

function elements(node: Node): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === ELEMENT) out.push(c as Element);
    else if ((c.nodeType === TEXT || c.nodeType === CDATA) && (c.nodeValue ?? '').trim()) {
      throw new XmlRpcParseError(`unexpected text '${(c.nodeValue ?? '').trim().slice(0, 40)}' inside <${node.nodeName}>`);
    }
  }
  return out;
}

function text(node: Node): string {
  let s = '';
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === TEXT || c.nodeType === CDATA) s += c.nodeValue ?? '';
    else if (c.nodeType === ELEMENT) throw new XmlRpcParseError(`unexpected element <${c.nodeName}> inside <${node.nodeName}>`);
  }
  return s;
}

function only(node: Element, name: string): Element {
  const kids = elements(node);
  if (kids.length !== 1 || kids[0].nodeName !== name) throw new XmlRpcParseError(`<${node.nodeName}> must contain exactly one <${name}>`);
  return kids[0];
}

/** Parses XML strictly: any error or warning of the parser rejects the document. */
function parseDocument(xml: string): Element {
  if (/<!DOCTYPE/i.test(xml)) throw new XmlRpcParseError('DOCTYPE declarations are not accepted');
  let first: string | undefined;
  const parser = new DOMParser({
    onError(_level, message) {
      first ??= message;
      throw new Error(message);
    },
  });
  let doc;
  try {
    doc = parser.parseFromString(xml, 'text/xml');
  } catch (err) {
    throw new XmlRpcParseError(`malformed XML: ${first ?? (err as Error).message}`);
  }
  const root = doc.documentElement;
  if (!root) throw new XmlRpcParseError('empty document');
  return root;
}

function hasElementChild(node: Node): boolean {
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT) return true;
  return false;
}

function parseValue(value: Element): unknown {
  if (!hasElementChild(value)) return text(value); // <value>bare text</value> is a string
  const kids = elements(value);
  if (kids.length > 1) throw new XmlRpcParseError('<value> must contain one typed element');
  const el = kids[0];
  switch (el.nodeName) {
    case 'int': case 'i4': case 'i8': {
      const s = text(el).trim();
      if (!/^[+-]?\d+$/.test(s)) throw new XmlRpcParseError(`invalid <${el.nodeName}> '${s}'`);
      const n = Number(s);
      if (!Number.isSafeInteger(n)) throw new XmlRpcParseError(`integer out of range '${s}'`);
      return n;
    }
    case 'double': {
      const s = text(el).trim();
      const n = Number(s);
      if (!s || Number.isNaN(n)) throw new XmlRpcParseError(`invalid <double> '${s}'`);
      return n;
    }
    case 'boolean': {
      const s = text(el).trim();
      if (s !== '0' && s !== '1') throw new XmlRpcParseError(`invalid <boolean> '${s}'`);
      return s === '1';
    }
    case 'string': return text(el);
    case 'nil': return null;
    case 'base64': {
      const s = text(el).replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new XmlRpcParseError('invalid <base64> content');
      return Buffer.from(s, 'base64');
    }
    case 'dateTime.iso8601': {
      const s = text(el).trim();
      const m = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
      if (!m) throw new XmlRpcParseError(`invalid <dateTime.iso8601> '${s}'`);
      const zone = !m[7] || m[7] === 'Z' ? 'Z' : m[7].length === 5 ? `${m[7].slice(0, 3)}:${m[7].slice(3)}` : m[7];
      const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`);
      if (Number.isNaN(d.getTime())) throw new XmlRpcParseError(`invalid <dateTime.iso8601> '${s}'`);
      return d;
    }
    case 'array': {
      const data = only(el, 'data');
      return elements(data).map((v) => {
        if (v.nodeName !== 'value') throw new XmlRpcParseError(`unexpected <${v.nodeName}> in <data>`);
        return parseValue(v);
      });
    }
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const member of elements(el)) {
        if (member.nodeName !== 'member') throw new XmlRpcParseError(`unexpected <${member.nodeName}> in <struct>`);
        const parts = elements(member);
        const name = parts.find((p) => p.nodeName === 'name');
        const val = parts.find((p) => p.nodeName === 'value');
        if (!name || !val || parts.length !== 2) throw new XmlRpcParseError('<member> needs one <name> and one <value>');
        const key = text(name);
        if (key === '__proto__') throw new XmlRpcParseError("invalid member name '__proto__'");
        out[key] = parseValue(val);
      }
      return out;
    }
    default: throw new XmlRpcParseError(`unknown value type <${el.nodeName}>`);
  }
}

/** Parses a `<methodCall>` document. @throws XmlRpcParseError */
export function parseMethodCall(xml: string): MethodCall {
  const root = parseDocument(xml);
  if (root.nodeName !== 'methodCall') throw new XmlRpcParseError(`expected <methodCall>, got <${root.nodeName}>`);
  const kids = elements(root);
  const nameEl = kids.find((k) => k.nodeName === 'methodName');
  if (!nameEl) throw new XmlRpcParseError('<methodCall> has no <methodName>');
  const method = text(nameEl).trim();
  if (!/^[A-Za-z0-9_.:/]+$/.test(method)) throw new XmlRpcParseError(`invalid method name '${method.slice(0, 60)}'`);
  const paramsEl = kids.find((k) => k.nodeName === 'params');
  const params: unknown[] = [];
  if (paramsEl) {
    for (const p of elements(paramsEl)) {
      if (p.nodeName !== 'param') throw new XmlRpcParseError(`unexpected <${p.nodeName}> in <params>`);
      params.push(parseValue(only(p, 'value')));
    }
  }
  return { method, params };
}

// ───────────────────────────── serialiser ─────────────────────────────

// XML 1.0 forbids these control characters; Odoo strips them too (they break clients).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function escapeXml(s: string): string {
  return s.replace(CONTROL, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const pad = (n: number) => String(n).padStart(2, '0');
function odooDatetime(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function writeValue(v: unknown, out: string[], seen: Set<object>): void {
  if (v === null || v === undefined) { out.push('<value><boolean>0</boolean></value>'); return; }
  switch (typeof v) {
    case 'boolean': out.push(`<value><boolean>${v ? 1 : 0}</boolean></value>`); return;
    case 'number':
      if (Number.isInteger(v) && Math.abs(v) <= 2147483647) out.push(`<value><int>${v}</int></value>`);
      else if (Number.isSafeInteger(v)) out.push(`<value><i8>${v}</i8></value>`);
      else if (Number.isFinite(v)) out.push(`<value><double>${v}</double></value>`);
      else throw new TypeError(`cannot marshal ${v}`);
      return;
    case 'bigint': out.push(`<value><i8>${v}</i8></value>`); return;
    case 'string': out.push(`<value><string>${escapeXml(v)}</string></value>`); return;
    case 'object': break;
    default: throw new TypeError(`cannot marshal a ${typeof v}`);
  }
  const obj = v as object;
  if (obj instanceof Date) { out.push(`<value><string>${odooDatetime(obj)}</string></value>`); return; }
  if (obj instanceof Uint8Array) { out.push(`<value><string>${Buffer.from(obj).toString('base64')}</string></value>`); return; }
  if (seen.has(obj)) throw new TypeError('cannot marshal recursive structures');
  seen.add(obj);
  if (Array.isArray(obj) || obj instanceof Set) {
    out.push('<value><array><data>');
    for (const item of obj) writeValue(item, out, seen);
    out.push('</data></array></value>');
  } else {
    const entries = obj instanceof Map ? [...obj.entries()] : Object.entries(obj);
    out.push('<value><struct>');
    for (const [k, item] of entries) {
      out.push(`<member><name>${escapeXml(String(k))}</name>`);
      writeValue(item, out, seen);
      out.push('</member>');
    }
    out.push('</struct></value>');
  }
  seen.delete(obj);
}

/** Serialises one value as XML-RPC `<value>` (for tests and clients). */
export function serializeValue(v: unknown): string {
  const out: string[] = [];
  writeValue(v, out, new Set());
  return out.join('');
}

/** A successful `<methodResponse>` carrying `result`. */
export function serializeResponse(result: unknown): string {
  return `<?xml version="1.0"?>\n<methodResponse>\n<params>\n<param>\n${serializeValue(result)}\n</param>\n</params>\n</methodResponse>\n`;
}

/** A `<methodResponse>` carrying a fault. */
export function serializeFault(fault: Fault): string {
  return `<?xml version="1.0"?>\n<methodResponse>\n<fault>\n${serializeValue({ faultCode: fault.faultCode, faultString: fault.faultString })}\n</fault>\n</methodResponse>\n`;
}

/** Serialises a `<methodCall>` (used by tests and the benchmark as a client). */
export function serializeMethodCall(method: string, params: unknown[]): string {
  return `<?xml version="1.0"?>\n<methodCall><methodName>${escapeXml(method)}</methodName><params>${params.map((p) => `<param>${serializeValue(p)}</param>`).join('')}</params></methodCall>\n`;
}

/** Parses a `<methodResponse>` (client side, for tests): the value or a Fault object. */
export function parseMethodResponse(xml: string): { value?: unknown; fault?: Fault } {
  const root = parseDocument(xml);
  if (root.nodeName !== 'methodResponse') throw new XmlRpcParseError(`expected <methodResponse>, got <${root.nodeName}>`);
  const [body] = elements(root);
  if (body?.nodeName === 'fault') return { fault: parseValue(only(body, 'value')) as Fault };
  if (body?.nodeName === 'params') return { value: parseValue(only(only(body, 'param'), 'value')) };
  throw new XmlRpcParseError('<methodResponse> needs <params> or <fault>');
}
