/**
 * The permission table of SPEC 4.3 as a matrix, through the ORM as each user: one behaviour
 * per test (role × operation). `user` reports the ticket under test; `other` is another
 * reporter; `employee` is an internal user without any helpdesk group.
 */
import test, { type ExecutionContext } from 'ava';
import { as, field, rejects, rollback, setupHelpdesk, ticketOf, type ErrorName, type HelpdeskFixture, type Role } from './helpers.ts';

let fx: HelpdeskFixture;
test.before(async () => { fx = await setupHelpdesk(); });
test.after.always(async () => { await fx?.app.close(); });

const ROLES: Role[] = ['user', 'other', 'technician', 'admin', 'employee'];
type Outcome = 'ok' | ErrorName;

// ── create ────────────────────────────────────────────────────────────────────────
const CREATE: Record<Role, Outcome> = { user: 'ok', other: 'ok', technician: 'ok', technician2: 'ok', admin: 'ok', employee: 'AccessError' };
for (const role of ROLES) {
  test(`create: ${role} ${CREATE[role] === 'ok' ? 'can' : 'cannot'} report a ticket`, async (t) => {
    await rollback(fx.app, async (env) => {
      const promise = as(env, fx.uid[role]).create({ subject: 'Mouse broken', description: '<p>Left button</p>' });
      if (CREATE[role] !== 'ok') return rejects(t, promise, CREATE[role] as ErrorName);
      const rec = await promise;
      t.regex(await field<string>(env, 'helpdesk.ticket', rec.ids[0], 'number'), /^T-\d{5}$/);
      t.deepEqual(await field(env, 'helpdesk.ticket', rec.ids[0], 'partner_id'), [fx.partner[role], `HD ${role}`]);
    });
  });
}

test('create: a user cannot report a ticket in the name of someone else', async (t) => {
  await rollback(fx.app, async (env) => {
    await rejects(t, as(env, fx.uid.user).create({ subject: 'x', description: '<p>x</p>', partner_id: fx.partner.other }), 'AccessError', /own name/);
  });
});

test('create: a user cannot choose the technician of a new ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    await rejects(t, as(env, fx.uid.user).create({ subject: 'x', description: '<p>x</p>', user_id: fx.uid.technician }), 'AccessError', /Technician/);
  });
});

test('create: a user cannot set the priority of a new ticket (only subject, description and attachments)', async (t) => {
  await rollback(fx.app, async (env) => {
    const high = await env.refId('helpdesk_bytacora.priority_high');
    await rejects(t, as(env, fx.uid.user).create({ subject: 'x', description: '<p>x</p>', priority_id: high }), 'AccessError', /Priority/);
  });
});

test('create: default values sent back by a form (category, priority, state new) are accepted from a user', async (t) => {
  await rollback(fx.app, async (env) => {
    const defaults = await as(env, fx.uid.user).default_get(['category_id', 'priority_id', 'state', 'rating', 'origin']);
    const rec = await as(env, fx.uid.user).create({ subject: 'x', description: '<p>x</p>', ...defaults });
    t.is(await field(env, 'helpdesk.ticket', rec.ids[0], 'state'), 'new');
  });
});

test('create: empty values a form sends for untouched fields (no tags, no files, no number) are accepted from a user', async (t) => {
  await rollback(fx.app, async (env) => {
    const rec = await as(env, fx.uid.user).create({ subject: 'x', description: '<p>x</p>', tag_ids: [[6, 0, []]], attachment_ids: [], number: false, solution: false, project_id: false, priority_level: 0 });
    t.regex(await field<string>(env, 'helpdesk.ticket', rec.ids[0], 'number'), /^T-/);
  });
});

test('create: a technician leaving the technician empty gets the category\'s technician', async (t) => {
  await rollback(fx.app, async (env) => {
    await (await env.ref('helpdesk_bytacora.category_general')).write({ technician_id: fx.uid.technician2 });
    const rec = await as(env, fx.uid.technician).create({ subject: 'x', description: '<p>x</p>', user_id: false });
    t.is(((await field(env, 'helpdesk.ticket', rec.ids[0], 'user_id')) as any)[0], fx.uid.technician2);
  });
});

