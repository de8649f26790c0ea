/**
 * base_external_dbsource: the `base.external.dbsource` model (Settings > Technical > Database
 * Sources) and, for code such as importers, `executeQuery` and `streamQuery`.
 */
import type { Service } from '../../core/http/index.ts';
import type { Environment } from '../../core/orm/index.ts';
import { addPasswordColumn, BaseExternalDbsource } from './models/base_external_dbsource.ts';
import { closeAllPools } from './pools.ts';
import { configureSecret } from './secret.ts';

export const models = [BaseExternalDbsource];

/**
 * In every serving process: the passwords' key comes from the server's configuration
 * (`secret_key`, else the key file in `data_dir`), and the sources' pools close on shutdown.
 */
export const services: Service[] = [{
  name: 'base_external_dbsource.pools',
  async start({ app }) {
    configureSecret(app.registry, { secretKey: app.config.secret_key, dataDir: app.config.data_dir });
    return { stop: () => closeAllPools(app.registry) };
  },
}];

export async function onInstall(env: Environment): Promise<void> {
  await addPasswordColumn(env);
}

export { executeQuery, streamQuery, type QueryResult } from './query.ts';
export { ExternalDatabaseError } from './errors.ts';
export { closeAllPools } from './pools.ts';
export { configureSecret } from './secret.ts';
export type { QueryParams } from './placeholders.ts';
