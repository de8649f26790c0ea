export { PGLITE_PARSERS, nameBuilderStatements, openDatabase, readonlyPoolSize, transaction, type Database, type DatabaseOptions } from './connect.ts';
export { onPostgresServer, rawStatement, statementName } from './statements.ts';