for (const role of ['user', 'technician', 'admin'] as Role[]) {
  test(`create: ${role} cannot create a ticket already closed (state is set by the workflow)`, async (t) => {
    await rollback(fx.app, async (env) => {
      await rejects(t, as(env, fx.uid[role]).create({ subject: 'x', description: '<p>x</p>', state: 'closed' }), 'UserError', /workflow/);
    });
  });
}

test('create: a technician can file a ticket for a reporter and assign it', async (t) => {
  await rollback(fx.app, async (env) => {
    const rec = await as(env, fx.uid.technician).create({ subject: 'Phone call', description: '<p>Reported by phone</p>', partner_id: fx.partner.user, user_id: fx.uid.technician2 });
    const [r] = await env.model('helpdesk.ticket').browse(rec.ids).read(['partner_id', 'user_id']);
    t.deepEqual([(r.partner_id as any)[0], (r.user_id as any)[0]], [fx.partner.user, fx.uid.technician2]);
  });
});

// ── read / search ───────────────────────────────────────────────────────────────────
const READ_OWN: Record<Role, Outcome> = { user: 'ok', other: 'ok', technician: 'ok', technician2: 'ok', admin: 'ok', employee: 'AccessError' };
for (const role of ROLES) {
  test(`read own: ${role} ${READ_OWN[role] === 'ok' ? 'reads' : 'cannot read'} the tickets they reported`, async (t) => {
    await rollback(fx.app, async (env) => {
      const id = await ticketOf(fx, env, role);
      const promise = as(env, fx.uid[role]).browse([id]).read(['subject']);
      if (READ_OWN[role] !== 'ok') return rejects(t, promise, READ_OWN[role] as ErrorName);
      t.is((await promise)[0].subject, `Ticket of ${role}`);
    });
  });
}

const READ_OTHERS: Record<Role, Outcome> = { user: 'AccessError', other: 'AccessError', technician: 'ok', technician2: 'ok', admin: 'ok', employee: 'AccessError' };
for (const role of ROLES) {
  test(`read others': ${role} ${READ_OTHERS[role] === 'ok' ? 'reads' : 'cannot read'} a ticket reported by someone else`, async (t) => {
    await rollback(fx.app, async (env) => {
      const owner: Role = role === 'user' ? 'other' : 'user';
      const id = await ticketOf(fx, env, owner);
      const promise = as(env, fx.uid[role]).browse([id]).read(['subject']);
      if (READ_OTHERS[role] !== 'ok') return rejects(t, promise, READ_OTHERS[role] as ErrorName);
      t.is((await promise)[0].subject, `Ticket of ${owner}`);
    });
  });
}

const SEARCH_COUNT: Record<Role, number | 'AccessError'> = { user: 1, other: 1, technician: 3, technician2: 3, admin: 3, employee: 'AccessError' };
for (const role of ROLES) {
  test(`search: ${role} ${typeof SEARCH_COUNT[role] === 'number' ? `finds ${SEARCH_COUNT[role]} of 3 tickets` : 'cannot search tickets'}`, async (t) => {
    await rollback(fx.app, async (env) => {
      await ticketOf(fx, env, 'user');
      await ticketOf(fx, env, 'other');
      await ticketOf(fx, env, 'technician');
      const promise = as(env, fx.uid[role]).search_count([]);
      if (SEARCH_COUNT[role] === 'AccessError') return rejects(t, promise, 'AccessError');
      t.is(await promise, SEARCH_COUNT[role]);
    });
  });
}

test('read own: a ticket created by a user for which they are not the reporter any more stays visible to its creator', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await env.model('helpdesk.ticket').browse([id]).sudo().write({ partner_id: fx.partner.other });
    t.is((await as(env, fx.uid.user).browse([id]).read(['subject']))[0].subject, 'Ticket of user');
  });
});

