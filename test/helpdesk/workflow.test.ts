/**
 * The ticket workflow of SPEC 4.2: creation (number, followers, acknowledgement), every
 * transition and each illegal one with its error, the wizards, mails to the reporter and to
 * the new technician, tracking.
 */
import test from 'ava';
import { as, field, rejects, rollback, setupHelpdesk, ticketOf, type HelpdeskFixture } from './helpers.ts';

let fx: HelpdeskFixture;
test.before(async () => { fx = await setupHelpdesk(); });
test.after.always(async () => { await fx?.app.close(); });

const mailsTo = async (env: any, partnerId: number) => env.model('mail.mail').search_read([['recipient_ids', 'in', [partnerId]]], ['subject', 'body_html', 'email_to', 'state'], 0, null, 'id');
const followers = async (env: any, id: number) => ((await field(env, 'helpdesk.ticket', id, 'message_partner_ids')) as number[]).sort((a, b) => a - b);
const messages = async (env: any, id: number) => env.model('mail.message').search_read([['model', '=', 'helpdesk.ticket'], ['res_id', '=', id]], ['body', 'is_internal', 'message_type', 'author_id', 'tracking_value_ids'], 0, null, 'id');

// ── creation ─────────────────────────────────────────────────────────────────────────
test('create: numbers come from the sequence as T- and five digits, in increasing order', async (t) => {
  await rollback(fx.app, async (env) => {
    const a = await ticketOf(fx, env, 'user');
    const b = await ticketOf(fx, env, 'other');
    const [na, nb] = [await field<string>(env, 'helpdesk.ticket', a, 'number'), await field<string>(env, 'helpdesk.ticket', b, 'number')];
    t.regex(na, /^T-\d{5}$/);
    // Increasing, not necessarily consecutive: tests running at the same time take numbers too
    // (the sequence is standard: creations never wait for each other).
    t.true(Number(nb.slice(2)) > Number(na.slice(2)));
  });
});

test('create: a new ticket is "new", in the general category, normal priority, from the web', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    const [r] = await env.model('helpdesk.ticket').browse([id]).read(['state', 'category_id', 'priority_id', 'origin', 'rating']);
    t.is(r.state, 'new');
    t.is((r.category_id as any)[0], await env.refId('helpdesk_bytacora.category_general'));
    t.is((r.priority_id as any)[0], await env.refId('helpdesk_bytacora.priority_normal'));
    t.is(r.origin, 'web');
    t.is(r.rating, '0');
  });
});

test('create: the technician defaults to the technician of the category', async (t) => {
  await rollback(fx.app, async (env) => {
    const general = await env.ref('helpdesk_bytacora.category_general');
    await general.write({ technician_id: fx.uid.technician2 });
    const id = await ticketOf(fx, env, 'user');
    t.is(((await field(env, 'helpdesk.ticket', id, 'user_id')) as any)[0], fx.uid.technician2);
  });
});

test('create: the reporter and the technician become followers', async (t) => {
  await rollback(fx.app, async (env) => {
    const general = await env.ref('helpdesk_bytacora.category_general');
    await general.write({ technician_id: fx.uid.technician });
    const id = await ticketOf(fx, env, 'user');
    t.deepEqual(await followers(env, id), [fx.partner.user, fx.partner.technician].sort((a, b) => a - b));
  });
});

test('create: the reporter gets an acknowledgement mail with the ticket number', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    const number = await field<string>(env, 'helpdesk.ticket', id, 'number');
    const mails = await mailsTo(env, fx.partner.user);
    t.is(mails.length, 1);
    t.true(mails[0].subject.includes(number));
    t.true(mails[0].body_html.includes(number));
    t.is(mails[0].state, 'outgoing');
    t.regex(mails[0].email_to, /hd\.user@example\.com/);
  });
});

test('create: the acknowledgement is public in the chatter, so the reporter sees it', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    const [r] = await as(env, fx.uid.user).browse([id]).read(['message_ids']);
    t.is((r.message_ids as number[]).length, 1);
  });
});

