export { PGLITE_PARSERS, openDatabase, transaction, type Database, type DatabaseOptions } from './connect.ts';
