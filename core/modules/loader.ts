/**
 * The install/upgrade driver. On every start it:
 *   1. discovers addons (folders with a manifest.ts) in the addons paths;
 *   2. orders the installed + requested addons by dependency (graph.ts);
 *   3. imports their models into a fresh registry and builds it;
 *   4. syncs the schema (adds columns, never drops them; the ORM's own field indexes follow
 *      the declarations) and the ir.model rows;
 *   5. installs new addons / upgrades asked ones: data files (and demo), one transaction each;
 *   6. loads the translations of every installed addon.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { loadCsvFile, loadXmlFile, readPo, type LoadMode } from '../data/index.ts';
import { AddonError } from '../errors.ts';
import { auditColumns, Environment, SUPERUSER_ID, rowsOf } from '../orm/environment.ts';
import { Registry, type ModelDefinition } from '../orm/registry.ts';
import { syncSchema } from '../schema/sync.ts';
import { loadModelTerms, poLanguage } from '../i18n/model-terms.ts';
import { loadOrder } from './graph.ts';
import type { Manifest } from './manifest.ts';
import { logger } from '../logger.ts';

/** Advisory lock key serialising schema synchronisation between processes. */
const SCHEMA_LOCK = 7_340_001;

export interface AddonInfo {
  manifest: Manifest;
  path: string;
  module: AddonModule;
}
/**
 * What an addon's index.ts exports: its models, an install hook, and what it brings to the
 * server through the seam (`controllers`, `services`, `commands`: see core/http/seam.ts).
 */
export interface AddonModule {
  models?: ModelDefinition[];
  /** Runs once, in the install transaction, after the addon's data files. */
  onInstall?: (env: Environment) => Promise<void>;
  /** Runs at each upgrade of the addon, in its transaction, after the data files. */
  onUpgrade?: (env: Environment) => Promise<void>;
  [key: string]: unknown;
}

export interface LoadOptions {
  addonsPaths: string[];
  /** Addons to install if not installed yet. */
  install?: string[];
  /** Addons every database has (Odoo's server-wide modules), installed before `install`. */
  serverWide?: string[];
  /** Installed addons whose data files are reloaded. */
  upgrade?: string[];
  demo?: boolean;
}

export interface LoadedRegistry {
  registry: Registry;
  addons: AddonInfo[];
  installed: string[];
  newlyInstalled: string[];
}

export async function discoverAddons(paths: string[]): Promise<Map<string, { manifest: Manifest; path: string }>> {
  const out = new Map<string, { manifest: Manifest; path: string }>();
  for (const base of paths) {
    const dir = resolve(base);
    if (!existsSync(dir)) throw new AddonError(`Addons path ${dir} does not exist`);
    for (const name of readdirSync(dir).sort()) {
      const manifestFile = join(dir, name, 'manifest.ts');
      if (!existsSync(manifestFile)) continue;
      const manifest = (await import(pathToFileURL(manifestFile).href)).default as Manifest;
      if (!manifest || manifest.name !== name) throw new AddonError(`${manifestFile}: the manifest must export default defineAddon({ name: '${name}', ... })`);
      if (!out.has(name)) out.set(name, { manifest, path: join(dir, name) });
    }
  }
  return out;
}

async function installedAddons(knex: Knex): Promise<Map<string, string>> {
  const exists = rowsOf(await knex.raw(`SELECT to_regclass('ir_module_module') AS t`))[0].t;
  if (!exists) return new Map();
  const rows = await knex('ir_module_module').where({ state: 'installed' }).select('name', 'latest_version');
  return new Map(rows.map((r: any) => [r.name, r.latest_version]));
}