test('create: the assigned technician is told about a new ticket filed by someone else', async (t) => {
  await rollback(fx.app, async (env) => {
    const general = await env.ref('helpdesk_bytacora.category_general');
    await general.write({ technician_id: fx.uid.technician });
    const id = await ticketOf(fx, env, 'user');
    const number = await field<string>(env, 'helpdesk.ticket', id, 'number');
    const mails = await mailsTo(env, fx.partner.technician);
    t.is(mails.length, 1);
    t.true(mails[0].subject.includes(number));
  });
});

test('create: files given at creation (base64) become the ticket attachments', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', { attachment_ids: [[0, 0, { name: 'error.txt', datas: Buffer.from('stack trace').toString('base64') }]] });
    const ids = await field<number[]>(env, 'helpdesk.ticket', id, 'attachment_ids');
    t.is(ids.length, 1);
    const [a] = await as(env, fx.uid.user, 'ir.attachment').browse(ids).read(['name', 'file_size', 'res_model', 'res_id']);
    t.deepEqual([a.name, a.file_size, a.res_model, a.res_id], ['error.txt', 11, 'helpdesk.ticket', id]);
  });
});

test('create: a file the user uploaded beforehand can be given by id', async (t) => {
  await rollback(fx.app, async (env) => {
    const att = await as(env, fx.uid.user, 'ir.attachment').create({ name: 'photo.png', datas: Buffer.from('png').toString('base64') });
    const id = await ticketOf(fx, env, 'user', { attachment_ids: [[6, 0, att.ids]] });
    t.deepEqual(await field(env, 'helpdesk.ticket', id, 'attachment_ids'), att.ids);
  });
});

test('create: a file of another document cannot be attached to a new ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    const other = await ticketOf(fx, env, 'other', { attachment_ids: [[0, 0, { name: 'theirs.txt', datas: 'eA==' }]] });
    const [attId] = await field<number[]>(env, 'helpdesk.ticket', other, 'attachment_ids');
    await rejects(t, as(env, fx.uid.user).create({ subject: 'x', description: '<p>x</p>', attachment_ids: [[4, attId]] }), 'AccessError');
  });
});

test('attachments: a technician cannot delete a ticket\'s file through ir.attachment', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', { attachment_ids: [[0, 0, { name: 'proof.txt', datas: 'eA==' }]] });
    const [attId] = await field<number[]>(env, 'helpdesk.ticket', id, 'attachment_ids');
    await rejects(t, as(env, fx.uid.technician, 'ir.attachment').browse([attId]).unlink(), 'UserError', /belongs to a ticket/);
    await rejects(t, as(env, fx.uid.admin, 'ir.attachment').browse([attId]).write({ datas: 'eQ==' }), 'UserError', /belongs to a ticket/);
    t.deepEqual(await field(env, 'helpdesk.ticket', id, 'attachment_ids'), [attId]);
  });
});

test('create: subject and description are required', async (t) => {
  await rollback(fx.app, async (env) => {
    await rejects(t, as(env, fx.uid.user).create({ subject: 'No description' }), 'ValidationError', /Description/);
    await rejects(t, as(env, fx.uid.user).create({ description: '<p>No subject</p>' }), 'ValidationError', /Subject/);
  });
});

test('create: the description is sanitised (no scripts)', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', { description: '<p onclick="x()">Hi<script>alert(1)</script></p>' });
    t.is(await field(env, 'helpdesk.ticket', id, 'description'), '<p>Hi</p>');
  });
});

test('names: display name is "<number> <subject>" and name_search finds by number or subject', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', { subject: 'Keyboard missing keys' });
    const number = await field<string>(env, 'helpdesk.ticket', id, 'number');
    t.is(await field(env, 'helpdesk.ticket', id, 'display_name'), `${number} Keyboard missing keys`);
    t.deepEqual(await as(env, fx.uid.technician).name_search(number), [[id, `${number} Keyboard missing keys`]]);
    t.deepEqual((await as(env, fx.uid.technician).name_search('missing keys')).map((r: any) => r[0]), [id]);
  });
});

