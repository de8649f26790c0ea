import { err } from '../../../core/errors.ts';
import { rawStatement } from '../../../core/db/index.ts';
import { fields, model, rowsOf, UserError, type ComputeFn, type Environment, type Vals } from '../../../core/orm/index.ts';

/**
 * Numbering sequences, with Odoo's two implementations:
 *
 *   standard  a PostgreSQL sequence `ir_sequence_<id>` (nextval): no lock, so concurrent
 *             transactions never wait for each other; a number taken by a transaction that
 *             rolls back is not given again (a gap).
 *   no_gap    `UPDATE ir_sequence … RETURNING`: the row lock, held until commit, makes
 *             concurrent takers wait for each other; a rollback gives the number back.
 *
 * Both never give the same number twice. The PostgreSQL sequence follows the record: created
 * with it, restarted when `number_next` or `number_increment` is written, dropped when the
 * record is deleted or turned `no_gap` (its position is kept in `number_next`), and created on
 * first use for records that have none (rows inserted before `implementation` existed, whose
 * empty value counts as `standard`, Odoo's default). `number_next_actual` reads the position
 * back from whichever implementation is in use.
 */
export const SEQUENCE_IMPLEMENTATIONS = [['standard', 'Standard'], ['no_gap', 'No gap']] as const;

/** The PostgreSQL sequence of record `id` (Odoo's name). */
export const pgSequenceName = (id: number) => `ir_sequence_${String(id).padStart(3, '0')}`;

const isStandard = (implementation: unknown) => implementation !== 'no_gap';

/**
 * The catalog row of the PostgreSQL sequence of `id`, read from pg_class with the statement's
 * snapshot: it sees a sequence another transaction created and committed meanwhile, which a
 * name lookup (`to_regclass`, `'name'::regclass`) may not, as it goes through the session's
 * catalog cache. Callers then use the oid, which opens the relation with a lock and so with
 * a fresh cache.
 */
const PG_OID_SQL = `(SELECT c.oid::int8 FROM pg_class c WHERE c.relname = ? AND c.relkind = 'S' AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()))`;

async function pgSequenceOid(env: Environment, id: number): Promise<number | null> {
  const oid = rowsOf(await env.cr.raw(`SELECT ${PG_OID_SQL} AS oid`, [pgSequenceName(id)]))[0].oid;
  return oid ? Number(oid) : null;
}

async function pgSequenceExists(env: Environment, id: number): Promise<boolean> {
  return (await pgSequenceOid(env, id)) !== null;
}

/** Creates or resets the PostgreSQL sequence of `id` so that its next value is `next`. */
async function resetPgSequence(env: Environment, id: number, next: number, increment: number): Promise<void> {
  const name = pgSequenceName(id);
  if (!Number.isInteger(next) || !Number.isInteger(increment) || increment === 0) {
    throw err(UserError, 'Sequence %s: the next number and the step must be whole numbers, the step not 0.', id);
  }
  // Identifiers cannot be bound; `name` is built from an integer above.
  if (await pgSequenceExists(env, id)) await env.cr.raw(`ALTER SEQUENCE ${name} INCREMENT BY ${increment} MINVALUE ${Math.min(next, 1)} RESTART WITH ${next}`);
  else await env.cr.raw(`CREATE SEQUENCE ${name} INCREMENT BY ${increment} MINVALUE ${Math.min(next, 1)} START WITH ${next}`);
}

/** The next value the PostgreSQL sequence of `id` will give (without taking it). */
async function peekPgSequence(env: Environment, id: number): Promise<number> {
  const row = rowsOf(await env.cr.raw(`SELECT last_value, is_called, (SELECT increment_by FROM pg_sequences WHERE schemaname = current_schema() AND sequencename = ?) AS step FROM ${pgSequenceName(id)}`, [pgSequenceName(id)]))[0];
  return row.is_called ? Number(row.last_value) + Number(row.step) : Number(row.last_value);
}

const computeNumberNextActual: ComputeFn = async (records) => {
  const out = new Map<number, unknown>();
  if (!records.ids.length) return out;
  const rows = await records.env.cr('ir_sequence').whereIn('id', records.ids).select('id', 'implementation', 'number_next');
  for (const r of rows) {
    const id = Number(r.id);
    const fromPg = isStandard(r.implementation) && (await pgSequenceExists(records.env, id));
    out.set(id, fromPg ? await peekPgSequence(records.env, id) : Number(r.number_next));
  }
  return out;
};

