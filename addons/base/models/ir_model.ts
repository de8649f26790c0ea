import { fields, model } from '../../../core/orm/index.ts';
import { compactGroupCounts } from '../../../core/schema/index.ts';

/** One row per model of the registry (kept in sync by the loader). */
export const IrModel = model((Base) => class extends Base {
  static _name = 'ir.model';
  static _description = 'Models';
  static _order = 'model';
  static _rec_name = 'name';
  static _rec_names_search = ['name', 'model'];
  static fields = {
    name: fields.char({ string: 'Model Description', required: true, translate: true }),
    model: fields.char({ string: 'Model', required: true, unique: true }),
    transient: fields.boolean({ string: 'Transient Model' }),
    access_ids: fields.one2many('ir.model.access', 'model_id', { string: 'Access' }),
    rule_ids: fields.one2many('ir.rule', 'model_id', { string: 'Record Rules' }),
  };
  /** Methods the scheduler may call. */
  static _cron = ['cron_compact_group_counts'];

  /** Folds the group-count deltas written since the last run (see core/schema/group-counts.ts). */
  async cron_compact_group_counts(): Promise<void> {
    for (const model of this.env.registry.all()) {
      if (!model._meta.abstract && model._meta.groupCounts.length) await compactGroupCounts(this.env.cr, model);
    }
  }
});

/** External identifiers (XML ids): module.name → (model, res_id). */
export const IrModelData = model((Base) => class extends Base {
  static _name = 'ir.model.data';
  static _description = 'Model Data';
  static _order = 'module, model, name';
  static _rec_name = 'name';
  static fields = {
    name: fields.char({ string: 'External Identifier', required: true, index: true }),
    module: fields.char({ string: 'Module', required: true, index: true }),
    model: fields.char({ string: 'Model Name', required: true }),
    res_id: fields.integer({ string: 'Record ID', index: true }),
    noupdate: fields.boolean({ string: 'Non Updatable', default: false }),
  };
});