test('copy: a duplicate gets its own number and starts as new', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'closed');
    const copy = await as(env, fx.uid.technician).browse([id]).copy();
    const [r] = await env.model('helpdesk.ticket').browse(copy.ids).read(['number', 'state', 'subject', 'solution']);
    t.not(r.number, await field(env, 'helpdesk.ticket', id, 'number'));
    t.deepEqual([r.state, r.subject, r.solution], ['new', 'Ticket of user', false]);
  });
});

// ── open / wait ──────────────────────────────────────────────────────────────────────
for (const from of ['new', 'pending']) {
  test(`action_open: ${from} → open`, async (t) => {
    await rollback(fx.app, async (env) => {
      const id = await ticketOf(fx, env, 'user', {}, from);
      t.true(await as(env, fx.uid.technician).browse([id]).action_open());
      t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'open');
    });
  });
}
for (const from of ['open', 'closed']) {
  test(`action_open: refused on a ticket that is ${from}`, async (t) => {
    await rollback(fx.app, async (env) => {
      const id = await ticketOf(fx, env, 'user', {}, from);
      await rejects(t, as(env, fx.uid.technician).browse([id]).action_open(), 'UserError', /cannot be opened/);
    });
  });
}

test('action_wait: open → pending', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    await as(env, fx.uid.technician).browse([id]).action_wait();
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'pending');
  });
});
for (const from of ['new', 'pending', 'closed']) {
  test(`action_wait: refused on a ticket that is ${from}`, async (t) => {
    await rollback(fx.app, async (env) => {
      const id = await ticketOf(fx, env, 'user', {}, from);
      await rejects(t, as(env, fx.uid.technician).browse([id]).action_wait(), 'UserError', /only open tickets/);
    });
  });
}

test('reply: a public message from the reporter moves a pending ticket back to open', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'pending');
    await as(env, fx.uid.user).browse([id]).message_post('<p>Here is the screenshot</p>');
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'open');
  });
});

test('reply: a message from the technician leaves a pending ticket pending', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'pending');
    await as(env, fx.uid.technician).browse([id]).message_post('<p>Reminder: we need the screenshot</p>');
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'pending');
  });
});

test('reply: a message from the reporter on a new ticket does not open it', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'new');
    await as(env, fx.uid.user).browse([id]).message_post('<p>Any news?</p>');
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'new');
  });
});

// ── solve ────────────────────────────────────────────────────────────────────────────
for (const from of ['new', 'open', 'pending']) {
  test(`action_solve: ${from} → closed with solution and close date`, async (t) => {
    await rollback(fx.app, async (env) => {
      const id = await ticketOf(fx, env, 'user', {}, from);
      await as(env, fx.uid.technician).browse([id]).action_solve('<p>Replaced the toner</p>');
      const [r] = await env.model('helpdesk.ticket').browse([id]).read(['state', 'solution', 'close_date']);
      t.is(r.state, 'closed');
      t.is(r.solution, '<p>Replaced the toner</p>');
      t.regex(String(r.close_date), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    });
  });
}

for (const empty of ['', '<p><br></p>', '   ', false]) {
  test(`action_solve: an empty solution (${JSON.stringify(empty)}) is refused with a clear error`, async (t) => {
    await rollback(fx.app, async (env) => {
      const id = await ticketOf(fx, env, 'user', {}, 'open');
      await rejects(t, as(env, fx.uid.technician).browse([id]).action_solve(empty), 'UserError', /describe the solution/);
      t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'open');
    });
  });
}

test('action_solve: refused on a closed ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'closed');
    await rejects(t, as(env, fx.uid.technician).browse([id]).action_solve('<p>again</p>'), 'UserError', /already closed/);
  });
});

