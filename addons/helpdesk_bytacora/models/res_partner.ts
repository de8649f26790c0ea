import { fields, model } from '../../../core/orm/index.ts';

/** Contacts list the tickets they reported (seen through the tickets' record rules). */
export const ResPartner = model((Base) => class extends Base {
  static _inherit = 'res.partner';
  static fields = {
    ticket_ids: fields.one2many('helpdesk.ticket', 'partner_id', { string: 'Tickets' }),
  };
});
