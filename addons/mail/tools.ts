/**
 * Small helpers shared by the mail models (and by addons built on mail): the mail domain,
 * Message-ID generation, e-mail address parsing/formatting, partner lookup by address.
 * Messages are translated with the core's `_t` (core/i18n).
 */
import { randomUUID } from 'node:crypto';
import type { Environment } from '../../core/orm/index.ts';

const configuredDomains = new WeakMap<object, string>();

/** Registers the domain the running mail gateway accepts (config `mail_domain`), or removes it with null. */
export function setConfiguredMailDomain(registry: object, domain: string | null): void {
  if (domain) configuredDomains.set(registry, domain);
  else configuredDomains.delete(registry);
}

/**
 * The domain of generated Message-IDs and alias addresses: the first `mail_domain` of the
 * running mail gateway (replies must reach it), else ir.config_parameter
 * `mail.catchall.domain`, else 'localhost'.
 */
export async function mailDomain(env: Environment): Promise<string> {
  const configured = configuredDomains.get(env.registry);
  if (configured) return configured;
  const row = await env.cr('ir_config_parameter').where({ key: 'mail.catchall.domain' }).first('value');
  const value = typeof row?.value === 'string' ? row.value.trim() : '';
  return value || 'localhost';
}

/** A new RFC 2822 Message-ID: `<uuid@domain>`. */
export async function generateMessageId(env: Environment): Promise<string> {
  return `<${randomUUID()}@${await mailDomain(env)}>`;
}

/** Splits `"Name" <addr@x>` / `Name <addr@x>` / `addr@x` into its name and lower-cased address (quoted names may contain `\"`). */
export function parseEmailAddress(value: string | false | null | undefined): { name: string; email: string } | null {
  if (!value || typeof value !== 'string') return null;
  const quoted = /^\s*"((?:[^"\\]|\\.)*)"\s*<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$/.exec(value);
  if (quoted) return { name: quoted[1].replace(/\\(.)/g, '$1').trim(), email: quoted[2].toLowerCase() };
  const angle = /^\s*([^<]*?)\s*<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$/.exec(value);
  if (angle) return { name: angle[1].replace(/^"|"$/g, '').trim(), email: angle[2].toLowerCase() };
  const bare = /([^\s<>,;"]+@[^\s<>,;"]+)/.exec(value);
  return bare ? { name: '', email: bare[1].toLowerCase() } : null;
}

/** Splits an address list on commas/semicolons outside quoted names and angle brackets. */
function splitAddressList(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted && c === '\\' && i + 1 < value.length) { current += c + value[++i]; continue; }
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') angle = true;
    else if (!quoted && c === '>') angle = false;
    if (!quoted && !angle && (c === ',' || c === ';')) { parts.push(current); current = ''; continue; }
    current += c;
  }
  parts.push(current);
  return parts;
}

/** Every address in a comma/semicolon separated header value (To, Cc, References-like lists). */
export function parseEmailList(value: string | false | null | undefined): Array<{ name: string; email: string }> {
  if (!value) return [];
  const out: Array<{ name: string; email: string }> = [];
  for (const part of splitAddressList(String(value))) {
    const parsed = parseEmailAddress(part);
    if (parsed) out.push(parsed);
  }
  return out;
}

/** `"Name" <addr>` (quoted, with `\` and `"` escaped, only when needed), or the bare address without a name. */
export function formatEmailAddress(name: string | false | null | undefined, email: string): string {
  if (!name) return email;
  const clean = String(name).replace(/[\r\n]+/g, ' ').trim();
  if (!clean) return email;
  return /[(),.:;<>@[\]\\"]/.test(clean) ? `"${clean.replace(/(["\\])/g, '\\$1')}" <${email}>` : `${clean} <${email}>`;
}

/** The id of the partner whose e-mail matches `address` (case-insensitive), or false. Searches as superuser. */
export async function findPartnerByEmail(env: Environment, address: string | false | null | undefined): Promise<number | false> {
  const parsed = parseEmailAddress(address || '');
  if (!parsed) return false;
  // Every mail of a known sender asks: shared across units of work while no partner nor user
  // changes (cache signals). Only a partner found is kept: an address without one is asked
  // again each time, so a partner created meanwhile by another process is never missed.
  const facts = await env.cached(['res.partner', 'res.users'], `mail.partner_by_email:${parsed.email}`, async () => {
    const row = await env.cr('res_partner')
      .whereRaw('lower(trim(email)) = ?', [parsed.email])
      .orderByRaw('active DESC, id ASC')
      .first('id', 'name', 'email', 'active', env.cr.raw('ARRAY(SELECT u.id FROM res_users u WHERE u.partner_id = res_partner.id AND u.active ORDER BY u.id) AS user_ids'));
    if (!row) throw NO_PARTNER;
    return { id: Number(row.id), name: row.name ?? null, email: row.email ?? null, active: row.active === true, user_ids: (row.user_ids ?? []).map(Number) } as PartnerFacts;
  }).catch((err) => {
    if (err === NO_PARTNER) return false as const;
    throw err;
  });
  if (!facts) return false;
  // What notifying it needs (and whether it is a user's), read with it (a copy: the cached value is shared).
  await rememberPartner(env, { ...facts, user_ids: [...(facts.user_ids ?? [])] });
  return facts.id;
}

/** Thrown by findPartnerByEmail's lookup when no partner has the address: not a value to keep. */
const NO_PARTNER = Symbol('no partner');

/** What notifying a partner needs of it: name and address, and whether it is active. */
export interface PartnerFacts {
  id: number; name: string | null; email: string | null; active: boolean;
  /** Its active users, ascending, when read with it. */
  user_ids?: number[];
}
const partnerKey = (id: number) => `mail.partner:${id}`;

/** Tells this unit of work a partner's facts (just read or created), until a partner or a user is written. */
export async function rememberPartner(env: Environment, facts: PartnerFacts): Promise<void> {
  await env.memo(['res.partner', 'res.users'], partnerKey(facts.id), async () => facts);
}

/** A partner's facts if this unit of work knows them (computes nothing). */
export function knownPartner(env: Environment, id: number): Promise<PartnerFacts> | undefined {
  return env.memoized<PartnerFacts>(partnerKey(id));
}

/** The partner of the environment's user. */
export async function userPartnerId(env: Environment): Promise<number | false> {
  const row = await env.cr('res_users').where({ id: env.uid }).first('partner_id');
  return row?.partner_id ? Number(row.partner_id) : false;
}

/** Plain text → HTML paragraphs (escaped); HTML is returned as is (the html field sanitises it). */
export function plaintextToHtml(text: string): string {
  if (/<[a-z!/][^>]*>/i.test(text)) return text;
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<p>${escaped.replace(/\r?\n/g, '<br>')}</p>`;
}

/** HTML → short plain text (for display names and tracking of html fields). */
export function htmlToText(html: string | false | null | undefined): string {
  if (!html) return '';
  return String(html).replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>/gi, '\n').replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ').replace(/\n\s*\n+/g, '\n').trim();
}
