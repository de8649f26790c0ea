import { defineAddon } from '../../core/modules/manifest.ts';

export default defineAddon({
  name: 'project',
  version: '1.0.1',
  summary: 'Projects (name only), used to classify work such as helpdesk tickets',
  category: 'Services/Project',
  depends: ['base'],
  data: [
    'security/ir.model.access.csv',
    'views/project_project_views.xml',
  ],
});
