/**
 * Small helpers shared by the helpdesk models: the caller's helpdesk role, field labels in
 * the user's language and the empty-HTML test used for required texts. Messages are
 * translated with the core's `_t` (core/i18n).
 */
import type { Environment } from '../../core/orm/index.ts';

export const GROUP_USER = 'helpdesk_bytacora.group_helpdesk_user';
export const GROUP_TECHNICIAN = 'helpdesk_bytacora.group_helpdesk_technician';
export const GROUP_ADMIN = 'helpdesk_bytacora.group_helpdesk_admin';

/** `system` is the superuser or any sudo() environment (importers, the mail gateway, data files). */
export type HelpdeskRole = 'system' | 'admin' | 'technician' | 'user' | 'none';

export async function helpdeskRole(env: Environment): Promise<HelpdeskRole> {
  if (env.su) return 'system';
  if (await env.hasGroup(GROUP_ADMIN)) return 'admin';
  if (await env.hasGroup(GROUP_TECHNICIAN)) return 'technician';
  if (await env.hasGroup(GROUP_USER)) return 'user';
  return 'none';
}

export const isStaff = (role: HelpdeskRole): boolean => role === 'system' || role === 'admin' || role === 'technician';

/** The label of a field in the environment's language. */
export function fieldLabel(env: Environment, model: string, name: string): string {
  const field = env.registry.get(model)?._meta.fields.get(name);
  return env.registry.translate(env.lang, field?.string ?? name);
}

/** True when an HTML (or plain) text has no visible content: `<p><br></p>`, spaces, nothing. */
export function isEmptyHtml(value: unknown): boolean {
  if (value === false || value === null || value === undefined) return true;
  if (typeof value !== 'string') return false;
  const text = value.replace(/<(img|video|iframe|object)\b/gi, 'X').replace(/<[^>]*>/g, '').replace(/&nbsp;|&#160;/g, ' ').trim();
  return text === '';
}

/** Escapes text for inclusion in an HTML message body. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The partner id of a user (false when the user does not exist). */
export async function userPartnerId(env: Environment, uid: number = env.uid): Promise<number | false> {
  const row = await env.cr('res_users').where({ id: uid }).first('partner_id');
  return row?.partner_id ? Number(row.partner_id) : false;
}

/** A many2one wire value ([id, name] | id | false) as an id or false. */
export function m2oId(value: unknown): number | false {
  if (Array.isArray(value)) return typeof value[0] === 'number' ? value[0] : false;
  if (typeof value === 'number' && value > 0) return value;
  return false;
}
