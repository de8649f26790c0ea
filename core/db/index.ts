export { openDatabase, transaction, type Database, type DatabaseOptions } from './connect.ts';
