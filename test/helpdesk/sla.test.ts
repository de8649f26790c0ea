/**
 * SLAs (SPEC 4.5): working-hours arithmetic (pure), deadlines per priority from the office
 * calendar (lunch break, weekends, holidays, time zone), first response, the clock paused while
 * waiting for the reporter, and the on time / at risk / failed status with its filters.
 */
import test from 'ava';
import fc from 'fast-check';
import { addWorkingHours, localToUtc, tzOffsetMinutes, workingHoursBetween, type WorkCalendar } from '../../addons/helpdesk_bytacora/sla.ts';
import { as, field, rejects, rollback, setupHelpdesk, ticketOf, type HelpdeskFixture } from './helpers.ts';

// ── pure arithmetic ──────────────────────────────────────────────────────────────────
const office: WorkCalendar = {
  tz: 'Europe/Madrid',
  intervals: new Map([0, 1, 2, 3, 4].map((d) => [d, [[9, 14], [15, 18]] as Array<[number, number]>])),
  holidays: new Set(['2026-10-12']),
};
const utc = (s: string) => new Date(`${s}Z`);
const iso = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

test('sla math: Madrid is UTC+1 in winter and UTC+2 in summer', (t) => {
  t.is(tzOffsetMinutes(utc('2026-01-15T12:00:00'), 'Europe/Madrid'), 60);
  t.is(tzOffsetMinutes(utc('2026-07-15T12:00:00'), 'Europe/Madrid'), 120);
  t.is(iso(localToUtc(2026, 7, 6, 9, 'Europe/Madrid')), '2026-07-06 07:00');
});

const ADD_CASES: Array<[string, string, number, string]> = [
  ['within the morning', '2026-03-02T08:00:00', 2, '2026-03-02 10:00'],
  ['across the lunch break', '2026-03-02T08:00:00', 8, '2026-03-02 17:00'],
  ['a whole week (40 h) ends on Friday evening', '2026-03-02T08:00:00', 40, '2026-03-06 17:00'],
  ['from Friday evening over the weekend', '2026-03-06T16:00:00', 2, '2026-03-09 09:00'],
  ['from a Saturday', '2026-03-07T10:00:00', 1, '2026-03-09 09:00'],
  ['before opening time counts from the opening', '2026-03-02T05:00:00', 1, '2026-03-02 09:00'],
  ['over a holiday (Monday 12 October)', '2026-10-09T15:00:00', 8, '2026-10-13 15:00'],
];
for (const [what, start, hours, expected] of ADD_CASES) {
  test(`sla math: adding ${hours} working hours ${what}`, (t) => {
    t.is(iso(addWorkingHours(utc(start), hours, office)), expected);
  });
}

test('sla math: working hours between two instants skip nights, lunch and weekends', (t) => {
  t.is(workingHoursBetween(utc('2026-03-06T16:00:00'), utc('2026-03-09T10:00:00'), office), 3);
  t.is(workingHoursBetween(utc('2026-03-02T12:00:00'), utc('2026-03-02T15:00:00'), office), 2);
  t.is(workingHoursBetween(utc('2026-03-09T10:00:00'), utc('2026-03-06T16:00:00'), office), 0);
});

test('sla math: a calendar without working intervals counts every hour', (t) => {
  const always: WorkCalendar = { tz: 'UTC', intervals: new Map(), holidays: new Set() };
  t.is(iso(addWorkingHours(utc('2026-03-07T10:00:00'), 30, always)), '2026-03-08 16:00');
});

test('sla math: the days a calendar remembers give what a fresh calendar computes', (t) => {
  // `office` remembers its days (sla.ts daySpans); a copy made for each call starts afresh.
  const fresh = (): WorkCalendar => ({ tz: office.tz, intervals: new Map(office.intervals), holidays: new Set(office.holidays) });
  const instant = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) }).map((ms) => new Date(ms));
  fc.assert(fc.property(instant, fc.double({ min: 0, max: 120, noNaN: true }), instant, (start, hours, end) => {
    t.is(addWorkingHours(start, hours, office).getTime(), addWorkingHours(start, hours, fresh()).getTime());
    t.is(workingHoursBetween(start, end, office), workingHoursBetween(start, end, fresh()));
  }), { numRuns: 300 });
});

// ── tickets ──────────────────────────────────────────────────────────────────────────
let fx: HelpdeskFixture;
test.before(async () => { fx = await setupHelpdesk(); });
test.after.always(async () => { await fx?.app.close(); });

const tickets = (env: any) => env.model('helpdesk.ticket').sudo();
async function createdAt(env: any, id: number, when: string) {
  await env.cr('helpdesk_ticket').where({ id }).update({ create_date: when });
  await tickets(env).browse([id])._slaCompute();
}
const sla = async (env: any, id: number) => (await env.model('helpdesk.ticket').browse([id]).read(['sla_id', 'sla_first_response_deadline', 'sla_deadline', 'sla_status', 'first_response_date']))[0];

