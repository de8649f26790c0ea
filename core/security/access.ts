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

/** Field-level `groups="a.b,c.d"`: allowed when the user is in any of them. */
export function hasFieldGroups(groupsAttr: string | undefined, isMember: (xmlid: string) => boolean): boolean {
  if (!groupsAttr) return true;
  return groupsAttr.split(',').map((g) => g.trim()).filter(Boolean).some((g) => (g.startsWith('!') ? !isMember(g.slice(1)) : isMember(g)));
}
