/**
 * Error classes shared by the ORM, the loader and the transports. Each carries the
 * Odoo exception name (`odooName`) so RPC faults name the class as Odoo clients expect.
 */
export class ErpError extends Error {
  /** Odoo's fully qualified exception name, sent to RPC clients. */
  odooName = 'odoo.exceptions.UserError';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
/** A message for the end user: the operation was refused for a business reason. */
export class UserError extends ErpError {
  odooName = 'odoo.exceptions.UserError';
}
/** Bad values: unknown fields, wrong types, missing required values, constraint failures. */
export class ValidationError extends ErpError {
  odooName = 'odoo.exceptions.ValidationError';
}
/** The current user may not perform the operation (model access, record rules, field groups). */
export class AccessError extends ErpError {
  odooName = 'odoo.exceptions.AccessError';
}
/** Records that do not exist (any more). */
export class MissingError extends ErpError {
  odooName = 'odoo.exceptions.MissingError';
}
/** Wrong login or password. */
export class AccessDenied extends ErpError {
  odooName = 'odoo.exceptions.AccessDenied';
  constructor(message = 'Access Denied') {
    super(message);
  }
}
/** Anything wrong in an addon: manifest, dependency graph, data files. */
export class AddonError extends ErpError {
  odooName = 'odoo.exceptions.UserError';
}
/** Configuration values that cannot be used. */
export class ConfigError extends ErpError {}

/** Errors that are safe to show to a client verbatim. */
export function isExposedError(err: unknown): err is ErpError {
  return err instanceof ErpError;
}
