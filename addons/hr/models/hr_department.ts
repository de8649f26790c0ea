import { fields, model, ValidationError, type Vals } from '../../../core/orm/index.ts';
import { _t } from '../../../core/i18n/index.ts';

/** A department of the organisation, possibly inside a parent department. */
export const HrDepartment = model((Base) => class extends Base {
  static _name = 'hr.department';
  static _description = 'Department';
  static _order = 'name';
  static fields = {
    name: fields.char({ string: 'Department Name', required: true, index: true }),
    active: fields.boolean({ string: 'Active', default: true, help: 'Archived departments are hidden from selections.' }),
    parent_id: fields.many2one('hr.department', { string: 'Parent Department', index: true, ondelete: 'set null' }),
    child_ids: fields.one2many('hr.department', 'parent_id', { string: 'Child Departments' }),
    manager_id: fields.many2one('res.users', { string: 'Manager', ondelete: 'set null' }),
  };

  async write(vals: Vals) {
    if (vals && typeof vals === 'object' && vals.parent_id) await this._checkRecursion(Number(Array.isArray(vals.parent_id) ? vals.parent_id[0] : vals.parent_id));
    return super.write(vals);
  }

  /** Refuses `parentId` as parent of these departments when it is one of them or below one of them. */
  async _checkRecursion(parentId: number): Promise<void> {
    const own = new Set(this.ids);
    const seen = new Set<number>();
    let current: number | null = parentId;
    while (current && !seen.has(current)) {
      if (own.has(current)) throw new ValidationError(_t(this.env, 'You cannot create recursive departments.'));
      seen.add(current);
      const row: { parent_id: number | null } | undefined = await this.env.cr('hr_department').where({ id: current }).first('parent_id');
      current = row?.parent_id ? Number(row.parent_id) : null;
    }
  }
});