test('action_solve: the reporter receives the solution by mail', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    await as(env, fx.uid.technician).browse([id]).action_solve('<p>Restarted the print spooler</p>');
    const mails = await mailsTo(env, fx.partner.user);
    const last = mails[mails.length - 1];
    t.true(last.body_html.includes('Restarted the print spooler'));
    t.regex(last.subject, /Solved/);
  });
});

test('solve wizard: the button returns a dialog action with the ticket in the context', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    const action = await as(env, fx.uid.technician).browse([id]).action_solve_wizard();
    t.like(action, { type: 'ir.actions.act_window', res_model: 'helpdesk.ticket.solve', target: 'new', view_mode: 'form', context: { active_id: id, active_ids: [id], active_model: 'helpdesk.ticket' } });
    t.is(action.views[0][0], await env.refId('helpdesk_bytacora.view_helpdesk_ticket_solve_form'));
  });
});

test('solve wizard: created with active_ids and confirmed, it closes the ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    const ctx = { active_id: id, active_ids: [id], active_model: 'helpdesk.ticket' };
    const wizards = env.withUser(fx.uid.technician).withContext(ctx).model('helpdesk.ticket.solve') as any;
    const defaults = await wizards.default_get(['ticket_ids']);
    t.deepEqual(defaults.ticket_ids, [[6, 0, [id]]]);
    const wizard = await wizards.create({ solution: '<p>Cable replaced</p>' });
    t.deepEqual(await wizard.action_confirm(), { type: 'ir.actions.act_window_close' });
    t.is(await field(env, 'helpdesk.ticket', id, 'solution'), '<p>Cable replaced</p>');
  });
});

test('solve wizard: confirming with an empty solution is refused', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    const wizards = env.withUser(fx.uid.technician).withContext({ active_ids: [id], active_model: 'helpdesk.ticket' }).model('helpdesk.ticket.solve') as any;
    const wizard = await wizards.create({ solution: '<p> </p>' });
    await rejects(t, wizard.action_confirm(), 'UserError', /describe the solution/);
  });
});

test('solve wizard: a user cannot even open it', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    await rejects(t, as(env, fx.uid.user).browse([id]).action_solve_wizard(), 'AccessError');
    await rejects(t, env.withUser(fx.uid.user).withContext({ active_ids: [id] }).model('helpdesk.ticket.solve').create({ solution: '<p>x</p>' }), 'AccessError');
  });
});

// ── reopen ───────────────────────────────────────────────────────────────────────────
test('action_reopen: closed → open, the close date and solution are cleared, the solution stays in the chatter', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    await as(env, fx.uid.technician).browse([id]).action_solve('<p>Unique-solution-text</p>');
    await as(env, fx.uid.user).browse([id]).action_reopen();
    const [r] = await env.model('helpdesk.ticket').browse([id]).read(['state', 'close_date', 'solution']);
    t.deepEqual([r.state, r.close_date, r.solution], ['open', false, false]);
    const bodies = (await as(env, fx.uid.user, 'mail.message').search_read([['model', '=', 'helpdesk.ticket'], ['res_id', '=', id]], ['body'])).map((m: any) => m.body);
    t.true(bodies.some((b: string) => b.includes('Unique-solution-text')));
  });
});

for (const from of ['new', 'open', 'pending']) {
  test(`action_reopen: refused on a ticket that is ${from}`, async (t) => {
    await rollback(fx.app, async (env) => {
      const id = await ticketOf(fx, env, 'user', {}, from);
      await rejects(t, as(env, fx.uid.technician).browse([id]).action_reopen(), 'UserError', /not closed/);
    });
  });
}

test('action_reopen: a user cannot reopen someone else\'s ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'other', {}, 'closed');
    await rejects(t, as(env, fx.uid.user).browse([id]).action_reopen(), 'AccessError');
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'closed');
  });
});

