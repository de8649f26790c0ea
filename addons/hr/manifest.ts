import { defineAddon } from '../../core/modules/manifest.ts';

export default defineAddon({
  name: 'hr',
  version: '1.0.1',
  summary: 'Departments (name, parent, manager), used to classify work such as helpdesk tickets',
  category: 'Human Resources',
  depends: ['base'],
  data: [
    'security/ir.model.access.csv',
    'views/hr_department_views.xml',
  ],
});
