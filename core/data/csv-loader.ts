/**
 * Loads Odoo-format CSV data files: the file name is the model (`ir.model.access.csv`),
 * the header names fields, `field:id` / `field/id` columns hold XML ids, `id` the record's
 * own XML id. Errors name the file, the line and the record id.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import { AddonError } from '../errors.ts';
import type { Environment } from '../orm/environment.ts';
import { resolveXmlid, upsertRecord, type LoadMode } from './xml-ids.ts';

export async function loadCsvFile(env: Environment, file: string, mode: LoadMode): Promise<void> {
  const model = basename(file, '.csv');
  if (!env.registry.has(model)) throw new AddonError(`${file}: unknown model '${model}' (the file name names the model)`);
  const fields = env.registry.get(model)!._meta.fields;
  let rows: string[][];
  try {
    rows = parse(await readFile(file, 'utf8'), { skip_empty_lines: true, relax_column_count: false });
  } catch (err) {
    throw new AddonError(`${file}: malformed CSV: ${(err as Error).message}`);
  }
  const [header, ...data] = rows;
  if (!header) return;
  const columns = header.map((h) => {
    const m = /^([a-z_][a-z0-9_]*)(?:[:/](id))?$/.exec(h.trim());
    if (!m) throw new AddonError(`${file}:1: invalid column '${h}'`);
    if (m[1] !== 'id' && !fields.has(m[1])) throw new AddonError(`${file}:1: model '${model}' has no field '${m[1]}'`);
    return { name: m[1], isRef: !!m[2] };
  });
  for (const [i, row] of data.entries()) {
    const lineNo = i + 2;
    let xmlid: string | null = null;
    try {
      const vals: Record<string, unknown> = {};
      for (const [c, col] of columns.entries()) {
        const raw = row[c].trim();
        if (col.name === 'id') { xmlid = raw || null; continue; }
        const field = fields.get(col.name)!;
        if (col.isRef) {
          const id = raw ? await resolveXmlid(env, raw, mode.module) : false;
          vals[col.name] = field.type === 'many2many' ? [[6, 0, id ? [id] : []]] : id;
        } else if (field.type === 'boolean') vals[col.name] = ['1', 'true', 'True'].includes(raw);
        else if (field.type === 'integer' || field.type === 'float') vals[col.name] = raw === '' ? 0 : Number(raw);
        else vals[col.name] = raw;
      }
      await upsertRecord(env, model, xmlid, vals, mode);
    } catch (err) {
      throw new AddonError(`${file}:${lineNo}: record '${xmlid ?? '?'}': ${(err as Error).message}`);
    }
  }
}
