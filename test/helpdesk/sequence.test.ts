/**
 * Ticket numbers stay unique when tickets are created at the same time in separate
 * transactions (on the PostgreSQL server these really run concurrently). The sequence is
 * `standard` (a PostgreSQL sequence): creations never wait for each other's commit.
 */
import test from 'ava';
import { SUPERUSER_ID } from '../../core/orm/index.ts';
import { setupHelpdesk, type HelpdeskFixture } from './helpers.ts';

let fx: HelpdeskFixture;
test.before(async () => { fx = await setupHelpdesk(); });
test.after.always(async () => { await fx?.app.close(); });

test.serial('sequence: 20 tickets created concurrently in separate transactions get 20 distinct consecutive numbers', async (t) => {
  const creators = [fx.uid.user, fx.uid.other, fx.uid.technician, fx.uid.admin];
  const numbers = await Promise.all(Array.from({ length: 20 }, (_, i) => fx.app.withEnv(creators[i % creators.length], async (env) => {
    const rec = await env.model('helpdesk.ticket').create({ subject: `Concurrent ${i}`, description: '<p>x</p>' });
    return (await rec.read(['number']))[0].number as string;
  })));
  t.is(new Set(numbers).size, 20);
  const values = numbers.map((n) => Number(n.slice(2))).sort((a, b) => a - b);
  t.deepEqual(values, Array.from({ length: 20 }, (_, i) => values[0] + i));
});

test.serial('sequence: a failed creation leaves its number unused, never given twice (a standard sequence)', async (t) => {
  const numberOf = (env: any, rec: any) => rec.read(['number']).then((r: any) => r[0].number as string);
  const before = await fx.app.withEnv(fx.uid.user, async (env) => numberOf(env, await env.model('helpdesk.ticket').create({ subject: 'before', description: '<p>x</p>' })));
  await t.throwsAsync(fx.app.withEnv(fx.uid.user, async (env) => {
    await env.model('helpdesk.ticket').create({ subject: 'ok', description: '<p>x</p>' });
    await env.model('helpdesk.ticket').create({ subject: 'bad', description: '<p>x</p>', state: 'closed' });
  }));
  const after = await fx.app.withEnv(fx.uid.user, async (env) => numberOf(env, await env.model('helpdesk.ticket').create({ subject: 'after', description: '<p>x</p>' })));
  t.is(Number(after.slice(2)), Number(before.slice(2)) + 2, 'the rolled-back ticket\'s number is skipped');
  const impl = await fx.app.withEnv(SUPERUSER_ID, async (env) => (await env.cr('ir_sequence').where({ code: 'helpdesk.ticket' }).first('implementation')).implementation);
  t.is(impl, 'standard');
});

test.serial('sequence: the number column is unique in the database', async (t) => {
  const err = await t.throwsAsync(fx.app.withEnv(SUPERUSER_ID, async (env) => {
    const a = await env.model('helpdesk.ticket').create({ subject: 'a', description: '<p>x</p>' });
    const [{ number }] = await a.read(['number']);
    await env.model('helpdesk.ticket').create({ subject: 'b', description: '<p>x</p>', number });
  }));
  t.regex(err!.message, /already has the Ticket Number "T-\d+": it must be unique/);
});

test.serial('creation: the row a new ticket\'s INSERT returns is the row read back from the database', async (t) => {
  const { createdTicketRow } = await import('../../addons/helpdesk_bytacora/models/helpdesk_ticket.ts');
  await fx.app.withEnv(fx.uid.user, async (env) => {
    const recs = await env.model('helpdesk.ticket').create([{ subject: 'returned 1', description: '<p>x</p>' }, { subject: 'returned 2', description: '<p>y</p>' }]);
    for (const id of recs.ids) {
      // What the creation remembered from its INSERT (RETURNING) …
      const remembered = await createdTicketRow(env, id);
      // … and, once the unit of work forgets it, what the same function reads from the table.
      env.forgetMemo('helpdesk.ticket');
      const read = await createdTicketRow(env, id);
      t.deepEqual(remembered, read);
      t.is(remembered!.subject, id === recs.ids[0] ? 'returned 1' : 'returned 2');
      t.true('partner_lang' in remembered!);
    }
  });
});
