/** Every user-visible string of the helpdesk has a Spanish translation (addon i18n/es.po). */
import test from 'ava';
import { extractStrings, missingTranslations } from '../../core/i18n/extract.ts';
import { makeTestApp } from '../helpers/app.ts';

test('every user-visible string of helpdesk_bytacora has a Spanish translation', async (t) => {
  const app = await makeTestApp({ addons: ['helpdesk_bytacora'] });
  try {
    const msgs = await extractStrings(app.db.knex, app.registry, ['helpdesk_bytacora']);
    t.true(msgs.length > 100, `the extractor found the strings (${msgs.length})`);
    t.deepEqual(missingTranslations(app.registry, 'es', msgs).map((m) => `${m.where}: ${m.text}`), []);
  } finally {
    await app.close();
  }
});
