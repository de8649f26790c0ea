/** The engines, by the value of `base.external.dbsource.connector`: one file each. */
import type { Connector } from './connector.ts';
import { postgresql } from './postgresql.ts';

export type ConnectorName = 'postgresql';

export const CONNECTORS: Record<ConnectorName, Connector> = {
  postgresql,
};

export const CONNECTOR_SELECTION = [
  ['postgresql', 'PostgreSQL'],
] as const;

export type { Connector, ConnectorPool, QueryResult, SourceSettings, TlsMode } from './connector.ts';
