/**
 * XML ids (`module.name`) in ir.model.data: resolve, register, and the create-or-update
 * step shared by the XML and CSV loaders (respecting `noupdate` on upgrades).
 */
import { auditColumns } from '../orm/environment.ts';
import { AddonError } from '../errors.ts';
import type { Environment } from '../orm/environment.ts';

export function qualify(xmlid: string, module: string): string {
  if (!xmlid) throw new AddonError('Empty XML id');
  return xmlid.includes('.') ? xmlid : `${module}.${xmlid}`;
}

export async function resolveXmlid(env: Environment, xmlid: string, module: string): Promise<number> {
  const full = qualify(xmlid, module);
  const found = await env.xmlidLookup(full);
  if (!found) throw new AddonError(`External ID not found: ${full}`);
  return found.id;
}

export interface LoadMode {
  module: string;
  /** True while (re)loading an addon that was already installed. */
  isUpdate: boolean;
  noupdate: boolean;
}

/** Creates the record or updates it; returns its id. Skips updates of noupdate records. */
export async function upsertRecord(env: Environment, model: string, xmlid: string | null, vals: Record<string, unknown>, mode: LoadMode): Promise<number> {
  if (!env.registry.has(model)) throw new AddonError(`Unknown model '${model}'`);
  const recs = env.model(model);
  if (!xmlid) return (await recs.create(vals)).ids[0];
  const full = qualify(xmlid, mode.module);
  const [module, name] = [full.slice(0, full.indexOf('.')), full.slice(full.indexOf('.') + 1)];
  const row = await env.cr('ir_model_data').where({ module, name }).first('id', 'res_id', 'model', 'noupdate');
  if (row) {
    const exists = await env.cr(recs._meta.table).where({ id: row.res_id }).first('id');
    if (exists) {
      if (row.noupdate && mode.isUpdate) return Number(row.res_id);
      await recs.browse([Number(row.res_id)]).write(vals);
      return Number(row.res_id);
    }
    await env.cr('ir_model_data').where({ id: row.id }).delete();
  }
  const created = await recs.create(vals);
  const id = created.ids[0];
  await env.cr('ir_model_data').insert({ module, name, model, res_id: id, noupdate: mode.noupdate, ...auditColumns(env.uid) });
  env.forgetXmlid(full);
  return id;
}
