import test from 'ava';
import { extractStrings, missingTranslations } from '../../core/i18n/extract.ts';
import { makeTestApp } from '../helpers/app.ts';

/** Addons whose every user-visible string must have a Spanish translation. */
const ADDONS = ['base', 'base_external_import_zammad'];

for (const addon of ADDONS) {
  test(`every user-visible string of ${addon} has a Spanish translation`, async (t) => {
    const app = await makeTestApp({ addons: [addon] });
    try {
      const msgs = await extractStrings(app.db.knex, app.registry, [addon]);
      t.true(msgs.length > 20, 'the extractor found the strings');
      const missing = missingTranslations(app.registry, 'es', msgs);
      t.deepEqual(missing.map((m) => `${m.where}: ${m.text}`), []);
    } finally {
      await app.close();
    }
  });
}

test('labels come out in the user\'s language', async (t) => {
  const app = await makeTestApp({ addons: ['base'] });
  try {
    const f = await app.withEnv(2, (env) => env.model('res.partner').fields_get(['city', 'lang']), { lang: 'es_ES' });
    t.is(f.city.string, 'Ciudad');
    t.deepEqual(f.lang.selection, [['en_US', 'Inglés'], ['es_ES', 'Español']]);
    const en = await app.withEnv(2, (env) => env.model('res.partner').fields_get(['city']), { lang: 'en_US' });
    t.is(en.city.string, 'City');
  } finally {
    await app.close();
  }
});

test('errors raised by the ORM reach a Spanish user in Spanish over RPC', async (t) => {
  const { toJsonRpcError } = await import('../../core/http/index.ts');
  const app = await makeTestApp({ addons: ['base'] });
  try {
    const uid = await app.withEnv(1, async (env) => (await env.model('res.users').create({ name: 'Eva', login: 'eva', lang: 'es_ES', groups_id: [[6, 0, [await env.refId('base.group_user')]]] })).ids[0]);
    const error = await t.throwsAsync(app.withEnv(uid, (env) => env.model('ir.sequence').search([])));
    const es = toJsonRpcError(error, (s) => app.registry.translate('es_ES', s));
    t.is(es.data.message, "No tiene permiso para acceder a registros de 'Secuencia' (ir.sequence).");
    t.is(es.data.name, 'odoo.exceptions.AccessError');
    const en = toJsonRpcError(error);
    t.is(en.data.message, "You are not allowed to access 'Sequence' (ir.sequence) records.");
    const bad = await t.throwsAsync(app.withEnv(1, (env) => env.model('res.partner').create({ name: 'x', is_company: 'yes' })));
    t.is(toJsonRpcError(bad, (s) => app.registry.translate('es_ES', s)).data.message, 'Valor incorrecto para res.partner.is_company: se esperaba un booleano y se recibió "yes"');
  } finally {
    await app.close();
  }
});
