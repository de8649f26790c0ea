import { defineAddon } from '../../core/modules/manifest.ts';

export default defineAddon({
  name: 'base_external_import_zammad',
  version: '1.0.1',
  summary: 'Keep the tickets of a Zammad helpdesk in sync, read straight from its PostgreSQL database',
  description: 'Import tasks with an editable query, "Run import" with a progress bar, "Preview", a log per run and a scheduled action. See README.md.',
  category: 'Services/Helpdesk',
  author: 'Bytacora',
  depends: ['helpdesk_bytacora', 'base_external_dbsource'],
  data: [
    'security/ir.model.access.csv',
    'data/ir_cron_data.xml',
    'views/base_external_import_views.xml',
    'views/helpdesk_ticket_views.xml',
  ],
});
