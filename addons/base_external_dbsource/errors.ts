/**
 * The error every failure of an external database becomes: a UserError (shown to the user
 * as is, named `odoo.exceptions.UserError` over RPC) carrying the driver's own message with
 * the source's password blanked out — never a stack trace, never the password.
 */
import { err, ErpError, UserError } from '../../core/errors.ts';

export class ExternalDatabaseError extends UserError {
  /** The driver's error code when it has one (SQLSTATE, ER_…, ECONNREFUSED…). */
  code?: string;
}

/** Replaces each secret found in `text` by asterisks. */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 2) out = out.split(s).join('********');
  return out;
}

/** The driver's message of `e` (AggregateError: each inner message, as Node.js reports connect failures to several addresses). */
export function driverMessage(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length) return [...new Set(e.errors.map(driverMessage))].join('; ');
  const any = e as { message?: unknown; code?: unknown; originalError?: unknown };
  const msg = typeof any?.message === 'string' && any.message ? any.message : typeof any?.code === 'string' ? any.code : String(e);
  return msg.trim();
}

/** Wraps a driver error: "PostgreSQL: password authentication failed for user "x"". Our own errors pass through. */
export function externalError(label: string, e: unknown, secrets: string[]): ErpError {
  if (e instanceof ErpError) {
    e.message = scrub(e.message, secrets);
    return e;
  }
  const out = err(ExternalDatabaseError, '%s: %s', label, scrub(driverMessage(e), secrets));
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' || typeof code === 'number') out.code = String(code);
  return out;
}
