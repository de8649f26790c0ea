export { PGLITE_PARSERS, nameBuilderStatements, openDatabase, readonlyPoolSize, transaction, type Database, type DatabaseOptions } from './connect.ts';
export { statementRows } from './pg-statement.ts';
export { builderStatementRows, onPostgresServer, rawStatement, statementName, statementRowsNamed } from './statements.ts';
