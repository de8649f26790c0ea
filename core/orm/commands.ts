/**
 * x2many write commands, Odoo's numbering:
 *   [0, 0, vals] create   [1, id, vals] update   [2, id] delete   [3, id] unlink
 *   [4, id] link          [5] unlink all          [6, 0, ids] replace
 * A plain list of ids is accepted as [6, 0, ids].
 */
import { ValidationError, err } from '../errors.ts';
import type { Field } from './fields/index.ts';
import { q } from './domain/compile.ts';
import { rowsOf } from './environment.ts';
import type { Model } from './model.ts';

export type Command = [number, number?, unknown?];

export function normalizeCommands(field: Field, value: unknown): Command[] {
  if (value === false || value === null) return [[5]];
  if (!Array.isArray(value)) throw err(ValidationError, 'Wrong value for %s.%s: expected a list of commands or ids', field.modelName, field.name);
  if (value.every((v) => typeof v === 'number')) return [[6, 0, value]];
  return value.map((cmd, i) => {
    if (!Array.isArray(cmd) || typeof cmd[0] !== 'number' || cmd[0] < 0 || cmd[0] > 6) {
      throw err(ValidationError, 'Wrong command #%s for %s.%s: %s', i, field.modelName, field.name, JSON.stringify(cmd));
    }
    return cmd as Command;
  });
}

/**
 * Applies commands of one x2many field to one record. `fresh`: the record was inserted just
 * now, so it has no many2many links yet and they need not be read first.
 */
export async function applyCommands(record: Model, field: Field, commands: Command[], fresh = false): Promise<void> {
  const env = record.env;
  const id = record.ids[0];
  const comodel = env.model(field.comodel!);
  const isO2m = field.type === 'one2many';
  const inverseVals = (): Record<string, unknown> => {
    const v: Record<string, unknown> = { [field.inverseName!]: id };
    if (field.modelField) v[field.modelField] = record._meta.name;
    return v;
  };
  // The links of a fresh record, kept up to date here instead of read back.
  const known: Set<number> | null = fresh && !isO2m ? new Set() : null;
  const currentM2m = async () => known ?? new Set(rowsOf(await env.cr.raw(`SELECT ${q(field.column2!)} AS b FROM ${q(field.relation!)} WHERE ${q(field.column1!)} = ?`, [id])).map((r: any) => Number(r.b)));
  const link = async (ids: number[]) => {
    if (!ids.length) return;
    if (isO2m) await comodel.browse(ids).write(inverseVals());
    else {
      const existing = await currentM2m();
      const added = [...new Set(ids)].filter((b) => !existing.has(b));
      if (added.length) await env.cr(field.relation!).insert(added.map((b) => ({ [field.column1!]: id, [field.column2!]: b })));
      for (const b of added) known?.add(b);
    }
  };
  const unlinkIds = async (ids: number[] | null) => {
    if (isO2m) {
      const current = ids ?? (await currentO2m(record, field));
      if (!current.length) return;
      const inverse = comodel._meta.fields.get(field.inverseName!)!;
      // A required or cascading inverse cannot be emptied: the line goes away (Odoo).
      if (inverse.required || inverse.ondelete === 'cascade') await comodel.browse(current).unlink();
      else await comodel.browse(current).write({ [field.inverseName!]: false });
    } else {
      if (known && !known.size) return;
      const qb = env.cr(field.relation!).where(field.column1!, id);
      if (ids) qb.whereIn(field.column2!, ids);
      await qb.delete();
      if (ids) for (const b of ids) known?.delete(b);
      else known?.clear();
    }
  };
  for (const cmd of commands) {
    switch (cmd[0]) {
      case 0: {
        const vals = { ...(cmd[2] as Record<string, unknown>) };
        if (isO2m) Object.assign(vals, inverseVals());
        const created = await comodel.create(vals);
        if (!isO2m) await link(created.ids);
        break;
      }
      case 1: await comodel.browse([Number(cmd[1])]).write(cmd[2] as Record<string, unknown>); break;
      case 2: await comodel.browse([Number(cmd[1])]).unlink(); break;
      case 3: await unlinkIds([Number(cmd[1])]); break;
      case 4: await link([Number(cmd[1])]); break;
      case 5: await unlinkIds(null); break;
      case 6: {
        const wanted = ((cmd[2] as unknown[]) ?? []).map(Number);
        const current = isO2m ? await currentO2m(record, field) : [...(await currentM2m())];
        const toRemove = current.filter((c) => !wanted.includes(c));
        if (toRemove.length) await unlinkIds(toRemove);
        await link(wanted.filter((w) => !current.includes(w)));
        break;
      }
    }
  }
}

async function currentO2m(record: Model, field: Field): Promise<number[]> {
  const comodel = record.env.registry.get(field.comodel!)!;
  const qb = record.env.cr(comodel._meta.table).where(field.inverseName!, record.ids[0]);
  if (field.modelField) qb.where(field.modelField, record._meta.name);
  return (await qb.select('id')).map((r: any) => Number(r.id));
}
