/**
 * Error classes shared by the ORM, the loader and the transports. Each carries the
 * Odoo exception name (`odooName`) so RPC faults name the class as Odoo clients expect.
 */
export class ErpError extends Error {
  /** Odoo's fully qualified exception name, sent to RPC clients. */
  odooName = 'odoo.exceptions.UserError';
  /** The translatable source of the message (`%s` placeholders) and its arguments. */
  template?: string;
  args?: unknown[];
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
  /** The message in another language: the template and string arguments go through `translate`. */
  localized(translate: (text: string) => string): string {
    if (!this.template) return translate(this.message);
    return formatMessage(translate(this.template), (this.args ?? []).map((a) => (typeof a === 'string' ? translate(a) : a)));
  }
}

/** Replaces each `%s` of `template` by the next argument. */
export function formatMessage(template: string, args: unknown[]): string {
  let i = 0;
  return template.replace(/%s/g, () => String(args[i++]));
}

/**
 * An error whose message is translatable: `err(AccessError, "You are not allowed to %s '%s'", op, model)`.
 * The English text is the message; transports show it in the user's language.
 */
export function err<E extends ErpError>(Cls: new (message: string) => E, template: string, ...args: unknown[]): E {
  const e = new Cls(formatMessage(template, args));
  e.template = template;
  e.args = args;
  return e;
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
