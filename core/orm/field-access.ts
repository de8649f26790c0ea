/**
 * Field-level access: the one check every entry point calls before a field is read, written,
 * searched, sorted, grouped or exported — model.ts (read, search_read, write, create,
 * export_data, default_get), read-group.ts (fields, group-by), search.ts (`order`) and the
 * domain compiler (each field of a leaf's path, so a dotted path that passes through a
 * restricted field is refused too). fields_get and views leave out the fields `fieldVisible`
 * refuses. A new entry point only has to call `checkFieldAccess`.
 *
 *   field                    read                    write         search, order, group, aggregate, export
 *   groups the user lacks    AccessError             AccessError   AccessError
 *   writeOnly (password)     reads back empty (all)  allowed       AccessError for everyone, sudo too
 *
 * Superuser mode skips `groups` (Odoo), never `writeOnly`: a password hash must not leave the
 * server by any route. Refusals name the field, never a value.
 */
import { AccessError, err, ValidationError } from '../errors.ts';
import { hasFieldGroups } from '../security/index.ts';
import { userGroupXmlids } from './access-cache.ts';
import type { Environment } from './environment.ts';
import type { Field } from './fields/index.ts';
import type { ModelClass } from './model.ts';

export type FieldUse = 'read' | 'write' | 'search' | 'order' | 'group' | 'aggregate' | 'export';

/** The verb of each use in messages (translatable words). */
const USE_VERBS: Record<FieldUse, string> = {
  read: 'read', write: 'write', search: 'search on', order: 'sort by', group: 'group by', aggregate: 'aggregate', export: 'export',
};

/** Uses that would let a value (or its order) leave the server. */
const REVEALING: ReadonlySet<FieldUse> = new Set(['search', 'order', 'group', 'aggregate', 'export']);

/**
 * Raises unless the env's user may `use` every field of `paths` on `model`. A path is a field
 * name or a dotted path (`partner_id.city`): every field along it is checked, and a related
 * field also checks the fields of its own path.
 * @throws ValidationError for an unknown field, AccessError for a refused one.
 */
export async function checkFieldAccess(env: Environment, model: ModelClass, paths: Iterable<string>, use: FieldUse): Promise<void> {
  // Most fields have no `groups`: checked without awaiting anything (this runs on every call).
  const list = typeof paths === 'string' ? [paths] : [...paths];
  if (list.every((path) => ungroupedPath(env, model, path.split('.'), 0, use))) return;
  let isMember: ((xmlid: string) => boolean) | null = null;
  const allowed = async (field: Field) => {
    if (!field.groups || env.su) return true;
    isMember ??= await userGroupXmlids(env);
    return hasFieldGroups(field.groups, isMember);
  };
  const walk = async (current: ModelClass, path: string[], depth: number): Promise<void> => {
    if (depth > 16) throw err(ValidationError, "Field path too deep on model '%s'", current._meta.name);
    const field = current._meta.fields.get(path[0]);
    if (!field) throw err(ValidationError, "Invalid field '%s' on model '%s'", path[0], current._meta.name);
    if (field.writeOnly && REVEALING.has(use)) {
      throw err(AccessError, "The field '%s' of '%s' (%s) never leaves the server: it cannot be used to %s.", field.name, current._meta.description, current._meta.name, USE_VERBS[use]);
    }
    if (!(await allowed(field))) {
      throw err(AccessError, "You do not have enough rights to %s the field '%s' of '%s' (%s).", USE_VERBS[use], field.name, current._meta.description, current._meta.name);
    }
    if (field.related) await walk(current, field.related.split('.'), depth + 1);
    if (path.length > 1) {
      const comodel = field.comodel ? current._registry.get(field.comodel) : undefined;
      if (!comodel) throw err(ValidationError, "Field '%s' of '%s' is not relational: cannot follow '%s'", field.name, current._meta.name, path.join('.'));
      await walk(comodel, path.slice(1), depth + 1);
    }
  };
  for (const path of list) await walk(model, path.split('.'), 0);
}

/**
 * The walk of checkFieldAccess for fields without groups (or as superuser): true when every
 * field along `path` passes; false as soon as one has groups (the full check then decides,
 * in the same order). Throws the same errors as the full walk up to that point.
 */
function ungroupedPath(env: Environment, current: ModelClass, path: string[], depth: number, use: FieldUse): boolean {
  if (depth > 16) throw err(ValidationError, "Field path too deep on model '%s'", current._meta.name);
  const field = current._meta.fields.get(path[0]);
  if (!field) throw err(ValidationError, "Invalid field '%s' on model '%s'", path[0], current._meta.name);
  if (field.writeOnly && REVEALING.has(use)) {
    throw err(AccessError, "The field '%s' of '%s' (%s) never leaves the server: it cannot be used to %s.", field.name, current._meta.description, current._meta.name, USE_VERBS[use]);
  }
  if (field.groups && !env.su) return false;
  if (field.related && !ungroupedPath(env, current, field.related.split('.'), depth + 1, use)) return false;
  if (path.length > 1) {
    const comodel = field.comodel ? current._registry.get(field.comodel) : undefined;
    if (!comodel) throw err(ValidationError, "Field '%s' of '%s' is not relational: cannot follow '%s'", field.name, current._meta.name, path.join('.'));
    return ungroupedPath(env, comodel, path.slice(1), depth + 1, use);
  }
  return true;
}

/**
 * The fields of `model` the env's user may see (fields_get, views, `read()` without a field
 * list): those whose groups (and, for related fields, whose path's groups) admit them.
 */
export async function visibleFields(env: Environment, model: ModelClass): Promise<Field[]> {
  const out: Field[] = [];
  for (const field of model._meta.fields.values()) if (await fieldVisible(env, model, field.name)) out.push(field);
  return out;
}

/** True when `checkFieldAccess(…, [name], 'read')` would pass. */
export async function fieldVisible(env: Environment, model: ModelClass, name: string): Promise<boolean> {
  try {
    await checkFieldAccess(env, model, [name], 'read');
    return true;
  } catch (e) {
    if (e instanceof AccessError) return false;
    throw e;
  }
}
