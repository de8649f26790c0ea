/**
 * base_external_dbsource installs on its own: model, access, views, action and menu; every
 * user-visible string has its Spanish translation; the service configures the key from the
 * server's settings and closes the pools when the server stops.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../../../core/app.ts';
import { extractStrings, missingTranslations } from '../../../core/i18n/extract.ts';
import { executeQuery, services } from '../../../addons/base_external_dbsource/index.ts';
import { makeTestApp } from '../../helpers/app.ts';
import { createPgDatabase, tempDir } from './helpers.ts';

let app: App;
test.before(async () => {
  app = await makeTestApp({ addons: ['base_external_dbsource'] });
});
test.after.always(async () => app?.close());

test('installs with its views, action and menu under Settings > Technical', async (t) => {
  const views: any = await app.withEnv(2, (env) => env.model('base.external.dbsource').get_views([[false, 'list'], [false, 'form'], [false, 'search']]));
  t.regex(views.views.form.arch, /name="connection_test"/);
  t.regex(views.views.form.arch, /name="conn_string"/);
  t.regex(views.views.list.arch, /name="connector"/);
  const menu = await app.withEnv(2, async (env) => (await env.model('ir.ui.menu').search_read([['name', '=', 'Database Sources']], ['parent_id', 'action']))[0]);
  t.like(menu, { parent_id: [await app.withEnv(2, (env) => env.refId('base.menu_custom')), 'Technical'] });
  const fields: any = await app.withEnv(2, (env) => env.model('base.external.dbsource').fields_get(['conn_string', 'connector']));
  t.regex(fields.conn_string.help, /PostgreSQL: host=.*MySQL \/ MariaDB: .*SQL Server: Server=.*SQLite: /);
  t.deepEqual(fields.connector.selection.map((s: string[]) => s[0]), ['postgresql', 'mysql', 'mssql', 'sqlite']);
});

test('every user-visible string has a Spanish translation', async (t) => {
  const msgs = await extractStrings(app.db.knex, app.registry, ['base_external_dbsource']);
  t.true(msgs.length > 20);
  t.deepEqual(missingTranslations(app.registry, 'es', msgs).map((m) => `${m.where}: ${m.text}`), []);
  const es: any = await app.withEnv(2, (env) => env.model('base.external.dbsource').fields_get(['password']), { lang: 'es_ES' });
  t.is(es.password.string, 'Contraseña');
});

test('the form\'s help text (text nodes of the arch) reaches a Spanish user in Spanish', async (t) => {
  const views: any = await app.withEnv(2, (env) => env.model('base.external.dbsource').get_views([[false, 'form']]), { lang: 'es_ES' });
  const arch: string = views.views.form.arch;
  t.true(arch.includes('Escriba %s donde va la contraseña: el campo contraseña la rellena.'), arch);
  t.regex(arch, /<span>Ejemplo:<\/span>/);
  t.regex(arch, /<span>o<\/span>/);
  t.false(arch.includes('Write %s where the password goes'));
  t.true(arch.includes('<code>postgres://zammad:%s@127.0.0.1:5432/zammad</code>'), 'code examples stay as they are');
  const en: any = await app.withEnv(2, (env) => env.model('base.external.dbsource').get_views([[false, 'form']]));
  t.true(en.views.form.arch.includes('<p>Write %s where the password goes: the password field fills it in.</p>'));
});

test('the service takes the key from the configuration and closes the pools on stop', async (t) => {
  const dir = tempDir('dbsource-svc');
  const ext = await createPgDatabase();
  try {
    const running = await services[0].start({ app: { ...app, config: { ...app.config, secret_key: '', data_dir: dir.dir } } as App });
    const id = await app.withEnv(2, async (env) => (await env.model('base.external.dbsource').create({ name: 'svc', connector: 'postgresql', conn_string: `host=${ext.host} port=${ext.port} dbname=${ext.name} user=postgres application_name=svc_probe password=%s`, password: 'pw-in-file-key' })).ids[0]);
    t.true(existsSync(join(dir.dir, 'dbsource.key')), 'the key was generated into the data directory');
    await app.withEnv(2, (env) => executeQuery(env, id, 'SELECT 1'));
    const open = async () => (await ext.admin(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'svc_probe'`, [ext.name])).rows[0].n;
    t.is(await open(), 1);
    await running.stop();
    const end = Date.now() + 5000;
    while (Date.now() < end && (await open()) > 0) await new Promise((r) => setTimeout(r, 50));
    t.is(await open(), 0);
  } finally {
    await ext.drop();
    dir.remove();
  }
});
