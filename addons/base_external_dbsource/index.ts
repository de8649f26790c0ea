/**
 * base_external_dbsource: the `base.external.dbsource` model (Settings > Technical > Database
 * Sources) and, for code such as importers, `executeQuery` and `streamQuery`.
 */
import type { Environment } from '../../core/orm/index.ts';
import { addPasswordColumn, BaseExternalDbsource } from './models/base_external_dbsource.ts';

export const models = [BaseExternalDbsource];

export async function onInstall(env: Environment): Promise<void> {
  await addPasswordColumn(env);
}

export { executeQuery, streamQuery, type QueryResult } from './query.ts';
export { ExternalDatabaseError } from './errors.ts';
export { closeAllPools } from './pools.ts';
export { configureSecret } from './secret.ts';
export type { QueryParams } from './placeholders.ts';
