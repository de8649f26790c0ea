import { fields, model } from '../../../core/orm/index.ts';

/** A project: a name to group work under. */
export const ProjectProject = model((Base) => class extends Base {
  static _name = 'project.project';
  static _description = 'Project';
  static _order = 'name';
  static fields = {
    name: fields.char({ string: 'Name', required: true, index: true }),
    active: fields.boolean({ string: 'Active', default: true, help: 'Archived projects are hidden from selections.' }),
    description: fields.html({ string: 'Description' }),
  };
});
