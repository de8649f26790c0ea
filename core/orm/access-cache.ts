/**
 * Loads what the security engine needs from the database: ir.model.access lines (cached on
 * the registry until an access line changes) and the XML ids of the user's groups.
 */
import type { AccessLine } from '../security/index.ts';
import type { Environment } from './environment.ts';
import { rowsOf } from './environment.ts';

const accessCache = new WeakMap<object, Promise<AccessLine[]>>();

export function accessLines(env: Environment): Promise<AccessLine[]> {
  let cached = accessCache.get(env.registry);
  if (!cached) {
    cached = (async () => rowsOf(await env.cr.raw(
      `SELECT m.model, a.group_id, a.perm_read, a.perm_write, a.perm_create, a.perm_unlink
         FROM ir_model_access a JOIN ir_model m ON m.id = a.model_id WHERE a.active = TRUE`)).map((r: any) => ({
      model: r.model, group_id: r.group_id === null ? null : Number(r.group_id),
      perm_read: !!r.perm_read, perm_write: !!r.perm_write, perm_create: !!r.perm_create, perm_unlink: !!r.perm_unlink,
    })))();
    cached.catch(() => accessCache.delete(env.registry));
    accessCache.set(env.registry, cached);
  }
  return cached;
}

/** Call after ir.model.access lines change. */
export function invalidateAccessCache(registry: object): void {
  accessCache.delete(registry);
}

const xmlidsCache = new WeakMap<Set<number>, Promise<(xmlid: string) => boolean>>();

/**
 * A membership test by group XML id for the env's user. Cached on the user's group-id set,
 * which lives as long as the unit of work (and is replaced when the groups change).
 */
export async function userGroupXmlids(env: Environment): Promise<(xmlid: string) => boolean> {
  const ids = await env.groupIds();
  let found = xmlidsCache.get(ids);
  if (!found) {
    found = (async () => {
      if (!ids.size) return () => false;
      const list = [...ids];
      const rows = rowsOf(await env.cr.raw(
        `SELECT module || '.' || name AS xmlid FROM ir_model_data WHERE model = 'res.groups' AND res_id IN (${list.map(() => '?').join(',')})`, list));
      const set = new Set(rows.map((r: any) => r.xmlid as string));
      return (xmlid: string) => set.has(xmlid);
    })();
    found.catch(() => xmlidsCache.delete(ids));
    xmlidsCache.set(ids, found);
  }
  return found;
}