// ── reassign ─────────────────────────────────────────────────────────────────────────
test('action_reassign: sets the technician, who then follows the ticket and gets a mail', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    await as(env, fx.uid.technician).browse([id]).action_reassign(fx.uid.technician2);
    t.is(((await field(env, 'helpdesk.ticket', id, 'user_id')) as any)[0], fx.uid.technician2);
    t.true((await followers(env, id)).includes(fx.partner.technician2));
    const mails = await mailsTo(env, fx.partner.technician2);
    t.is(mails.length, 1);
    t.regex(mails[0].body_html, /reassigned .* to HD technician2/);
  });
});

test('action_reassign: the reassignment is logged as an internal note the reporter does not see', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    await as(env, fx.uid.technician).browse([id]).action_reassign(fx.uid.technician2);
    const all = await messages(env, id);
    const log = all.find((m: any) => /reassigned/.test(m.body));
    t.truthy(log);
    t.true(log.is_internal);
    const [r] = await as(env, fx.uid.user).browse([id]).read(['message_ids']);
    t.false((r.message_ids as number[]).includes(log.id));
  });
});

test('action_reassign: one note per reassignment, signed by the technician who reassigned', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    const before = (await messages(env, id)).length;
    await as(env, fx.uid.technician).browse([id]).action_reassign(fx.uid.technician2);
    const added = (await messages(env, id)).slice(before);
    t.is(added.length, 1, JSON.stringify(added.map((m: any) => m.body)));
    t.regex(added[0].body, /reassigned/);
    t.is(added[0].author_id[0], fx.partner.technician);
  });
});

test('create: the "assigned to you" note of a ticket filed by a reporter is signed by the system, not by her', async (t) => {
  await rollback(fx.app, async (env) => {
    const general = await env.ref('helpdesk_bytacora.category_general');
    await general.write({ technician_id: fx.uid.technician });
    const id = await ticketOf(fx, env, 'user');
    const note = (await messages(env, id)).find((m: any) => /assigned to you/.test(m.body));
    t.truthy(note);
    t.not(note.author_id[0], fx.partner.user);
    t.is(note.author_id[0], await env.refId('base.partner_root'));
  });
});

test('create: a technician filing a ticket for a colleague signs the "assigned to you" note', async (t) => {
  await rollback(fx.app, async (env) => {
    const general = await env.ref('helpdesk_bytacora.category_general');
    await general.write({ technician_id: fx.uid.technician2 });
    const id = await ticketOf(fx, env, 'technician');
    const note = (await messages(env, id)).find((m: any) => /assigned to you/.test(m.body));
    t.is(note.author_id[0], fx.partner.technician);
  });
});

test('action_reassign: an admin is a valid target (admin implies technician)', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    await as(env, fx.uid.technician).browse([id]).action_reassign(fx.uid.admin);
    t.is(((await field(env, 'helpdesk.ticket', id, 'user_id')) as any)[0], fx.uid.admin);
  });
});

for (const target of ['user', 'employee'] as const) {
  test(`action_reassign: reassigning to a non-technician (${target}) is refused`, async (t) => {
    await rollback(fx.app, async (env) => {
      const id = await ticketOf(fx, env, 'user', {}, 'open');
      await rejects(t, as(env, fx.uid.technician).browse([id]).action_reassign(fx.uid[target]), 'UserError', /not a helpdesk technician/);
    });
  });
}

test('action_reassign: an unknown user and no user are refused', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    await rejects(t, as(env, fx.uid.technician).browse([id]).action_reassign(999999), 'UserError', /does not exist/);
    await rejects(t, as(env, fx.uid.technician).browse([id]).action_reassign(false), 'UserError', /Choose the technician/);
  });
});

test('action_reassign: reassigning to the current technician is refused', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    await env.model('helpdesk.ticket').browse([id]).sudo().write({ user_id: fx.uid.technician2 });
    await rejects(t, as(env, fx.uid.technician).browse([id]).action_reassign(fx.uid.technician2), 'UserError', /already assigned/);
  });
});

