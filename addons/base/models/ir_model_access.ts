import { fields, invalidateAccessCache, invalidateRulesCache, model, type ModelClass, type Vals } from '../../../core/orm/index.ts';

/** A layer that drops a registry-level security cache whenever records of the model change. */
function invalidatesOnChange(Base: ModelClass, invalidate: (registry: object) => void): ModelClass {
  return class extends Base {
    async create(vals: Vals | Vals[]) {
      invalidate(this.env.registry);
      return super.create(vals);
    }
    async write(vals: Vals) {
      invalidate(this.env.registry);
      return super.write(vals);
    }
    async unlink() {
      invalidate(this.env.registry);
      return super.unlink();
    }
  };
}

/** Model-level permissions per group (ir.model.access.csv). */
export const IrModelAccess = model((Base) => class extends invalidatesOnChange(Base, invalidateAccessCache) {
  static _name = 'ir.model.access';
  static _description = 'Model Access';
  static _order = 'model_id, group_id, name, id';
  static fields = {
    name: fields.char({ string: 'Name', required: true }),
    active: fields.boolean({ string: 'Active', default: true }),
    model_id: fields.many2one('ir.model', { string: 'Model', required: true, ondelete: 'cascade', index: true }),
    group_id: fields.many2one('res.groups', { string: 'Group', ondelete: 'restrict', index: true }),
    perm_read: fields.boolean({ string: 'Read Access', default: false }),
    perm_write: fields.boolean({ string: 'Write Access', default: false }),
    perm_create: fields.boolean({ string: 'Create Access', default: false }),
    perm_unlink: fields.boolean({ string: 'Delete Access', default: false }),
  };
});

/** Record rules: a domain per model, global or per group. */
export const IrRule = model((Base) => class extends invalidatesOnChange(Base, invalidateRulesCache) {
  static _name = 'ir.rule';
  static _description = 'Record Rule';
  static _order = 'model_id, name, id';
  static fields = {
    name: fields.char({ string: 'Name', required: true }),
    active: fields.boolean({ string: 'Active', default: true }),
    model_id: fields.many2one('ir.model', { string: 'Model', required: true, ondelete: 'cascade', index: true }),
    groups: fields.many2many('res.groups', { string: 'Groups', relation: 'rule_group_rel', column1: 'rule_group_id', column2: 'group_id' }),
    domain_force: fields.text({ string: 'Domain' }),
    perm_read: fields.boolean({ string: 'Apply for Read', default: true }),
    perm_write: fields.boolean({ string: 'Apply for Write', default: true }),
    perm_create: fields.boolean({ string: 'Apply for Create', default: true }),
    perm_unlink: fields.boolean({ string: 'Apply for Delete', default: true }),
  };
});