test('sla: a new ticket gets the SLA of its priority and deadlines in office hours', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await createdAt(env, id, '2026-03-02 08:00:00');
    const s = await sla(env, id);
    t.is((s.sla_id as any)[0], await env.refId('helpdesk_bytacora.sla_normal'));
    t.is(s.sla_first_response_deadline, '2026-03-02 17:00:00');
    t.is(s.sla_deadline, '2026-03-06 17:00:00');
  });
});

test('sla: changing the priority changes the deadlines', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await createdAt(env, id, '2026-03-02 08:00:00');
    await as(env, fx.uid.technician).browse([id]).write({ priority_id: await env.refId('helpdesk_bytacora.priority_urgent') });
    const s = await sla(env, id);
    t.is(s.sla_first_response_deadline, '2026-03-02 09:00:00');
    t.is(s.sla_deadline, '2026-03-02 17:00:00');
  });
});

test('sla: a public answer from a technician is the first response; a note or the reporter\'s message is not', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await as(env, fx.uid.technician).browse([id]).message_post('<p>internal</p>', false, 'comment', 'mail.mt_note');
    await as(env, fx.uid.user).browse([id]).message_post('<p>any news?</p>');
    t.is((await sla(env, id)).first_response_date, false);
    await as(env, fx.uid.technician).browse([id]).message_post('<p>We are on it</p>');
    t.truthy((await sla(env, id)).first_response_date);
  });
});

test('sla: time waiting for the reporter does not count (the deadline moves by the paused working hours)', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    const before = (await sla(env, id)).sla_deadline as string;
    await as(env, fx.uid.technician).browse([id]).action_wait();
    // waiting since two full weeks: 80 working hours
    const since = new Date(Date.now() - 14 * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
    await env.cr('helpdesk_ticket').where({ id }).update({ date_pending: since });
    await as(env, fx.uid.user).browse([id]).message_post('<p>Here is the answer</p>');
    const [r] = await env.model('helpdesk.ticket').browse([id]).read(['state', 'sla_paused_hours', 'sla_deadline']);
    t.is(r.state, 'open');
    t.true((r.sla_paused_hours as number) >= 70 && (r.sla_paused_hours as number) <= 90, String(r.sla_paused_hours));
    t.true(String(r.sla_deadline) > before);
  });
});

test('sla: the status is on time, then at risk, then failed as time passes (cron)', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await as(env, fx.uid.technician).browse([id]).message_post('<p>Hello</p>');
    t.is((await sla(env, id)).sla_status, 'on_time');
    const span = 100 * 3_600_000;
    const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    await env.cr('helpdesk_ticket').where({ id }).update({ create_date: fmt(Date.now() - 0.9 * span), sla_deadline: fmt(Date.now() + 0.1 * span) });
    await tickets(env).cron_sla_update();
    t.is((await sla(env, id)).sla_status, 'at_risk');
    await env.cr('helpdesk_ticket').where({ id }).update({ sla_deadline: fmt(Date.now() - 60_000) });
    await tickets(env).cron_sla_update();
    t.is((await sla(env, id)).sla_status, 'failed');
  });
});

test('sla: a ticket solved before its deadline stays on time for good', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    await as(env, fx.uid.technician).browse([id]).action_solve('<p>Done</p>');
    t.is((await sla(env, id)).sla_status, 'on_time');
  });
});

test('sla: a ticket solved after its deadline is failed', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    await env.cr('helpdesk_ticket').where({ id }).update({ sla_deadline: '2020-01-01 00:00:00' });
    await as(env, fx.uid.technician).browse([id]).action_solve('<p>Late</p>');
    t.is((await sla(env, id)).sla_status, 'failed');
  });
});

test('sla: filters "SLA at risk" and "SLA failed" find the tickets by status', async (t) => {
  await rollback(fx.app, async (env) => {
    const late = await ticketOf(fx, env, 'user');
    const fine = await ticketOf(fx, env, 'user');
    await env.cr('helpdesk_ticket').where({ id: late }).update({ sla_deadline: '2020-01-01 00:00:00' });
    await tickets(env).cron_sla_update();
    const failed = (await as(env, fx.uid.technician).search([['sla_status', '=', 'failed']])).ids;
    t.true(failed.includes(late));
    t.false(failed.includes(fine));
  });
});

test('sla: nobody but the system sets the SLA fields', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await rejects(t, as(env, fx.uid.technician).browse([id]).write({ sla_deadline: '2030-01-01 00:00:00' }), 'AccessError', /SLA/);
    await rejects(t, as(env, fx.uid.admin).create({ subject: 'x', description: '<p>x</p>', sla_status: 'on_time' }), 'AccessError', /SLA/);
  });
});

test('sla: a priority without SLA policy leaves the ticket without deadlines', async (t) => {
  await rollback(fx.app, async (env) => {
    await env.model('helpdesk.sla').browse([await env.refId('helpdesk_bytacora.sla_low')]).write({ active: false });
    const id = await ticketOf(fx, env, 'user');
    await as(env, fx.uid.technician).browse([id]).write({ priority_id: await env.refId('helpdesk_bytacora.priority_low') });
    const s = await sla(env, id);
    t.deepEqual([s.sla_id, s.sla_deadline, s.sla_status], [false, false, false]);
  });
});
