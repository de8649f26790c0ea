import { fields, model } from '../../../core/orm/index.ts';

export const BenchTicket = model((Base) => class extends Base {
  static _name = 'bench.ticket';
  static _description = 'Benchmark Ticket';
  static _order = 'id desc';
  static fields = {
    name: fields.char({ string: 'Subject', required: true }),
    state: fields.selection([['new', 'New'], ['open', 'Open'], ['pending', 'Pending'], ['closed', 'Closed']], { string: 'State', default: 'new', index: true }),
    priority: fields.integer({ string: 'Priority', default: 2, index: true }),
    partner_id: fields.many2one('res.partner', { string: 'Reporter' }),
    user_id: fields.many2one('res.users', { string: 'Technician' }),
    description: fields.text({ string: 'Description' }),
  };
});

export const models = [BenchTicket];