// ── write, field by field (ticket reported by `user`, open) ─────────────────────────
const FIELD_VALUES: Record<string, (env: any) => Promise<unknown>> = {
  subject: async () => 'Changed subject',
  description: async () => '<p>Changed description</p>',
  attachment_ids: async () => [[0, 0, { name: 'late.txt', datas: Buffer.from('late').toString('base64') }]],
  partner_id: async () => fx.partner.other,
  user_id: async () => fx.uid.technician2,
  category_id: async (env) => (await env.model('helpdesk.ticket.category').create({ name: 'Printers' })).ids[0],
  project_id: async (env) => (await env.model('project.project').create({ name: 'ERP migration' })).ids[0],
  priority_id: async (env) => env.refId('helpdesk_bytacora.priority_urgent'),
  department_id: async (env) => (await env.model('hr.department').create({ name: 'Sales' })).ids[0],
  tag_ids: async (env) => [[6, 0, (await env.model('helpdesk.ticket.tag').create({ name: 'VIP' })).ids]],
  state: async () => 'closed',
  solution: async () => '<p>Fixed</p>',
  close_date: async () => '2025-01-01 10:00:00',
  origin: async () => 'email',
  number: async () => 'T-99999',
};
const IMMUTABLE = ['subject', 'description', 'attachment_ids'];
const STAFF_EDITABLE = ['category_id', 'project_id', 'priority_id', 'department_id', 'tag_ids'];

function expectedWrite(role: Role, name: string): [Outcome, RegExp] {
  if (IMMUTABLE.includes(name)) return ['UserError', /cannot be changed once the ticket has been created/];
  if (name === 'state') return ['UserError', /only changes through its actions/];
  if (role === 'technician' || role === 'admin') {
    return STAFF_EDITABLE.includes(name) ? ['ok', /./] : ['AccessError', /cannot change .* directly/];
  }
  return ['AccessError', /not allowed to modify/];
}

for (const role of ROLES) {
  for (const name of Object.keys(FIELD_VALUES)) {
    const [outcome, message] = expectedWrite(role, name);
    test(`write ${name}: ${role} ${outcome === 'ok' ? 'can' : 'cannot'} change it (${outcome})`, async (t) => {
      await rollback(fx.app, async (env) => {
        const id = await ticketOf(fx, env, 'user', {}, 'open');
        const value = await FIELD_VALUES[name](env);
        const promise = as(env, fx.uid[role]).browse([id]).write({ [name]: value });
        if (outcome !== 'ok') {
          await rejects(t, promise, outcome as ErrorName, message);
          t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'open');
          return;
        }
        await promise;
        const stored = await field(env, 'helpdesk.ticket', id, name);
        const expected = Array.isArray(value) ? (value[0] as any)[2] : value;
        t.deepEqual(Array.isArray(stored) && typeof stored[0] === 'number' && name !== 'tag_ids' ? stored[0] : stored, expected);
      });
    });
  }
}

test('write: the error for a frozen field names the field in the user\'s language', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    const spanish = env.withUser(fx.uid.technician).withContext({ lang: 'es_ES' }).model('helpdesk.ticket');
    await rejects(t, spanish.browse([id]).write({ subject: 'x' }), 'UserError', /Asunto/);
  });
});

test('write: sudo (the importer) may still change subject and description', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await env.model('helpdesk.ticket').browse([id]).sudo().write({ subject: 'From Zammad', description: '<p>Synced</p>' });
    t.is(await field(env, 'helpdesk.ticket', id, 'subject'), 'From Zammad');
  });
});

