/**
 * The code API of external sources (what the importer and `execute` use):
 *   executeQuery(env, id, query, params)  → { cols, rows }
 *   streamQuery(env, id, query, params)   → async batches of { cols, rows }
 * Both check that the caller may use sources (Settings administrators, or sudo), load the
 * source's settings (decrypting its password), bind the DB-API placeholders for the engine
 * and run read-only on the source's pool. Every failure is an ExternalDatabaseError with the
 * driver's message and never the password.
 */
import { AccessError, err, MissingError, UserError, ValidationError } from '../../core/errors.ts';
import type { Environment } from '../../core/orm/index.ts';
import type { QueryResult, SourceSettings, TlsMode } from './connectors/connector.ts';
import { CONNECTORS, type ConnectorName } from './connectors/index.ts';
import { externalError } from './errors.ts';
import { bindPlaceholders, type QueryParams } from './placeholders.ts';
import { poolFor } from './pools.ts';
import { decryptSecret, secretKeyFor } from './secret.ts';

export type { QueryResult } from './connectors/connector.ts';

export const SOURCE_TABLE = 'base_external_dbsource';
/** The encrypted password's column: no ORM field, so no RPC entry point can name it. */
export const PASSWORD_COLUMN = 'password_encrypted';
export const DEFAULT_BATCH_SIZE = 2000;

export interface LoadedSource {
  id: number;
  name: string;
  connector: ConnectorName;
  settings: SourceSettings;
}

/** Only Settings administrators (base.group_system) and sudo may query sources. */
export async function checkSourceAccess(env: Environment): Promise<void> {
  if (env.su || (await env.hasGroup('base.group_system'))) return;
  throw err(AccessError, 'Only Settings administrators may query external database sources.');
}

/** The source's settings with its password decrypted (never returned to a client). */
export async function loadSource(env: Environment, sourceId: number): Promise<LoadedSource> {
  if (!Number.isInteger(sourceId) || sourceId <= 0) throw err(ValidationError, 'Invalid database source id %s.', JSON.stringify(sourceId));
  await checkSourceAccess(env);
  const row = await env.cr(SOURCE_TABLE).where({ id: sourceId }).first('id', 'name', 'connector', 'conn_string', PASSWORD_COLUMN, 'tls_mode', 'tls_ca', 'timeout');
  if (!row) throw err(MissingError, 'Record does not exist or has been deleted: %s(%s)', 'base.external.dbsource', sourceId);
  if (!(row.connector in CONNECTORS)) throw err(UserError, "Unknown connector '%s' on database source '%s'.", row.connector, row.name);
  const password = row[PASSWORD_COLUMN] ? decryptSecret(secretKeyFor(env.registry), row[PASSWORD_COLUMN], row.name) : '';
  const timeout = Number(row.timeout) > 0 ? Number(row.timeout) : 30;
  return {
    id: Number(row.id),
    name: row.name,
    connector: row.connector,
    settings: { connString: row.conn_string ?? '', password, tlsMode: (row.tls_mode || 'disable') as TlsMode, tlsCa: row.tls_ca ?? '', timeoutMs: timeout * 1000 },
  };
}

/** Runs `query` on source `sourceId` (read-only), placeholders %s / %(name)s. */
export async function executeQuery(env: Environment, sourceId: number, query: string, params?: QueryParams): Promise<QueryResult> {
  const source = await loadSource(env, sourceId);
  const connector = CONNECTORS[source.connector];
  try {
    const bound = bindPlaceholders(query, params, connector);
    return await poolFor(env.registry, source.id, source.connector, source.settings).query(bound.sql, bound.values);
  } catch (e) {
    throw externalError(connector.label, e, [source.settings.password]);
  }
}

/** Rows in batches from a server-side cursor / row stream; memory flat; stopping the loop early closes the cursor. */
export async function* streamQuery(env: Environment, sourceId: number, query: string, params?: QueryParams, opts: { batchSize?: number } = {}): AsyncGenerator<QueryResult> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw err(ValidationError, 'The batch size must be a positive whole number, not %s.', String(opts.batchSize));
  const source = await loadSource(env, sourceId);
  const connector = CONNECTORS[source.connector];
  let stream: AsyncGenerator<QueryResult>;
  try {
    const bound = bindPlaceholders(query, params, connector);
    stream = poolFor(env.registry, source.id, source.connector, source.settings).stream(bound.sql, bound.values, { batchSize });
  } catch (e) {
    throw externalError(connector.label, e, [source.settings.password]);
  }
  try {
    for (;;) {
      let step: IteratorResult<QueryResult>;
      try {
        step = await stream.next();
      } catch (e) {
        throw externalError(connector.label, e, [source.settings.password]);
      }
      if (step.done) return;
      yield step.value;
    }
  } finally {
    // The consumer stopped (or failed): let the connector close its cursor.
    await stream.return(undefined);
  }
}

/** Opens a connection and runs a trivial statement; throws the driver's error. */
export async function pingSource(env: Environment, sourceId: number): Promise<void> {
  const source = await loadSource(env, sourceId);
  const connector = CONNECTORS[source.connector];
  try {
    await poolFor(env.registry, source.id, source.connector, source.settings).ping();
  } catch (e) {
    throw externalError(connector.label, e, [source.settings.password]);
  }
}