interface SequenceRow { id: number; implementation: string | null; prefix: string | null; suffix: string | null; padding: number; number_next: number; number_increment: number; pg_oid: number | null }

export const IrSequence = model((Base) => class extends Base {
  static _name = 'ir.sequence';
  static _description = 'Sequence';
  static _order = 'name';
  static fields = {
    name: fields.char({ string: 'Name', required: true }),
    code: fields.char({ string: 'Sequence Code', index: true }),
    implementation: fields.selection(SEQUENCE_IMPLEMENTATIONS, {
      string: 'Implementation', required: true, default: 'standard',
      help: 'Standard: fast, concurrent transactions never wait, but a number taken by a cancelled operation is skipped. No gap: every number is used, but transactions taking numbers wait for each other until they end.',
    }),
    prefix: fields.char({ string: 'Prefix', help: 'May contain %(year)s, %(month)s, %(day)s' }),
    suffix: fields.char({ string: 'Suffix' }),
    padding: fields.integer({ string: 'Sequence Size', default: 0 }),
    number_next: fields.integer({ string: 'Next Number', default: 1, help: 'Writing it makes the sequence continue from this number' }),
    number_next_actual: fields.integer({ string: 'Actual Next Number', compute: computeNumberNextActual, help: 'The number the sequence gives next (it may already be taken by the time you read it)' }),
    number_increment: fields.integer({ string: 'Step', default: 1 }),
    active: fields.boolean({ string: 'Active', default: true }),
  };
  static _rpc = { next_by_code: { kind: 'model' as const, params: ['sequence_code'] }, next_by_id: 'records' as const };

  async create(valsList: Vals | Vals[]) {
    const records = await super.create(valsList);
    const rows = await this.env.cr('ir_sequence').whereIn('id', records.ids).select('id', 'implementation', 'number_next', 'number_increment');
    for (const r of rows) if (isStandard(r.implementation)) await resetPgSequence(this.env, Number(r.id), Number(r.number_next ?? 1), Number(r.number_increment ?? 1));
    return records;
  }

  async write(vals: Vals) {
    const v: Vals = vals && typeof vals === 'object' && !Array.isArray(vals) ? { ...vals } : vals;
    // The form edits the actual position: it is where the sequence continues from.
    if (v && typeof v === 'object' && 'number_next_actual' in v) {
      if (!('number_next' in v)) v.number_next = v.number_next_actual;
      delete v.number_next_actual;
    }
    const touches = v && typeof v === 'object' && ['implementation', 'number_next', 'number_increment'].some((k) => k in v);
    // Leaving `standard`: keep the position the PostgreSQL sequence had reached.
    if (touches && v.implementation === 'no_gap' && !('number_next' in v)) {
      const actual = await this._numberNextActual();
      for (const [id, next] of actual) await this.env.cr('ir_sequence').where({ id }).update({ number_next: next });
    }
    const result = await super.write(v);
    if (touches) {
      const rows = await this.env.cr('ir_sequence').whereIn('id', this.ids).select('id', 'implementation', 'number_next', 'number_increment');
      for (const r of rows) {
        const id = Number(r.id);
        if (!isStandard(r.implementation)) await this.env.cr.raw(`DROP SEQUENCE IF EXISTS ${pgSequenceName(id)}`);
        else if ('number_next' in v || 'number_increment' in v || !(await pgSequenceExists(this.env, id))) {
          // A new step alone keeps the position reached.
          const next = 'number_next' in v ? Number(r.number_next) : (await this._numberNextActual()).get(id) ?? Number(r.number_next);
          await resetPgSequence(this.env, id, next, Number(r.number_increment ?? 1));
        }
      }
    }
    return result;
  }

  async unlink() {
    const ids = [...this.ids];
    const result = await super.unlink();
    for (const id of ids) await this.env.cr.raw(`DROP SEQUENCE IF EXISTS ${pgSequenceName(id)}`);
    return result;
  }

  async _numberNextActual(): Promise<Map<number, number>> {
    return (await computeNumberNextActual(this)) as Map<number, number>;
  }

  async next_by_code(sequence_code: string): Promise<string | false> {
    const [n] = await this._reserveByCode(sequence_code, 1);
    return n ?? false;
  }

  async next_by_id(): Promise<string> {
    this.ensureOne();
    const row = await this._sequenceRow(this.env.cr('ir_sequence as s').where('s.id', this.ids[0]));
    if (!row) throw err(UserError, 'Sequence %s does not exist', this.ids[0]);
    return (await this._take(row, 1))[0];
  }

  /**
   * `count` numbers of the active sequence with this code ([] when there is none), in one or
   * two statements whatever the count (importers take a batch at once).
   */
  async _reserveByCode(code: string, count: number): Promise<string[]> {
    if (count <= 0) return [];
    // Shared across units of work (every ticket filed by mail asks); the numbers taken are not in it.
    const row = await this.env.cached('ir.sequence', `ir.sequence.code:${code}`, () =>
      this._sequenceRow(this.env.cr('ir_sequence as s').where({ 's.code': code, 's.active': true }).orderBy('s.id')));
    return row ? this._take(row, count) : [];
  }

  async _sequenceRow(query: any): Promise<SequenceRow | undefined> {
    const row = await query.first('s.id', 's.implementation', 's.prefix', 's.suffix', 's.padding', 's.number_next', 's.number_increment',
      this.env.cr.raw(`${PG_OID_SQL.replace('?', `'ir_sequence_' || lpad(s.id::text, 3, '0')`)} AS pg_oid`));
    return row ? { ...row, id: Number(row.id) } : undefined;
  }

  async _take(row: SequenceRow, count: number): Promise<string[]> {
    const env = this.env;
    let numbers: number[];
    if (isStandard(row.implementation)) {
      let oid = row.pg_oid ? Number(row.pg_oid) : 0;
      if (!oid) {
        oid = await this._createMissingPgSequence(row.id);
        env.forgetMemo('ir.sequence');
      }
      // Prepared once per connection on a server: every numbered record (each ticket filed by mail) takes one.
      const rows = rowsOf(await rawStatement(env.cr, 'SELECT nextval(?::oid::regclass) AS n FROM generate_series(1, ?)', [oid, count]));
      numbers = rows.map((r: any) => Number(r.n));
    } else {
      const r = rowsOf(await env.cr.raw(
        `UPDATE ir_sequence SET number_next = number_next + number_increment * ? WHERE id = ? RETURNING number_next - number_increment * ? AS first, number_increment AS step`,
        [count, row.id, count]))[0];
      if (!r) throw err(UserError, 'Sequence %s does not exist', row.id);
      numbers = Array.from({ length: count }, (_x, i) => Number(r.first) + i * Number(r.step));
    }
    const now = new Date();
    const vars: Record<string, string> = {
      year: String(now.getUTCFullYear()), y: String(now.getUTCFullYear()).slice(2),
      month: String(now.getUTCMonth() + 1).padStart(2, '0'), day: String(now.getUTCDate()).padStart(2, '0'),
    };
    const interpolate = (s: string | null) => (s ?? '').replace(/%\((\w+)\)s/g, (_m, k: string) => {
      if (!(k in vars)) throw err(UserError, "Invalid prefix or suffix for sequence: unknown key '%s'", k);
      return vars[k];
    });
    const prefix = interpolate(row.prefix);
    const suffix = interpolate(row.suffix);
    return numbers.map((n) => `${prefix}${String(n).padStart(Number(row.padding) || 0, '0')}${suffix}`);
  }

  /**
   * A `standard` record without its PostgreSQL sequence (inserted before `implementation`
   * existed): the row lock lets one transaction create it from `number_next`; the others wait
   * and find it.
   */
  async _createMissingPgSequence(id: number): Promise<number> {
    const row = rowsOf(await this.env.cr.raw('SELECT number_next, number_increment FROM ir_sequence WHERE id = ? FOR UPDATE', [id]))[0];
    if (!row) throw err(UserError, 'Sequence %s does not exist', id);
    const found = await pgSequenceOid(this.env, id);
    if (found) return found;
    await resetPgSequence(this.env, id, Number(row.number_next ?? 1), Number(row.number_increment ?? 1));
    return (await pgSequenceOid(this.env, id))!;
  }
});
