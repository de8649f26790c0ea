/**
 * A server process for the kill -9 test: boots the app on an existing database (a PostgreSQL
 * URL, or a PGlite data directory) without installing, prints RUNNING and runs one import
 * task — until the test kills it.
 *   tsx run-child.ts <db_url | data_dir> <task_id>
 */
import { bootApp } from '../../../core/app.ts';
import { SUPERUSER_ID } from '../../../core/orm/index.ts';
import { runImport } from '../../../addons/base_external_import_zammad/index.ts';
import { testConfig } from '../../helpers/app.ts';

const [where, task] = process.argv.slice(2);
if (!where || !task) throw new Error('usage: run-child.ts <db_url | data_dir> <task_id>');
const base = testConfig({ addons: ['base_external_import_zammad'] });
const config = where.startsWith('postgres') ? { ...base, db_url: where } : { ...base, db_url: '', data_dir: where };
const app = await bootApp(config, { install: [] });
process.stdout.write('RUNNING\n');
const outcome = await app.withEnv(SUPERUSER_ID, (env) => runImport(env, Number(task)));
process.stdout.write(`DONE ${JSON.stringify(outcome)}\n`);
await app.close();
process.exit(0);
