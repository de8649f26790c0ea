import { fields, model } from '../../../core/orm/index.ts';

export const ResGroups = model((Base) => class extends Base {
  static _name = 'res.groups';
  static _description = 'Access Groups';
  static _order = 'name';
  static fields = {
    name: fields.char({ string: 'Name', required: true, translate: true }),
    comment: fields.text({ string: 'Comment' }),
    category: fields.char({ string: 'Application' }),
    implied_ids: fields.many2many('res.groups', { string: 'Inherits', relation: 'res_groups_implied_rel', column1: 'gid', column2: 'hid', help: 'Users of this group also get the inherited groups' }),
    users: fields.many2many('res.users', { string: 'Users', relation: 'res_groups_users_rel', column1: 'gid', column2: 'uid' }),
  };
  async write(vals: Record<string, unknown>) {
    const res = await super.write(vals);
    this.env.invalidateGroups();
    return res;
  }
});