test('reassign wizard: offers technicians and admins only', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    const wizards = env.withUser(fx.uid.technician).withContext({ active_id: id, active_model: 'helpdesk.ticket' }).model('helpdesk.ticket.reassign') as any;
    const { technician_ids } = await wizards.default_get(['technician_ids']);
    const offered = technician_ids[0][2] as number[];
    for (const role of ['technician', 'technician2', 'admin'] as const) t.true(offered.includes(fx.uid[role]), role);
    for (const role of ['user', 'other', 'employee'] as const) t.false(offered.includes(fx.uid[role]), role);
    t.false(offered.includes(await env.refId('base.user_admin')), 'the base administrator is not part of the team');
  });
});

test('reassign wizard: confirming reassigns the tickets of the context', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    const action = await as(env, fx.uid.technician).browse([id]).action_reassign_wizard();
    t.like(action, { res_model: 'helpdesk.ticket.reassign', target: 'new' });
    const wizards = env.withUser(fx.uid.technician).withContext(action.context).model('helpdesk.ticket.reassign') as any;
    const wizard = await wizards.create({ user_id: fx.uid.technician2 });
    await wizard.action_confirm();
    t.is(((await field(env, 'helpdesk.ticket', id, 'user_id')) as any)[0], fx.uid.technician2);
  });
});

test('reassign wizard: refuses a non-technician chosen anyway', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    const wizards = env.withUser(fx.uid.technician).withContext({ active_ids: [id], active_model: 'helpdesk.ticket' }).model('helpdesk.ticket.reassign') as any;
    const wizard = await wizards.create({ user_id: fx.uid.other });
    await rejects(t, wizard.action_confirm(), 'UserError', /not a helpdesk technician/);
  });
});

test('wizards: a context naming another model is refused', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    const wizards = env.withUser(fx.uid.technician).withContext({ active_ids: [id], active_model: 'res.partner' }).model('helpdesk.ticket.solve') as any;
    const wizard = await wizards.create({ solution: '<p>x</p>' });
    await rejects(t, wizard.action_confirm(), 'UserError', /works on helpdesk tickets/);
  });
});

// ── rate ─────────────────────────────────────────────────────────────────────────────
test('action_rate: the reporter rates a closed ticket with stars and a comment', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'closed');
    await as(env, fx.uid.user).browse([id]).action_rate(5, 'Great');
    const [r] = await env.model('helpdesk.ticket').browse([id]).read(['rating', 'rating_comment']);
    t.deepEqual([r.rating, r.rating_comment], ['5', 'Great']);
  });
});

for (const from of ['new', 'open', 'pending']) {
  test(`action_rate: rating a ticket that is ${from} is refused`, async (t) => {
    await rollback(fx.app, async (env) => {
      const id = await ticketOf(fx, env, 'user', {}, from);
      await rejects(t, as(env, fx.uid.user).browse([id]).action_rate('4'), 'UserError', /only closed tickets can be rated/);
    });
  });
}

for (const bad of ['0', '6', 'five', -1]) {
  test(`action_rate: a rating of ${JSON.stringify(bad)} is refused`, async (t) => {
    await rollback(fx.app, async (env) => {
      const id = await ticketOf(fx, env, 'user', {}, 'closed');
      await rejects(t, as(env, fx.uid.user).browse([id]).action_rate(bad), 'UserError', /from 1 to 5/);
    });
  });
}

test('rating widget: the reporter saving the rating through write() rates the ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'closed');
    await as(env, fx.uid.user).browse([id]).write({ rating: '3', rating_comment: 'OK' });
    t.is(await field(env, 'helpdesk.ticket', id, 'rating'), '3');
  });
});

test('rating widget: a technician writing the rating is refused', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'closed');
    await rejects(t, as(env, fx.uid.technician).browse([id]).write({ rating: '5' }), 'AccessError', /reporter/);
  });
});

test('action_reopen: reopening clears the rating of the previous answer', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'closed');
    await as(env, fx.uid.user).browse([id]).action_rate('2', 'Did not help');
    await as(env, fx.uid.user).browse([id]).action_reopen();
    t.is(await field(env, 'helpdesk.ticket', id, 'rating'), '0');
  });
});

