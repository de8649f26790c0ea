/** The Zammad database is read through base_external_dbsource (streaming cursor, read-only). */
export { executeQuery, streamQuery, type QueryResult } from '../../base_external_dbsource/index.ts';
