/**
 * A user must not learn anything about other people's tickets by going around the ticket
 * model: dotted paths from other models, name_search, read_group, one2many fields of
 * partners/projects, and the tickets' files (ir.attachment is document-linked).
 */
import test from 'ava';
import { as, rejects, rollback, setupHelpdesk, ticketOf, type HelpdeskFixture } from './helpers.ts';

let fx: HelpdeskFixture;
test.before(async () => { fx = await setupHelpdesk(); });
test.after.always(async () => { await fx?.app.close(); });

/** A ticket of `other` with a recognisable subject and a file, and one of `user`. */
async function seed(env: any) {
  const secret = await ticketOf(fx, env, 'other', { subject: 'Secret salary spreadsheet', attachment_ids: [[0, 0, { name: 'salaries.xlsx', datas: Buffer.from('money').toString('base64') }]] });
  const own = await ticketOf(fx, env, 'user', { subject: 'My own printer' });
  return { secret, own };
}

test('dotted path: searching partners by the subject of someone else\'s ticket finds nothing', async (t) => {
  await rollback(fx.app, async (env) => {
    await seed(env);
    t.deepEqual(await as(env, fx.uid.user, 'res.partner').search_read([['ticket_ids.subject', 'ilike', 'salary']], ['name']), []);
    const seen = await as(env, fx.uid.technician, 'res.partner').search_read([['ticket_ids.subject', 'ilike', 'salary']], ['name']);
    t.deepEqual(seen.map((p: any) => p.id), [fx.partner.other]);
  });
});

test('dotted path: the user\'s own tickets are still reachable through the partner', async (t) => {
  await rollback(fx.app, async (env) => {
    await seed(env);
    const found = await as(env, fx.uid.user, 'res.partner').search_read([['ticket_ids.subject', 'ilike', 'printer']], ['name']);
    t.deepEqual(found.map((p: any) => p.id), [fx.partner.user]);
  });
});

test('dotted path: counting partners by ticket state does not count other people\'s tickets', async (t) => {
  await rollback(fx.app, async (env) => {
    await seed(env);
    t.is(await as(env, fx.uid.user, 'res.partner').search_count([['ticket_ids.number', 'like', 'T-'], ['id', '=', fx.partner.other]]), 0);
  });
});

test('dotted path: searching projects by ticket text does not reveal other tickets', async (t) => {
  await rollback(fx.app, async (env) => {
    const project = await env.model('project.project').create({ name: 'Payroll' });
    const { secret } = await seed(env);
    await env.model('helpdesk.ticket').browse([secret]).sudo().write({ project_id: project.ids[0] });
    t.is(await as(env, fx.uid.user, 'project.project').search_count([['ticket_ids.description', 'ilike', 'other']]), 0);
    t.is(await as(env, fx.uid.technician, 'project.project').search_count([['ticket_ids.description', 'ilike', 'other']]), 1);
  });
});

test('one2many: a partner\'s ticket_ids lists only the tickets the reader may see', async (t) => {
  await rollback(fx.app, async (env) => {
    const { secret } = await seed(env);
    const [asUser] = await as(env, fx.uid.user, 'res.partner').browse([fx.partner.other]).read(['ticket_ids']);
    t.deepEqual(asUser.ticket_ids, []);
    const [asTech] = await as(env, fx.uid.technician, 'res.partner').browse([fx.partner.other]).read(['ticket_ids']);
    t.deepEqual(asTech.ticket_ids, [secret]);
  });
});

test('name_search: a user finds only their own tickets, by number or subject', async (t) => {
  await rollback(fx.app, async (env) => {
    const { secret, own } = await seed(env);
    t.deepEqual(await as(env, fx.uid.user).name_search('salary'), []);
    const number = (await env.model('helpdesk.ticket').browse([secret]).read(['number']))[0].number;
    t.deepEqual(await as(env, fx.uid.user).name_search(number), []);
    t.deepEqual((await as(env, fx.uid.user).name_search('T-')).map((r: any) => r[0]), [own]);
  });
});

