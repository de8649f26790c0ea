import { fields, model } from '../../../core/orm/index.ts';

/** Projects list the tickets filed under them. */
export const ProjectProject = model((Base) => class extends Base {
  static _inherit = 'project.project';
  static fields = {
    ticket_ids: fields.one2many('helpdesk.ticket', 'project_id', { string: 'Tickets' }),
  };
});
