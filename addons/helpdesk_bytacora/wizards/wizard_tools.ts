/** What the ticket wizards share: the tickets they act on, from the Odoo-style context. */
import { UserError, type Environment, type Model } from '../../../core/orm/index.ts';
import { _t } from '../../../core/i18n/index.ts';

/** The tickets of `active_ids` (or `active_id`) in the context; refuses other models and an empty selection. */
export function activeTickets(env: Environment): Model {
  const ctx = env.context;
  if (ctx.active_model && ctx.active_model !== 'helpdesk.ticket') {
    throw new UserError(_t(env, 'This wizard works on helpdesk tickets, not on "%s".', String(ctx.active_model)));
  }
  const raw = Array.isArray(ctx.active_ids) && ctx.active_ids.length ? ctx.active_ids : ctx.active_id ? [ctx.active_id] : [];
  if (!raw.length) throw new UserError(_t(env, 'No ticket selected: open this wizard from a ticket.'));
  return env.model('helpdesk.ticket').browse(raw as number[]);
}

/** Default of the wizards' `ticket_ids` field: the tickets of the context. */
export const defaultTicketIds = (env: Environment): unknown => {
  const ctx = env.context;
  if (ctx.active_model && ctx.active_model !== 'helpdesk.ticket') return [];
  const ids = Array.isArray(ctx.active_ids) && ctx.active_ids.length ? ctx.active_ids : ctx.active_id ? [ctx.active_id] : [];
  return [[6, 0, ids]];
};

/** What a confirmed wizard returns: close the dialog (the client reloads the record). */
export const CLOSE_ACTION = { type: 'ir.actions.act_window_close' };
