import { defineAddon } from '../../core/modules/manifest.ts';

export default defineAddon({
  name: 'base',
  version: '1.0.6',
  summary: 'Partners, users, groups, technical models and the Settings menus',
  category: 'Hidden',
  data: [
    'security/base_groups.xml',
    'security/ir.model.access.csv',
    'security/base_rules.xml',
    'data/base_data.xml',
    'data/ir_cron_data.xml',
    'views/base_menus.xml',
    'views/res_partner_views.xml',
    'views/res_users_views.xml',
    'views/ir_technical_views.xml',
    'views/ir_cron_views.xml',
  ],
  demo: ['data/base_demo.xml'],
});
