/**
 * What a client may see of an error — the one place that maps error classes to XML-RPC
 * faults and JSON-RPC error objects (Koa's `expose` idea).
 *
 *   error class                      JSON-RPC data.name                  XML-RPC /xmlrpc/2 faultCode
 *   ───────────────────────────────  ──────────────────────────────────  ───────────────────────────
 *   AccessError                      odoo.exceptions.AccessError         4
 *   AccessDenied (login)             odoo.exceptions.AccessDenied        3
 *   UserError, ValidationError,      odoo.exceptions.UserError, …        2
 *   MissingError
 *   SessionExpired                   odoo.http.SessionExpiredException   (JSON only, code 100)
 *   BadRequest / too large           werkzeug.exceptions.BadRequest, …   1
 *   anything else                    werkzeug.exceptions.InternalServerError, generic text, 1
 *
 * The integer codes are Odoo's (`odoo/addons/base/controllers/rpc.py`,
 * `xmlrpc_handle_exception_int`); the fault string is the error message prefixed with the
 * Odoo class name so the class is visible to any client. The historical `/xmlrpc/<service>`
 * endpoint gets Odoo's string codes (`'warning -- AccessError\n\n<message>'`).
 * Unknown errors are logged with their stack here and reach the client only as a generic
 * message: never a stack trace, never an HTML page.
 */
import { AccessDenied, AccessError, ErpError, isExposedError, MissingError, UserError } from '../../errors.ts';
import { logger } from '../../logger.ts';

/** The session cookie is missing, unknown or expired (Odoo's SessionExpiredException). */
export class SessionExpired extends ErpError {
  odooName = 'odoo.http.SessionExpiredException';
  constructor(message = 'Session expired') {
    super(message);
  }
}
/** A request the server cannot read: malformed JSON/XML, missing parameters, wrong types. */
export class BadRequest extends ErpError {
  odooName = 'werkzeug.exceptions.BadRequest';
  readonly status = 400;
}
/** A request body over `limit_request_mb`. */
export class RequestTooLarge extends ErpError {
  odooName = 'werkzeug.exceptions.RequestEntityTooLarge';
  readonly status = 413;
}
/** A route or record that does not exist (JSON code 404, HTTP 404 on plain routes). */
export class NotFound extends ErpError {
  odooName = 'werkzeug.exceptions.NotFound';
  readonly status = 404;
}

export const GENERIC_MESSAGE = 'Internal server error: the details were logged on the server.';
const INTERNAL_NAME = 'werkzeug.exceptions.InternalServerError';

/** Message and Odoo class name a client may see; unknown errors are logged here. */
export function exposeError(err: unknown, where = 'request'): { name: string; message: string; exposed: boolean } {
  if (isExposedError(err)) return { name: err.odooName, message: err.message, exposed: true };
  logger.error(`Unexpected error in ${where}`, err);
  return { name: INTERNAL_NAME, message: GENERIC_MESSAGE, exposed: false };
}

/** HTTP status for plain (non-RPC) routes. */
export function httpStatusOf(err: unknown): number {
  if (err instanceof BadRequest || err instanceof RequestTooLarge || err instanceof NotFound) return err.status;
  if (err instanceof SessionExpired || err instanceof AccessDenied) return 401;
  if (err instanceof AccessError) return 403;
  if (err instanceof MissingError) return 404;
  if (err instanceof ErpError) return 400;
  return 500;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data: { name: string; message: string; debug: string; arguments: unknown[]; context: Record<string, unknown> };
}

/** Odoo 17's JSON-RPC error object (`odoo.http.JsonRPCDispatcher.handle_error`). */
export function toJsonRpcError(err: unknown, translate: (s: string) => string = (s) => s, where?: string): JsonRpcErrorObject {
  const { name, message } = exposeError(err, where);
  const text = isExposedError(err) ? err.localized(translate) : translate(message);
  let code = 200;
  let title = 'Odoo Server Error';
  if (err instanceof SessionExpired) { code = 100; title = 'Odoo Session Expired'; }
  else if (err instanceof NotFound) { code = 404; title = '404: Not Found'; }
  return { code, message: title, data: { name, message: text, debug: '', arguments: [text], context: {} } };
}

/** Odoo's integer fault codes (/xmlrpc/2). */
export const FAULT_APPLICATION_ERROR = 1;
export const FAULT_WARNING = 2;
export const FAULT_ACCESS_DENIED = 3;
export const FAULT_ACCESS_ERROR = 4;

/** Fault for `/xmlrpc/2/<service>`: Odoo's integer code, message prefixed with the class name. */
export function toXmlRpcFault(err: unknown, translate: (s: string) => string = (s) => s, where?: string): { faultCode: number; faultString: string } {
  const { name, message } = exposeError(err, where);
  const text = isExposedError(err) ? err.localized(translate) : translate(message);
  let code = FAULT_APPLICATION_ERROR;
  if (err instanceof AccessError) code = FAULT_ACCESS_ERROR;
  else if (err instanceof AccessDenied) code = FAULT_ACCESS_DENIED;
  else if (err instanceof UserError || (err instanceof ErpError && name.startsWith('odoo.exceptions.'))) code = FAULT_WARNING;
  return { faultCode: code, faultString: `${name}: ${text}` };
}

/** Fault for the historical `/xmlrpc/<service>` endpoint: Odoo's string codes. */
export function toXmlRpcFaultString(err: unknown, translate: (s: string) => string = (s) => s, where?: string): { faultCode: string; faultString: string } {
  const { name, message, exposed } = exposeError(err, where);
  const text = isExposedError(err) ? err.localized(translate) : translate(message);
  if (err instanceof AccessDenied) return { faultCode: 'AccessDenied', faultString: text };
  if (!exposed || !name.startsWith('odoo.exceptions.')) return { faultCode: text, faultString: '' };
  return { faultCode: `warning -- ${name.slice('odoo.exceptions.'.length)}\n\n${text}`, faultString: '' };
}
