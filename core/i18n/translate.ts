/**
 * The one translate helper of every addon (Odoo's `_t`): the English text is the msgid;
 * parameters are template values (`%s`, in order), never concatenated into the msgid, so
 * one catalogue entry serves every value.
 *
 *   throw new UserError(_t(this.env, 'Ticket %s cannot be opened: it is "%s".', number, state));
 */
import type { Environment } from '../orm/environment.ts';
import { formatMessage } from '../errors.ts';

/** `text` in the environment's language (the registry's catalogue), then `%s` filled in order. */
export function _t(env: Pick<Environment, 'registry' | 'lang'>, text: string, ...args: unknown[]): string {
  return formatMessage(env.registry.translate(env.lang, text), args.map((a) => a ?? ''));
}
