/**
 * A new row and its many2many links in one statement: the INSERT of the row, in a CTE, feeds
 * the INSERTs of its link rows (`WITH r AS (INSERT … RETURNING id) INSERT INTO rel SELECT …`),
 * one round trip instead of one per relation (a message and its recipients, its files).
 * Only for one row at a time, and only links given as a lone `[6, 0, ids]` (on a new row,
 * exactly these links); any other command goes through applyCommands as before.
 */
import type { Knex } from 'knex';
import { statementRowsNamed } from '../db/index.ts';
import type { Command } from './commands.ts';
import type { Field } from './fields/index.ts';
import { insertSql, quote } from './insert-rows.ts';

/** Splits a new row's x2many commands into links written with its INSERT and the rest. */
export function foldLinks(x2many: Array<[Field, Command[]]>): { links: Array<[Field, number[]]>; rest: Array<[Field, Command[]]> } {
  const links: Array<[Field, number[]]> = [];
  const rest: Array<[Field, Command[]]> = [];
  for (const [field, commands] of x2many) {
    const [cmd] = commands;
    const ids = commands.length === 1 && cmd[0] === 6 && Array.isArray(cmd[2]) ? (cmd[2] as unknown[]).map(Number) : null;
    if (field.type === 'many2many' && field.relation && ids && ids.every((id) => Number.isInteger(id) && id > 0)) links.push([field, [...new Set(ids)]]);
    else rest.push([field, commands]);
  }
  return { links, rest };
}

/** INSERTs `row` into `table` and its `links`, returning what `returning` names (the row's). */
export async function insertWithLinks(cr: Knex | Knex.Transaction, table: string, row: Record<string, unknown>, returning: Array<string | Knex.Raw>, links: Array<[Field, number[]]>): Promise<Array<Record<string, any>>> {
  const insert = insertSql(table, [row], returning) ?? cr(table).insert(row).returning(returning as string[]).toSQL();
  const bindings: unknown[] = [...insert.bindings];
  const parts = [`WITH "new_row" AS (${insert.sql})`];
  links.forEach(([field, ids], i) => {
    if (!ids.length) return;
    parts.push(`, "link_${i}" AS (INSERT INTO ${quote(field.relation!)} (${quote(field.column1!)}, ${quote(field.column2!)})
      SELECT "new_row"."id", v.x FROM "new_row", (VALUES ${ids.map(() => '(?::int)').join(', ')}) AS v(x))`);
    bindings.push(...ids);
  });
  parts.push(' SELECT * FROM "new_row"');
  return statementRowsNamed(cr, parts.join(''), bindings);
}
