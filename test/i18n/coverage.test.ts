import test from 'ava';
import { extractStrings, missingTranslations } from '../../core/i18n/extract.ts';
import { makeTestApp } from '../helpers/app.ts';

/** Addons whose every user-visible string must have a Spanish translation. */
const ADDONS = ['base'];

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
