export { PGLITE_PARSERS, openDatabase, transaction, type Database, type DatabaseOptions } from './connect.ts';
export { rawStatement, statementName } from './statements.ts';
