import { fields, model } from '../../../core/orm/index.ts';

/** Installed addons (written by the loader). */
export const IrModuleModule = model((Base) => class extends Base {
  static _name = 'ir.module.module';
  static _description = 'Module';
  static _order = 'name';
  static fields = {
    name: fields.char({ string: 'Technical Name', required: true, unique: true }),
    shortdesc: fields.char({ string: 'Module Name' }),
    summary: fields.char({ string: 'Summary' }),
    state: fields.selection([['uninstalled', 'Not Installed'], ['installed', 'Installed'], ['to upgrade', 'To be upgraded']], { string: 'Status', default: 'uninstalled' }),
    latest_version: fields.char({ string: 'Installed Version' }),
    demo: fields.boolean({ string: 'Demo Data', default: false }),
    application: fields.boolean({ string: 'Application', default: false }),
  };
});
