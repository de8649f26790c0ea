/**
 * The ORM's fixed-shape statements run straight on a `pg` connection of knex's pool (a
 * PostgreSQL server only), without knex's query builder, raw formatter and runner at every
 * call — on the list view's search_read that machinery cost more CPU than the query itself.
 *
 *   statementRows(cr, sql, bindings, name?)
 *     ├─ embedded PGlite, or SQL only knex can bind (?? identifiers, \? escapes, a knex
 *     │  value among the bindings) ──▶ cr.raw(…) as before
 *     └─ server ──▶ connection of cr (the transaction's, or one from the pool)
 *                   └─ PgStatement: Parse (first time on the connection) / Bind / Describe
 *                      (first time in the process) / Execute / Sync, in one write
 *
 * A named statement's result columns never change for its text (PostgreSQL refuses to
 * change a prepared statement's result type), so its row description is asked once per
 * process: later executions skip the Describe message and pg's per-query Result set-up, and
 * rows are built with the column parsers found the first time. Unnamed statements are
 * described each time, as pg does.
 *
 * Same values as `cr.raw`: `?` placeholders become `$1…` as knex numbers them, values go
 * through pg's own prepareValue, columns through pg's type parsers (core/db/connect.ts).
 * Errors are PostgreSQL's own (with its code), without the SQL text knex put in front.
 */
import type { Knex } from 'knex';
import pg from 'pg';
// pg's value conversion for Bind (what pg's own Query uses); untyped module.
// @ts-expect-error untyped internal module
import pgUtils from 'pg/lib/utils.js';
import { exactStatement } from './exact-statements.ts';

const prepareValue = (pgUtils as { prepareValue: (v: unknown) => unknown }).prepareValue;

interface Shape {
  names: string[];
  parsers: Array<(v: string) => unknown>;
}

/** Row descriptions of named statements, by name (one text per name in a process). */
const shapes = new Map<string, Shape>();

/** `?` → `$n` texts, by knex text (bounded: the named texts are, one-off ones are not kept). */
const positioned = new Map<string, string | null>();
const MAX_POSITIONED = 2_000;

/**
 * The text with `$n` placeholders, or null when knex must bind it (`??` identifiers, `\?`
 * escapes). Every `?` is a placeholder, as for knex's raw formatter.
 */
function positionalText(sql: string): string | null {
  let text = positioned.get(sql);
  if (text !== undefined) return text;
  if (sql.includes('??') || sql.includes('\\?')) text = null;
  else {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
  }
  if (positioned.size >= MAX_POSITIONED) positioned.clear();
  positioned.set(sql, text);
  return text;
}

function shapeOf(fields: Array<{ name: string; dataTypeID: number; format?: string }>): Shape {
  return {
    names: fields.map((f) => f.name),
    parsers: fields.map((f) => pg.types.getTypeParser(f.dataTypeID, 'text') as (v: string) => unknown),
  };
}

/**
 * A pg submittable for one statement (see the file comment). pg's client calls `submit`,
 * then hands it the backend's messages until ReadyForQuery.
 */
class PgStatement {
  readonly text: string;
  /** Read by pg's client (parse bookkeeping). */
  readonly name: string | undefined;
  private shape: Shape | undefined;
  private readonly rows: Record<string, unknown>[] = [];
  private failure: Error | undefined;
  callback: (err: Error | null, rows?: Record<string, unknown>[]) => void;

  /**
   * `shapeKey`: the name its row description is kept under (an exact-value statement has
   * the columns of its template); `replaces`: the name may hold another text on a
   * connection (an exact-value slot), closed there first.
   */
  constructor(text: string, name: string | undefined, private readonly values: unknown[], callback: (err: Error | null, rows?: Record<string, unknown>[]) => void,
    private readonly shapeKey: string | null = name ?? null, private readonly replaces = false) {
    this.text = text;
    this.name = name;
    this.shape = shapeKey !== null ? shapes.get(shapeKey) : undefined;
    this.callback = callback;
  }

  submit(connection: any): Error | null {
    const stream = connection.stream;
    stream.cork?.();
    try {
      const name = this.name ?? '';
      if (this.replaces && connection.parsedStatements[name] !== undefined && connection.parsedStatements[name] !== this.text) {
        // An exact-value slot that held another text on this connection.
        connection.close({ type: 'S', name });
        delete connection.parsedStatements[name];
      }
      if (!this.name || (!connection.parsedStatements[name] && !connection.submittedNamedStatements?.[name])) {
        connection.parse({ text: this.text, name, types: [] });
        if (this.name && connection.submittedNamedStatements) connection.submittedNamedStatements[name] = this.text;
      } else if (connection.parsedStatements[name] !== undefined && connection.parsedStatements[name] !== this.text) {
        return new Error(`Prepared statements must be unique - '${name}' was used for a different statement`);
      }
      try {
        connection.bind({ portal: '', statement: name, values: this.values, binary: false, valueMapper: prepareValue });
      } catch (err) {
        connection.close({ type: 'S', name });
        connection.sync();
        this.failure = err as Error;
        return null;
      }
      if (!this.shape) connection.describe({ type: 'P', name: '' });
      connection.execute({ portal: '', rows: 0 });
      connection.sync();
      return null;
    } finally {
      stream.uncork?.();
    }
  }

