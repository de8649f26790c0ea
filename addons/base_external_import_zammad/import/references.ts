/**
 * The records a ticket points to, found or created in sets, with per-run caches:
 *  - reporters (res.partner) by email, trimmed and case-insensitive; without email by name;
 *    new ones with name, phone and their organization as a company partner;
 *  - technicians (res.users) by login or email, created as helpdesk technicians when missing
 *    (without a password: an administrator sets one to let them log in);
 *  - categories by name, created when missing; priorities by level.
 * A cache holds ids written in transactions that committed, or in the current one: after a
 * failed batch the run clears them (`clear()`).
 */
import { SUPERUSER_ID, type Environment } from '../../../core/orm/index.ts';
import { rowsOf } from '../../../core/orm/index.ts';
import type { Person } from './mapping.ts';
import { insertMany, type Cr } from './sql.ts';

const nowUtc = () => new Date().toISOString().replace('T', ' ').replace('Z', '');
const TECHNICIAN_GROUP = 'helpdesk_bytacora.group_helpdesk_technician';

/**
 * The partner of each email (bindings: the emails, trimmed and lower-case, each once): the
 * active one first, then the oldest. One probe of the index on lower(btrim(email)) per email,
 * as a lateral join rather than `= ANY(?)`: without statistics on res_partner (a first import
 * into a new database) the planner takes a batch's hundreds of emails for most of the table
 * and reads it all, lower-casing every email, for every batch (3.3 s of the database's CPU
 * over 100,000 tickets; an index probe per email costs next to nothing).
 */
export const PARTNERS_BY_EMAIL_SQL = `SELECT p.id, e.email FROM unnest(?::text[]) AS e(email)
  CROSS JOIN LATERAL (SELECT id FROM res_partner WHERE lower(btrim(email)) = e.email ORDER BY active DESC, id LIMIT 1) AS p`;

/** The partner without email of each name (bindings: the names, each once), the oldest; one index probe per name. */
export const PARTNERS_BY_NAME_SQL = `SELECT p.id, n.name FROM unnest(?::text[]) AS n(name)
  CROSS JOIN LATERAL (SELECT id FROM res_partner WHERE name = n.name AND coalesce(btrim(email), '') = '' AND NOT is_company ORDER BY id LIMIT 1) AS p`;

export class References {
  partners = new Map<string, number>();
  partnersByName = new Map<string, number>();
  companies = new Map<string, number>();
  users = new Map<string, number | false>();
  userPartners = new Map<number, number>();
  categories = new Map<string, number>();
  priorities = new Map<number, number>();

  clear(): void {
    for (const m of [this.partners, this.partnersByName, this.companies, this.users, this.userPartners, this.categories, this.priorities]) m.clear();
  }

  /** Partner ids of `people`, by email (or by name without email); creates the missing ones. */
  async partnerIds(env: Environment, people: Person[]): Promise<void> {
    const cr = env.cr;
    const emails = [...new Set(people.map((p) => p.email).filter((e): e is string => !!e && !this.partners.has(e)))];
    if (emails.length) {
      const found = rowsOf(await cr.raw(PARTNERS_BY_EMAIL_SQL, [emails]));
      for (const r of found) this.partners.set(r.email, Number(r.id));
    }
    const names = [...new Set(people.filter((p) => !p.email && p.name && !this.partnersByName.has(p.name)).map((p) => p.name))];
    if (names.length) {
      const found = rowsOf(await cr.raw(PARTNERS_BY_NAME_SQL, [names]));
      for (const r of found) this.partnersByName.set(r.name, Number(r.id));
    }
    const missing = new Map<string, Person>();
    for (const p of people) {
      const key = p.email ? `e:${p.email}` : `n:${p.name}`;
      if (p.email ? this.partners.has(p.email) : (!p.name || this.partnersByName.has(p.name))) continue;
      if (!missing.has(key)) missing.set(key, p);
    }
    if (!missing.size) return;
    await this.companyIds(cr, [...missing.values()].map((p) => p.organization).filter((o): o is string => !!o));
    const now = nowUtc();
    const list = [...missing.values()];
    const rows = await insertMany(cr, 'res_partner', list.map((p) => ({
      name: p.name, email: p.email, phone: p.phone, parent_id: p.organization ? this.companies.get(p.organization) ?? null : null,
      is_company: false, active: true, lang: 'en_US', create_uid: SUPERUSER_ID, write_uid: SUPERUSER_ID, create_date: now, write_date: now,
    })), { returning: 'id, email, name' });
    rows.forEach((r, i) => {
      if (list[i].email) this.partners.set(list[i].email!, Number(r.id));
      else this.partnersByName.set(list[i].name, Number(r.id));
    });
  }