test('read_group: a user\'s counts by state and category include only their tickets', async (t) => {
  await rollback(fx.app, async (env) => {
    await seed(env);
    await ticketOf(fx, env, 'other', {}, 'closed');
    const byState = await as(env, fx.uid.user).read_group([], ['state'], ['state']);
    t.deepEqual(byState.map((g: any) => [g.state, g.state_count]), [['new', 1]]);
    const byCategory = await as(env, fx.uid.user).read_group([], ['category_id'], ['category_id']);
    t.is(byCategory.reduce((n: number, g: any) => n + g.category_id_count, 0), 1);
    const techTotal = (await as(env, fx.uid.technician).read_group([], ['state'], ['state'])).reduce((n: number, g: any) => n + g.state_count, 0);
    t.is(techTotal, 3);
  });
});

test('read_group: grouping partners by a ticket-path domain does not leak either', async (t) => {
  await rollback(fx.app, async (env) => {
    await seed(env);
    const groups = await as(env, fx.uid.user, 'res.partner').read_group([['ticket_ids.subject', 'ilike', 'salary']], ['city'], ['city']);
    t.deepEqual(groups, []);
  });
});

test('attachments: a user cannot list the files of someone else\'s ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    const { secret } = await seed(env);
    t.is(await as(env, fx.uid.user, 'ir.attachment').search_count([['res_model', '=', 'helpdesk.ticket'], ['res_id', '=', secret]]), 0);
    t.is(await as(env, fx.uid.user, 'ir.attachment').search_count([['name', '=', 'salaries.xlsx']]), 0);
  });
});

test('attachments: a user cannot read someone else\'s ticket file by id', async (t) => {
  await rollback(fx.app, async (env) => {
    const { secret } = await seed(env);
    const [attId] = (await env.model('helpdesk.ticket').browse([secret]).read(['attachment_ids']))[0].attachment_ids as number[];
    await rejects(t, as(env, fx.uid.user, 'ir.attachment').browse([attId]).read(['datas']), 'AccessError');
  });
});

test('attachments: the reporter reads the files of their own ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    const { secret } = await seed(env);
    const [attId] = (await env.model('helpdesk.ticket').browse([secret]).read(['attachment_ids']))[0].attachment_ids as number[];
    const [a] = await as(env, fx.uid.other, 'ir.attachment').browse([attId]).read(['datas']);
    t.is(Buffer.from(a.datas as string, 'base64').toString(), 'money');
  });
});

test('attachments: searching files through a ticket path is filtered too', async (t) => {
  await rollback(fx.app, async (env) => {
    await seed(env);
    t.is(await as(env, fx.uid.user).search_count([['attachment_ids.name', 'ilike', 'salaries']]), 0);
    t.is(await as(env, fx.uid.technician).search_count([['attachment_ids.name', 'ilike', 'salaries']]), 1);
  });
});

test('messages: a user cannot read the messages of someone else\'s ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    const { secret } = await seed(env);
    await as(env, fx.uid.technician).browse([secret]).message_post('<p>About your salary file</p>');
    t.is(await as(env, fx.uid.user, 'mail.message').search_count([['model', '=', 'helpdesk.ticket'], ['res_id', '=', secret]]), 0);
  });
});

test('messages: a user cannot find tickets through the text of internal notes', async (t) => {
  await rollback(fx.app, async (env) => {
    const { own } = await seed(env);
    await as(env, fx.uid.technician).browse([own]).message_post('<p>reporter is on probation</p>', false, 'comment', 'mail.mt_note');
    t.is(await as(env, fx.uid.user).search_count([['message_ids.body', 'ilike', 'probation']]), 0);
    t.is(await as(env, fx.uid.technician).search_count([['message_ids.body', 'ilike', 'probation']]), 1);
  });
});

test('related fields: a user cannot search other tickets by the reporter\'s email', async (t) => {
  await rollback(fx.app, async (env) => {
    await seed(env);
    t.is(await as(env, fx.uid.user).search_count([['partner_email', 'ilike', 'hd.other']]), 0);
    t.is(await as(env, fx.uid.technician).search_count([['partner_email', 'ilike', 'hd.other']]), 1);
  });
});
