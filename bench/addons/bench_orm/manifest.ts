import { defineAddon } from '../../../core/modules/manifest.ts';

export default defineAddon({
  name: 'bench_orm',
  version: '1.0.0',
  summary: 'A ticket-like model for the ORM benchmark',
  depends: ['base'],
  data: ['security/ir.model.access.csv'],
});