  handleRowDescription(msg: { fields: Array<{ name: string; dataTypeID: number }> }): void {
    this.shape = shapeOf(msg.fields);
    if (this.shapeKey !== null) shapes.set(this.shapeKey, this.shape);
  }

  handleDataRow(msg: { fields: Array<string | null> }): void {
    if (this.failure) return;
    const shape = this.shape;
    if (!shape || shape.names.length !== msg.fields.length) {
      // The cached description does not fit (cannot happen for a named text): fail this
      // call and describe the statement again next time.
      if (this.shapeKey !== null) shapes.delete(this.shapeKey);
      this.failure = new Error(`The columns of statement ${this.name ?? '(unnamed)'} changed; retry the call`);
      return;
    }
    const row: Record<string, unknown> = {};
    const { names, parsers } = shape;
    try {
      for (let i = 0; i < names.length; i++) {
        const raw = msg.fields[i];
        row[names[i]] = raw === null ? null : parsers[i](raw);
      }
    } catch (err) {
      this.failure = err as Error;
      return;
    }
    this.rows.push(row);
  }

  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}

  handleError(err: Error): void {
    if (this.shapeKey !== null) shapes.delete(this.shapeKey);
    this.callback(err);
  }

  handleReadyForQuery(): void {
    if (this.failure) this.callback(this.failure);
    else this.callback(null, this.rows);
  }

  handleCopyInResponse(connection: any): void {
    connection.sendCopyFail('COPY is not supported by PgStatement');
  }
  handleCopyData(): void {}
}

export interface StatementOptions {
  /**
   * Plan the statement once per connection for values that repeat (exact-statements.ts):
   * for searches, whose best plan depends on the values. Not for statements whose values
   * should not appear in the statement's text (secrets, session keys).
   */
  exact?: boolean;
}

/** Whether `cr` runs on a PostgreSQL server through knex's (extended) pg client. */
function serverClient(cr: Knex | Knex.Transaction): any {
  const client = (cr as any).client;
  return client?.serverStatements === true ? client : undefined;
}

/** A binding knex would expand into SQL (a raw or a query builder) or refuse (undefined). */
function needsKnex(bindings: readonly unknown[]): boolean {
  for (const b of bindings) {
    if (b === undefined || typeof b === 'function') return true;
    if (b !== null && typeof b === 'object' && typeof (b as { toSQL?: unknown }).toSQL === 'function') return true;
  }
  return false;
}

/**
 * The rows of `sql` (knex `?` placeholders) with `bindings`, run on `cr`: directly on its pg
 * connection on a server (named `name` when given), else through knex. Same rows, same
 * values as `cr.raw(sql, bindings)`.
 */
export async function statementRows(cr: Knex | Knex.Transaction, sql: string, bindings: readonly unknown[], name?: string, opts?: StatementOptions): Promise<any[]> {
  const client = serverClient(cr);
  const text = client && !(cr as any).isCompleted?.() && !needsKnex(bindings) ? positionalText(sql) : null;
  if (!text) {
    const raw = cr.raw(sql, bindings as Knex.RawBinding[]);
    const result: any = await (name ? raw.options({ name }) : raw);
    return Array.isArray(result) ? result : result.rows;
  }
  // A text that repeats with the same values: planned once for them (exact-statements.ts).
  const exact = opts?.exact ? exactStatement(name ?? sql, sql, bindings.map(prepareValue)) : undefined;
  const connection = await client.acquireConnection();
  try {
    // As knex's runner does: listeners of knex's 'query' event (logs, tests) see every statement.
    client.emit('query', { __knexUid: connection.__knexUid, __knexTxId: connection.__knexTxId, method: 'raw', sql, bindings, options: name ? { name } : {} });
    return await new Promise<any[]>((resolve, reject) => {
      const done = (err: Error | null, rows?: Record<string, unknown>[]) => (err ? reject(err) : resolve(rows!));
      connection.query(exact ? new PgStatement(exact.text, exact.name, [], done, name ?? null, true) : new PgStatement(text, name, bindings as unknown[], done));
    });
  } finally {
    client.releaseConnection(connection);
  }
}
