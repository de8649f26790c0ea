import { err } from '../../../core/errors.ts';
import { fields, model, UserError } from '../../../core/orm/index.ts';

/**
 * Numbering sequences. The next number is taken with one UPDATE … RETURNING, whose row lock
 * makes concurrent transactions wait for each other: no two get the same number.
 */
export const IrSequence = model((Base) => class extends Base {
  static _name = 'ir.sequence';
  static _description = 'Sequence';
  static _order = 'name';
  static fields = {
    name: fields.char({ string: 'Name', required: true }),
    code: fields.char({ string: 'Sequence Code', index: true }),
    prefix: fields.char({ string: 'Prefix', help: 'May contain %(year)s, %(month)s, %(day)s' }),
    suffix: fields.char({ string: 'Suffix' }),
    padding: fields.integer({ string: 'Sequence Size', default: 0 }),
    number_next: fields.integer({ string: 'Next Number', default: 1 }),
    number_increment: fields.integer({ string: 'Step', default: 1 }),
    active: fields.boolean({ string: 'Active', default: true }),
  };
  static _rpc = { next_by_code: { kind: 'model' as const, params: ['sequence_code'] }, next_by_id: 'records' as const };

  async next_by_code(sequence_code: string): Promise<string | false> {
    const row = await this.env.cr('ir_sequence').where({ code: sequence_code, active: true }).orderBy('id').first('id');
    if (!row) return false;
    return this.browse([Number(row.id)]).next_by_id();
  }

  async next_by_id(): Promise<string> {
    this.ensureOne();
    const result = await this.env.cr.raw(
      `UPDATE ir_sequence SET number_next = number_next + number_increment WHERE id = ? RETURNING number_next - number_increment AS n, prefix, suffix, padding`, [this.ids[0]]);
    const row = (Array.isArray(result) ? result : result.rows)[0];
    if (!row) throw err(UserError, 'Sequence %s does not exist', this.ids[0]);
    const now = new Date();
    const interpolate = (s: string | null) => (s ?? '').replace(/%\((\w+)\)s/g, (_m, k: string) => {
      const map: Record<string, string> = {
        year: String(now.getUTCFullYear()), y: String(now.getUTCFullYear()).slice(2),
        month: String(now.getUTCMonth() + 1).padStart(2, '0'), day: String(now.getUTCDate()).padStart(2, '0'),
      };
      if (!(k in map)) throw err(UserError, "Invalid prefix or suffix for sequence: unknown key '%s'", k);
      return map[k];
    });
    return `${interpolate(row.prefix)}${String(row.n).padStart(Number(row.padding) || 0, '0')}${interpolate(row.suffix)}`;
  }
});
