import { fields, model } from '../../../core/orm/index.ts';

/** System parameters (key/value), readable by administrators. */
export const IrConfigParameter = model((Base) => class extends Base {
  static _name = 'ir.config_parameter';
  static _description = 'System Parameter';
  static _rec_name = 'key';
  static _order = 'key';
  static fields = {
    key: fields.char({ string: 'Key', required: true, unique: true }),
    value: fields.text({ string: 'Value', required: true }),
  };
  static _rpc = { get_param: { kind: 'model' as const, params: ['key', 'default'] }, set_param: { kind: 'model' as const, params: ['key', 'value'] } };

  async get_param(key: string, defaultValue: string | false = false): Promise<string | false> {
    await this.check_access_rights('read');
    const row = await this.env.cr('ir_config_parameter').where({ key }).first('value');
    return row ? row.value : defaultValue;
  }
  async set_param(key: string, value: string | false): Promise<boolean> {
    const found = await this.search([['key', '=', key]]);
    if (value === false || value === null) { await found.unlink(); return true; }
    if (found.length) await found.write({ value: String(value) });
    else await this.create({ key, value: String(value) });
    return true;
  }
});
