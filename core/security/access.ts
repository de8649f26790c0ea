/**
 * Model access (ir.model.access): may a user with these groups perform an operation on a
 * model at all? A line without group applies to everyone; any matching line granting the
 * permission is enough; a model without lines is reserved to the superuser (Odoo).
 */
export type AccessMode = 'read' | 'write' | 'create' | 'unlink';

export interface AccessLine {
  model: string;
  group_id: number | null;
  perm_read: boolean;
  perm_write: boolean;
  perm_create: boolean;
  perm_unlink: boolean;
}

export function hasModelAccess(lines: AccessLine[], model: string, mode: AccessMode, groups: Set<number>): boolean {
  return lines.some((l) => l.model === model && l[`perm_${mode}`] && (l.group_id === null || groups.has(l.group_id)));
}

/**
 * Field-level `groups="a.b,!c.d"`, Odoo's `user_has_groups`: a member of any negated group is
 * refused (even when a positive group lets them in); otherwise any positive group admits, and
 * an attribute with negated groups only admits everyone else.
 */
export function hasFieldGroups(groupsAttr: string | undefined, isMember: (xmlid: string) => boolean): boolean {
  if (!groupsAttr) return true;
  const names = groupsAttr.split(',').map((g) => g.trim()).filter(Boolean);
  const positive = names.filter((g) => !g.startsWith('!'));
  if (names.some((g) => g.startsWith('!') && isMember(g.slice(1).trim()))) return false;
  return !positive.length || positive.some(isMember);
}
