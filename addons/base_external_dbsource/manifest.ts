import { defineAddon } from '../../core/modules/manifest.ts';

export default defineAddon({
  name: 'base_external_dbsource',
  version: '1.0.1',
  summary: 'Connections to external databases: PostgreSQL, MySQL/MariaDB, SQL Server and SQLite',
  description: 'Database sources with write-only encrypted passwords, a connection test, read-only queries with DB-API placeholders, and streaming of large results for code such as importers.',
  category: 'Technical',
  depends: ['base'],
  data: [
    'security/ir.model.access.csv',
    'views/base_external_dbsource_views.xml',
  ],
});