export async function loadRegistry(knex: Knex, opts: LoadOptions): Promise<LoadedRegistry> {
  const available = await discoverAddons(opts.addonsPaths);
  const installed = await installedAddons(knex);
  const wanted = [...new Set(['base', ...(opts.serverWide ?? []), ...installed.keys(), ...(opts.install ?? [])])];
  for (const name of installed.keys()) if (!available.has(name)) throw new AddonError(`Addon '${name}' is installed in the database but not found in the addons paths`);
  const order = loadOrder(new Map([...available].map(([k, v]) => [k, { name: k, depends: v.manifest.depends }])), wanted);
  const registry = new Registry();
  const addons: AddonInfo[] = [];
  for (const name of order) {
    const { manifest, path } = available.get(name)!;
    const indexFile = join(path, 'index.ts');
    const module: AddonModule = existsSync(indexFile) ? await import(pathToFileURL(indexFile).href) : {};
    registry.addDefinitions(name, module.models ?? []);
    addons.push({ manifest, path, module });
  }
  registry.build();
  let migratedColumns: string[] = [];
  await knex.transaction(async (trx) => {
    // Several processes booting together on one server take turns (schema DDL would deadlock).
    await trx.raw('SELECT pg_advisory_xact_lock(?)', [SCHEMA_LOCK]);
    migratedColumns = await syncSchema(trx, registry);
    await bootstrapBase(trx);
    await syncIrModel(trx, registry);
  });
  const newlyInstalled: string[] = [];
  /** Addons whose data was (re)loaded: their records get the translations of their .po files. */
  const loaded = new Set<string>();
  const upgrade = new Set(opts.upgrade ?? []);
  for (const addon of addons) {
    const name = addon.manifest.name;
    const isNew = !installed.has(name);
    const versionChanged = !isNew && installed.get(name) !== addon.manifest.version;
    if (!isNew && !upgrade.has(name) && !versionChanged) continue;
    logger.info(`${isNew ? 'Installing' : 'Upgrading'} addon ${name}`);
    await knex.transaction(async (trx) => {
      await trx.raw('SELECT pg_advisory_xact_lock(?)', [SCHEMA_LOCK]);
      const env = new Environment({ cr: trx, uid: SUPERUSER_ID, registry, context: { lang: 'en_US', install_mode: true } });
      const mode: LoadMode = { module: name, isUpdate: !isNew, noupdate: false };
      for (const file of addon.manifest.data) await loadDataFile(env, join(addon.path, file), mode);
      const demo = isNew ? opts.demo !== false : await demoInstalled(trx, name);
      if (demo) for (const file of addon.manifest.demo) await loadDataFile(env, join(addon.path, file), { ...mode, noupdate: true });
      if (isNew && addon.module.onInstall) await addon.module.onInstall(env);
      // Schema an addon manages itself (e.g. generated columns the ORM does not know) follows it on upgrade.
      if (!isNew && addon.module.onUpgrade) await addon.module.onUpgrade(env);
      await trx('ir_module_module').insert({
        name, state: 'installed', latest_version: addon.manifest.version, shortdesc: addon.manifest.summary || name,
        summary: addon.manifest.summary, demo, application: addon.manifest.application,
        create_uid: SUPERUSER_ID, write_uid: SUPERUSER_ID, create_date: trx.fn.now(), write_date: trx.fn.now(),
      }).onConflict('name').merge(['state', 'latest_version', 'summary', 'write_date']);
    });
    if (isNew) newlyInstalled.push(name);
    loaded.add(name);
  }
  for (const addon of addons) {
    const i18n = join(addon.path, 'i18n');
    if (!existsSync(i18n)) continue;
    for (const file of readdirSync(i18n).filter((f) => f.endsWith('.po'))) {
      const lang = file.replace(/\.po$/, '');
      const entries = await readPo(join(i18n, file));
      registry.addTranslations(lang, entries);
      if (lang.length === 2) registry.addTranslations(`${lang}_${lang.toUpperCase()}`, entries);
      if (loaded.has(addon.manifest.name) || migratedColumns.length) await loadModelTerms(knex, registry, addon.manifest.name, poLanguage(lang), new Map(entries));
    }
  }
  return { registry, addons, installed: order, newlyInstalled };
}

async function demoInstalled(trx: Knex.Transaction, name: string): Promise<boolean> {
  const row = await trx('ir_module_module').where({ name }).first('demo');
  return !!row?.demo;
}

async function loadDataFile(env: Environment, file: string, mode: LoadMode): Promise<void> {
  if (!existsSync(file)) throw new AddonError(`Data file ${file} listed in the manifest of '${mode.module}' does not exist`);
  if (file.endsWith('.xml')) await loadXmlFile(env, file, mode);
  else if (file.endsWith('.csv')) await loadCsvFile(env, file, mode);
  else throw new AddonError(`Data file ${file}: unsupported type (expected .xml or .csv)`);
}

/** The superuser and its partner exist before any record (create_uid points at them). */
async function bootstrapBase(trx: Knex.Transaction): Promise<void> {
  const root = await trx('res_users').where({ id: SUPERUSER_ID }).first('id');
  if (root) return;
  await trx.raw(`INSERT INTO res_partner (id, name, active) VALUES (1, 'OdooBot', TRUE)`);
  await trx.raw(`INSERT INTO res_users (id, login, name, partner_id, active) VALUES (1, '__system__', 'OdooBot', 1, FALSE)`);
  await trx.raw(`SELECT setval('res_partner_id_seq', 1)`);
  await trx.raw(`SELECT setval('res_users_id_seq', 1)`);
  // The superuser created itself, as in Odoo (create_uid is never NULL).
  await trx.raw(`UPDATE res_partner SET create_uid = 1, write_uid = 1, create_date = now() AT TIME ZONE 'UTC', write_date = now() AT TIME ZONE 'UTC' WHERE id = 1`);
  await trx.raw(`UPDATE res_users SET create_uid = 1, write_uid = 1, create_date = now() AT TIME ZONE 'UTC', write_date = now() AT TIME ZONE 'UTC' WHERE id = 1`);
  await trx('ir_model_data').insert([
    { module: 'base', name: 'partner_root', model: 'res.partner', res_id: 1, noupdate: true, ...auditColumns(SUPERUSER_ID) },
    { module: 'base', name: 'user_root', model: 'res.users', res_id: 1, noupdate: true, ...auditColumns(SUPERUSER_ID) },
  ]);
}

/** One ir.model row per model, with the XML id `<module>.model_<name>` Odoo data files use. */
async function syncIrModel(trx: Knex.Transaction, registry: Registry): Promise<void> {
  const existing = new Map((await trx('ir_model').select('model', 'name')).map((r: any) => [r.model, r.name]));
  for (const model of registry.all()) {
    const meta = model._meta;
    if (existing.has(meta.name)) {
      // Only descriptions that changed are written: a restart sends no update.
      const current = existing.get(meta.name);
      const english = current && typeof current === 'object' ? (current as Record<string, string>).en_US : current;
      if (english !== meta.description) await trx('ir_model').where({ model: meta.name }).update({ name: trx.raw(`COALESCE(name, '{}'::jsonb) || jsonb_build_object('en_US', ?::text)`, [meta.description]) });
      continue;
    }
    const [{ id }] = await trx('ir_model').insert({ model: meta.name, name: JSON.stringify({ en_US: meta.description }), transient: meta.transient, create_uid: SUPERUSER_ID, write_uid: SUPERUSER_ID }).returning('id');
    await trx('ir_model_data').insert({ module: meta.module, name: `model_${meta.name.replace(/\./g, '_')}`, model: 'ir.model', res_id: id, noupdate: false, ...auditColumns(SUPERUSER_ID) });
  }
}
