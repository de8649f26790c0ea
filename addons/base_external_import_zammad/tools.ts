/** Translated messages with `%s` placeholders, as the other addons write them. */
import type { Environment } from '../../core/orm/index.ts';

export function _t(env: Environment, text: string, ...args: unknown[]): string {
  let i = 0;
  return env.registry.translate(env.lang, text).replace(/%s/g, () => String(args[i++] ?? ''));
}

export const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