// ── actions ─────────────────────────────────────────────────────────────────────────
interface ActionCase { state: string; call: (rec: any) => Promise<unknown>; after: (env: any, id: number) => Promise<unknown>; expected: unknown; outcome: Record<Role, Outcome> }
const STAFF_ONLY: Record<Role, Outcome> = { user: 'AccessError', other: 'AccessError', technician: 'ok', technician2: 'ok', admin: 'ok', employee: 'AccessError' };
const REPORTER_ONLY: Record<Role, Outcome> = { user: 'ok', other: 'AccessError', technician: 'AccessError', technician2: 'AccessError', admin: 'AccessError', employee: 'AccessError' };
const ACTIONS: Record<string, ActionCase> = {
  action_open: { state: 'new', call: (r) => r.action_open(), after: (env, id) => field(env, 'helpdesk.ticket', id, 'state'), expected: 'open', outcome: STAFF_ONLY },
  action_wait: { state: 'open', call: (r) => r.action_wait(), after: (env, id) => field(env, 'helpdesk.ticket', id, 'state'), expected: 'pending', outcome: STAFF_ONLY },
  action_solve: { state: 'open', call: (r) => r.action_solve('<p>Replaced the cable</p>'), after: (env, id) => field(env, 'helpdesk.ticket', id, 'state'), expected: 'closed', outcome: STAFF_ONLY },
  action_reassign: {
    state: 'open', call: (r) => r.action_reassign(fx.uid.technician2),
    // expected: the new technician (fx is only known once the fixture is up, see below)
    after: async (env, id) => ((await field(env, 'helpdesk.ticket', id, 'user_id')) as any)[0] ?? false, expected: null, outcome: STAFF_ONLY,
  },
  action_reopen: {
    state: 'closed', call: (r) => r.action_reopen(), after: (env, id) => field(env, 'helpdesk.ticket', id, 'state'), expected: 'open',
    outcome: { user: 'ok', other: 'AccessError', technician: 'ok', technician2: 'ok', admin: 'ok', employee: 'AccessError' },
  },
  action_rate: { state: 'closed', call: (r) => r.action_rate('4', 'Quick'), after: (env, id) => field(env, 'helpdesk.ticket', id, 'rating'), expected: '4', outcome: REPORTER_ONLY },
  action_close: { state: 'open', call: (r) => r.action_close('It works again'), after: (env, id) => field(env, 'helpdesk.ticket', id, 'state'), expected: 'closed', outcome: REPORTER_ONLY },
  unlink: {
    state: 'open', call: (r) => r.unlink(), after: async (env, id) => (await env.model('helpdesk.ticket').browse([id]).exists()).ids.length, expected: 0,
    outcome: { user: 'AccessError', other: 'AccessError', technician: 'AccessError', technician2: 'AccessError', admin: 'ok', employee: 'AccessError' },
  },
};

for (const [name, c] of Object.entries(ACTIONS)) {
  for (const role of ROLES) {
    const outcome = c.outcome[role];
    test(`${name}: ${role} ${outcome === 'ok' ? 'can' : 'cannot'} on a ticket reported by user (${outcome})`, async (t) => {
      await rollback(fx.app, async (env) => {
        const id = await ticketOf(fx, env, 'user', {}, c.state);
        const before = await c.after(env, id);
        const promise = c.call(as(env, fx.uid[role]).browse([id]));
        if (outcome !== 'ok') {
          await rejects(t, promise, outcome as ErrorName);
          t.deepEqual(await c.after(env, id), before, 'nothing changed');
          return;
        }
        await promise;
        t.deepEqual(await c.after(env, id), name === 'action_reassign' ? fx.uid.technician2 : c.expected);
      });
    });
  }
}

