import { defineAddon } from '../../core/modules/manifest.ts';

export default defineAddon({
  name: 'helpdesk_bytacora',
  version: '1.1.6',
  summary: 'Helpdesk: tickets reported by users, handled by technicians, by web and by email',
  description: 'Incident (ticket) management with three roles — user, technician, admin — a chatter, an email alias and dashboards. See README.md.',
  category: 'Services/Helpdesk',
  application: true,
  author: 'Bytacora',
  depends: ['base', 'mail', 'project', 'hr'],
  data: [
    'security/helpdesk_groups.xml',
    'security/ir.model.access.csv',
    'security/helpdesk_rules.xml',
    'data/helpdesk_data.xml',
    'views/helpdesk_ticket_views.xml',
    'views/helpdesk_wizard_views.xml',
    'views/helpdesk_config_views.xml',
    'views/helpdesk_menus.xml',
  ],
  demo: ['demo/helpdesk_demo.xml'],
});
