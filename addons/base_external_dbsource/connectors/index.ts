/** The engines, by the value of `base.external.dbsource.connector`: one file each. */
import type { Connector } from './connector.ts';
import { mssql } from './mssql.ts';
import { mysqlConnector } from './mysql.ts';
import { postgresql } from './postgresql.ts';
import { sqlite } from './sqlite.ts';

export type ConnectorName = 'postgresql' | 'mysql' | 'mssql' | 'sqlite';

export const CONNECTORS: Record<ConnectorName, Connector> = {
  postgresql,
  mysql: mysqlConnector,
  mssql,
  sqlite,
};

export const CONNECTOR_SELECTION = [
  ['postgresql', 'PostgreSQL'],
  ['mysql', 'MySQL / MariaDB'],
  ['mssql', 'Microsoft SQL Server'],
  ['sqlite', 'SQLite'],
] as const;

export type { Connector, ConnectorPool, QueryResult, SourceSettings, TlsMode } from './connector.ts';