// ── chatter: public messages and internal notes ─────────────────────────────────────
const PUBLIC_POST: Record<Role, Outcome> = { user: 'ok', other: 'AccessError', technician: 'ok', technician2: 'ok', admin: 'ok', employee: 'AccessError' };
const NOTE_POST: Record<Role, Outcome> = { user: 'AccessError', other: 'AccessError', technician: 'ok', technician2: 'ok', admin: 'ok', employee: 'AccessError' };
for (const role of ROLES) {
  test(`message: ${role} ${PUBLIC_POST[role] === 'ok' ? 'can' : 'cannot'} post a public message on user's ticket`, async (t) => {
    await rollback(fx.app, async (env) => {
      const id = await ticketOf(fx, env, 'user');
      const promise = as(env, fx.uid[role]).browse([id]).message_post('<p>Any news?</p>');
      if (PUBLIC_POST[role] !== 'ok') return rejects(t, promise, PUBLIC_POST[role] as ErrorName);
      const mid = await promise;
      t.is(await field(env, 'mail.message', mid, 'is_internal'), false);
    });
  });
  test(`note: ${role} ${NOTE_POST[role] === 'ok' ? 'can' : 'cannot'} log an internal note on user's ticket`, async (t) => {
    await rollback(fx.app, async (env) => {
      const id = await ticketOf(fx, env, 'user');
      const promise = as(env, fx.uid[role]).browse([id]).message_post('<p>Internal: check the switch</p>', false, 'comment', 'mail.mt_note');
      if (NOTE_POST[role] !== 'ok') return rejects(t, promise, NOTE_POST[role] as ErrorName);
      const mid = await promise;
      t.is(await field(env, 'mail.message', mid, 'is_internal'), true);
    });
  });
}

const SEES_NOTES: Record<Role, boolean> = { user: false, other: false, technician: true, technician2: true, admin: true, employee: false };
for (const role of ['user', 'technician', 'admin'] as Role[]) {
  test(`note: ${role} ${SEES_NOTES[role] ? 'sees' : 'never sees'} internal notes in the ticket's messages`, async (t) => {
    await rollback(fx.app, async (env) => {
      const id = await ticketOf(fx, env, 'user');
      const ticket = as(env, fx.uid.technician).browse([id]);
      const publicId = await ticket.message_post('<p>Public answer</p>');
      const noteId = await ticket.message_post('<p>Secret note</p>', false, 'comment', 'mail.mt_note');
      const [rec] = await as(env, fx.uid[role]).browse([id]).read(['message_ids']);
      t.true((rec.message_ids as number[]).includes(publicId));
      t.is((rec.message_ids as number[]).includes(noteId), SEES_NOTES[role]);
    });
  });
}

test('note: a user reading an internal note by id gets an access error', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    const noteId = await as(env, fx.uid.technician).browse([id]).message_post('<p>Secret note</p>', false, 'comment', 'mail.mt_note');
    await rejects(t, as(env, fx.uid.user, 'mail.message').browse([noteId]).read(['body']), 'AccessError');
  });
});

test('note: a user searching messages by text does not find internal notes', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await as(env, fx.uid.technician).browse([id]).message_post('<p>zebra-secret in note</p>', false, 'comment', 'mail.mt_note');
    await as(env, fx.uid.technician).browse([id]).message_post('<p>zebra-public answer</p>');
    const found = await as(env, fx.uid.user, 'mail.message').search_read([['body', 'ilike', 'zebra-']], ['body']);
    t.deepEqual(found.map((m: any) => m.body), ['<p>zebra-public answer</p>']);
  });
});

test('note: a user logging a note via message_type "notification" is refused too', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await rejects(t, as(env, fx.uid.user).browse([id]).message_post('<p>x</p>', false, 'notification'), 'AccessError', /internal notes/);
  });
});

test('categories and priorities: users read them but only admins edit them', async (t: ExecutionContext) => {
  await rollback(fx.app, async (env) => {
    const catId = await env.refId('helpdesk_bytacora.category_general');
    t.is((await as(env, fx.uid.user, 'helpdesk.ticket.category').browse([catId]).read(['name']))[0].name, 'Technical Support');
    await rejects(t, as(env, fx.uid.technician, 'helpdesk.ticket.category').browse([catId]).write({ name: 'x' }), 'AccessError');
    await rejects(t, as(env, fx.uid.user, 'helpdesk.ticket.priority').create({ name: 'Meh', level: 2 }), 'AccessError');
    await as(env, fx.uid.admin, 'helpdesk.ticket.category').browse([catId]).write({ name: 'Soporte' });
    t.is(await field(env, 'helpdesk.ticket.category', catId, 'name'), 'Soporte');
  });
});
