/**
 * What the web client's followers menu and bulk actions rely on, through the RPC dispatcher
 * as each role: `message_get_followers` (who follows, may the caller change it), following
 * and unfollowing (others only with write access to the ticket, also when mail.followers is
 * written directly), "Assign to me" and "Change Priority" on several tickets (technicians
 * and admins only).
 */
import test from 'ava';
import { callKw } from '../../core/http/rpc/call-kw.ts';
import type { Environment } from '../../core/orm/index.ts';
import { field, rejects, rollback, setupHelpdesk, ticketOf, type HelpdeskFixture, type Role } from './helpers.ts';

let fx: HelpdeskFixture;
test.before(async () => { fx = await setupHelpdesk(); });
test.after.always(async () => { await fx?.app.close(); });

const rpc = (env: Environment, role: Role, model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) =>
  callKw(env.withUser(fx.uid[role]), model, method, args, kwargs) as Promise<any>;
const followerNames = async (env: Environment, id: number) =>
  (await env.model('mail.followers').search_read([['res_model', '=', 'helpdesk.ticket'], ['res_id', '=', id]] as never, ['partner_id'])).map((f) => (f.partner_id as [number, string])[1]).sort();

test('the reporter sees the followers of her ticket and may not change other people\'s', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    const info = await rpc(env, 'user', 'helpdesk.ticket', 'message_get_followers', [[id]]);
    t.false(info.can_edit);
    t.is(info.own_partner_id, fx.partner.user);
    t.deepEqual(info.followers.map((f: any) => f.partner_id[1]).sort(), await followerNames(env, id));
    t.true(info.followers.some((f: any) => f.partner_id[0] === fx.partner.user && f.email === 'hd.user@example.com'));
    const before = await followerNames(env, id);
    await rejects(t, rpc(env, 'user', 'helpdesk.ticket', 'message_subscribe', [[id]], { partner_ids: [fx.partner.other] }), 'AccessError');
    const technicianFollows = info.followers.find((f: any) => f.partner_id[0] !== fx.partner.user);
    if (technicianFollows) await rejects(t, rpc(env, 'user', 'helpdesk.ticket', 'message_unsubscribe', [[id]], { partner_ids: [technicianFollows.partner_id[0]] }), 'AccessError');
    t.deepEqual(await followerNames(env, id), before);
  });
});

test('the reporter cannot add or remove followers by writing mail.followers directly', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await rejects(t, rpc(env, 'user', 'mail.followers', 'create', [{ res_model: 'helpdesk.ticket', res_id: id, partner_id: fx.partner.other }]), 'AccessError');
    const [own] = await env.model('mail.followers').search_read([['res_model', '=', 'helpdesk.ticket'], ['res_id', '=', id], ['partner_id', '=', fx.partner.user]] as never, ['id']);
    await rejects(t, rpc(env, 'user', 'mail.followers', 'unlink', [[own.id]]), 'AccessError');
    await rejects(t, rpc(env, 'user', 'mail.followers', 'write', [[own.id], { partner_id: fx.partner.other }]), 'AccessError');
  });
});

test('the reporter unfollows and follows her own ticket again (read access is enough for herself)', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    t.true(await rpc(env, 'user', 'helpdesk.ticket', 'message_unsubscribe', [[id]], { partner_ids: [fx.partner.user] }));
    t.false((await followerNames(env, id)).includes('HD user'));
    t.true(await rpc(env, 'user', 'helpdesk.ticket', 'message_subscribe', [[id]], { partner_ids: [fx.partner.user] }));
    t.true((await followerNames(env, id)).includes('HD user'));
  });
});

test('nobody reads the followers of a ticket they cannot see', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'other');
    await rejects(t, rpc(env, 'user', 'helpdesk.ticket', 'message_get_followers', [[id]]), 'AccessError');
    t.deepEqual(await rpc(env, 'user', 'mail.followers', 'search_read', [[['res_model', '=', 'helpdesk.ticket'], ['res_id', '=', id]], ['partner_id']]), []);
  });
});

for (const role of ['technician', 'admin'] as const) {
  test(`${role === 'admin' ? 'an' : 'a'} ${role} may add and remove followers`, async (t) => {
    await rollback(fx.app, async (env) => {
      const id = await ticketOf(fx, env, 'user');
      t.true((await rpc(env, role, 'helpdesk.ticket', 'message_get_followers', [[id]])).can_edit);
      await rpc(env, role, 'helpdesk.ticket', 'message_subscribe', [[id]], { partner_ids: [fx.partner.other] });
      t.true((await followerNames(env, id)).includes('HD other'));
      await rpc(env, role, 'helpdesk.ticket', 'message_unsubscribe', [[id]], { partner_ids: [fx.partner.other] });
      t.false((await followerNames(env, id)).includes('HD other'));
    });
  });
}

test('"Assign to me" makes the technician the assignee of the selected tickets, skipping those already theirs', async (t) => {
  await rollback(fx.app, async (env) => {
    const a = await ticketOf(fx, env, 'user', {}, 'open');
    const b = await ticketOf(fx, env, 'other', {}, 'open');
    await env.model('helpdesk.ticket').browse([a]).sudo().write({ user_id: fx.uid.technician });
    await env.model('helpdesk.ticket').browse([b]).sudo().write({ user_id: fx.uid.technician2 });
    t.true(await rpc(env, 'technician', 'helpdesk.ticket', 'action_assign_to_me', [[a, b]]));
    for (const id of [a, b]) t.is((await field<[number, string]>(env, 'helpdesk.ticket', id, 'user_id'))[0], fx.uid.technician);
    await rejects(t, rpc(env, 'technician', 'helpdesk.ticket', 'action_assign_to_me', [[a, b]]), 'UserError', /already assigned to you/);
  });
});

test('a reporter can neither assign her tickets to herself nor change their priority', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await rejects(t, rpc(env, 'user', 'helpdesk.ticket', 'action_assign_to_me', [[id]]), 'AccessError');
    await rejects(t, rpc(env, 'user', 'helpdesk.ticket', 'action_set_priority_wizard', [[id]]), 'AccessError');
    await rejects(t, rpc(env, 'user', 'helpdesk.ticket.set.priority', 'create', [{ priority_id: await env.refId('helpdesk_bytacora.priority_high') }], { context: { active_model: 'helpdesk.ticket', active_ids: [id] } }), 'AccessError');
  });
});

test('"Change Priority" sets the chosen priority on every selected ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    const ids = [await ticketOf(fx, env, 'user'), await ticketOf(fx, env, 'other')];
    const action = await rpc(env, 'technician', 'helpdesk.ticket', 'action_set_priority_wizard', [ids]);
    t.is(action.res_model, 'helpdesk.ticket.set.priority');
    t.deepEqual(action.context.active_ids, ids);
    const urgent = await env.refId('helpdesk_bytacora.priority_urgent');
    const wizard = await rpc(env, 'technician', 'helpdesk.ticket.set.priority', 'create', [{ priority_id: urgent }], { context: action.context });
    t.deepEqual(await rpc(env, 'technician', 'helpdesk.ticket.set.priority', 'action_confirm', [[wizard]], { context: action.context }), { type: 'ir.actions.act_window_close' });
    for (const id of ids) t.is((await field<[number, string]>(env, 'helpdesk.ticket', id, 'priority_id'))[0], urgent);
    await rejects(t, rpc(env, 'technician', 'helpdesk.ticket.set.priority', 'create', [{}], { context: action.context }), 'ValidationError');
  });
});