// ── tracking and side effects ────────────────────────────────────────────────────────
test('tracking: a state change is logged publicly (the reporter sees the status history)', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await as(env, fx.uid.technician).browse([id]).action_open();
    const visible = await as(env, fx.uid.user, 'mail.message').search_read([['model', '=', 'helpdesk.ticket'], ['res_id', '=', id], ['message_type', '=', 'notification'], ['tracking_value_ids', '!=', false]], ['id']);
    t.is(visible.length, 1);
  });
});

test('tracking: a priority change by a technician is logged as an internal note', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await as(env, fx.uid.technician).browse([id]).write({ priority_id: await env.refId('helpdesk_bytacora.priority_high') });
    const logs = (await messages(env, id)).filter((m: any) => (m.tracking_value_ids as number[]).length);
    t.is(logs.length, 1);
    t.true(logs[0].is_internal);
  });
});

test('category change: an unassigned ticket gets the technician of its new category', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    const cat = await env.model('helpdesk.ticket.category').create({ name: 'Printers', technician_id: fx.uid.technician2 });
    await as(env, fx.uid.technician).browse([id]).write({ category_id: cat.ids[0] });
    t.is(((await field(env, 'helpdesk.ticket', id, 'user_id')) as any)[0], fx.uid.technician2);
  });
});

test('errors are translated: a Spanish technician gets the illegal-transition error in Spanish', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'closed');
    const spanish = env.withUser(fx.uid.technician).withContext({ lang: 'es_ES' }).model('helpdesk.ticket') as any;
    await rejects(t, spanish.browse([id]).action_wait(), 'UserError', /solo los tickets abiertos/);
  });
});

test('mails speak the reporter\'s language: a Spanish reporter gets the acknowledgement in Spanish', async (t) => {
  await rollback(fx.app, async (env) => {
    await env.model('res.partner').browse([fx.partner.user]).write({ lang: 'es_ES' });
    await ticketOf(fx, env, 'user');
    const [mail] = await env.model('mail.mail').search_read([['recipient_ids', 'in', [fx.partner.user]]], ['body_html']);
    t.regex(mail.body_html as string, /Hemos recibido tu solicitud/);
  });
});

test('what a transaction remembered of a reporter and a ticket follows its writes: language, then the name on the messages', async (t) => {
  await rollback(fx.app, async (env) => {
    // One environment, so one unit of work's memory (ticketOf would file them as another user).
    const file = async () => (await env.model('helpdesk.ticket').create({ subject: 'Filed', description: '<p>x</p>', partner_id: fx.partner.user })).ids[0];
    await file();
    await env.model('res.partner').browse([fx.partner.user]).write({ lang: 'es_ES' });
    const second = await file();
    const mails = await env.model('mail.mail').search_read([['recipient_ids', 'in', [fx.partner.user]]], ['body_html'], 0, null, 'id');
    t.is(mails.length, 2);
    t.notRegex(mails[0].body_html as string, /Hemos recibido tu solicitud/);
    t.regex(mails[1].body_html as string, /Hemos recibido tu solicitud/);
    await env.model('helpdesk.ticket').browse([second]).write({ subject: 'Renamed in the same transaction' });
    const id = await (env.model('helpdesk.ticket').browse([second]) as any).message_post('after the rename');
    const [m] = await env.model('mail.message').browse([id]).read(['record_name']);
    t.regex(String(m.record_name), / Renamed in the same transaction$/);
  });
});

test('create: imported tickets (origin zammad) send no acknowledgement', async (t) => {
  await rollback(fx.app, async (env) => {
    await env.model('helpdesk.ticket').sudo().create({ subject: 'From Zammad', description: '<p>x</p>', origin: 'zammad', partner_id: fx.partner.user });
    t.is(await env.model('mail.mail').search_count([['recipient_ids', 'in', [fx.partner.user]]]), 0);
  });
});