  partnerOf(p: Person | null): number | null {
    if (!p) return null;
    return (p.email ? this.partners.get(p.email) : this.partnersByName.get(p.name)) ?? null;
  }

  private async companyIds(cr: Cr, names: string[]): Promise<void> {
    const wanted = [...new Set(names.filter((n) => !this.companies.has(n)))];
    if (!wanted.length) return;
    const found = rowsOf(await cr.raw(`SELECT DISTINCT ON (name) id, name FROM res_partner WHERE is_company AND name = ANY(?) ORDER BY name, id`, [wanted]));
    for (const r of found) this.companies.set(r.name, Number(r.id));
    const missing = wanted.filter((n) => !this.companies.has(n));
    const now = nowUtc();
    const rows = await insertMany(cr, 'res_partner', missing.map((name) => ({ name, is_company: true, active: true, lang: 'en_US', create_uid: SUPERUSER_ID, write_uid: SUPERUSER_ID, create_date: now, write_date: now })), { returning: 'id' });
    rows.forEach((r, i) => this.companies.set(missing[i], Number(r.id)));
  }

  /** Technician user ids of `owners` (by login or partner email); creates the missing ones through the ORM. */
  async userIds(env: Environment, owners: Person[]): Promise<void> {
    const emails = [...new Set(owners.map((o) => o.email).filter((e): e is string => !!e && !this.users.has(e)))];
    if (!emails.length) return;
    const found = rowsOf(await env.cr.raw(
      `SELECT DISTINCT ON (e) u.id, u.partner_id, e FROM res_users u JOIN res_partner p ON p.id = u.partner_id,
              LATERAL (SELECT unnest(ARRAY[lower(btrim(u.login)), lower(btrim(p.email))]) AS e) x
        WHERE e = ANY(?) ORDER BY e, u.active DESC, u.id`, [emails]));
    for (const r of found) {
      this.users.set(r.e, Number(r.id));
      this.userPartners.set(Number(r.id), Number(r.partner_id));
    }
    const group = await env.xmlidLookup(TECHNICIAN_GROUP);
    for (const email of emails) {
      if (this.users.has(email)) continue;
      const owner = owners.find((o) => o.email === email)!;
      // The technician's partner is the one already known by this email, if any (no duplicate contact).
      await this.partnerIds(env, [owner]);
      const partnerId = this.partners.get(email)!;
      const user = await env.model('res.users').sudo().create({
        name: owner.name, login: email, partner_id: partnerId, groups_id: group ? [[6, 0, [group.id]]] : [],
      });
      this.users.set(email, user.ids[0]);
      this.userPartners.set(user.ids[0], partnerId);
    }
  }

  /** Category ids by name (case-insensitive), creating the missing ones. */
  async categoryIds(env: Environment, names: string[]): Promise<void> {
    const wanted = [...new Set(names.filter((n) => !this.categories.has(n.toLowerCase())))];
    if (!wanted.length) return;
    const found = rowsOf(await env.cr.raw(`SELECT DISTINCT ON (lower(name->>'en_US')) id, lower(name->>'en_US') AS k FROM helpdesk_ticket_category WHERE lower(name->>'en_US') = ANY(?) ORDER BY lower(name->>'en_US'), active DESC, id`, [wanted.map((n) => n.toLowerCase())]));
    for (const r of found) this.categories.set(r.k, Number(r.id));
    for (const name of wanted) {
      if (this.categories.has(name.toLowerCase())) continue;
      const created = await env.model('helpdesk.ticket.category').sudo().create({ name });
      this.categories.set(name.toLowerCase(), created.ids[0]);
    }
  }

  /** helpdesk.ticket.priority id of each level 1–4 (the lowest id of the active ones at that level). */
  async loadPriorities(env: Environment): Promise<void> {
    if (this.priorities.size) return;
    const rows = rowsOf(await env.cr.raw(`SELECT DISTINCT ON (level) id, level FROM helpdesk_ticket_priority WHERE active ORDER BY level, id`));
    for (const r of rows) this.priorities.set(Number(r.level), Number(r.id));
  }

  priorityFor(level: number): { id: number | null; level: number } {
    for (const l of [level, 2, 1, 3, 4]) if (this.priorities.has(l)) return { id: this.priorities.get(l)!, level: l };
    return { id: null, level: 0 };
  }
}
