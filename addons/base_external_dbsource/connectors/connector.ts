/**
 * The one interface every database engine implements (one file per engine, like knex's
 * dialects). A connector turns a source's settings into a pool; the pool runs read-only
 * queries with a statement timeout, whole or as a stream of row batches. SQL text reaching
 * a pool already carries the engine's own placeholders (see placeholders.ts).
 */
import { err, UserError } from '../../../core/errors.ts';

/** Rows as lists of values in column order, with the column names. */
export interface QueryResult {
  cols: string[];
  rows: unknown[][];
}

export type TlsMode = 'disable' | 'require' | 'verify';

/** Everything a connector needs to reach one source; the password is already decrypted. */
export interface SourceSettings {
  connString: string;
  password: string;
  tlsMode: TlsMode;
  /** PEM certificate(s) of the authority that signed the server's certificate (verify mode). */
  tlsCa: string;
  /** Connection and statement timeout, milliseconds. */
  timeoutMs: number;
}

export interface StreamOptions {
  batchSize: number;
}

export interface ConnectorPool {
  /** Runs one statement in a read-only transaction (where the engine has one) and returns all rows. */
  query(sql: string, params: unknown[]): Promise<QueryResult>;
  /**
   * Yields the rows in batches from a server-side cursor / row stream. Stopping the loop early
   * (break, return, throw) closes the cursor and gives the connection back.
   */
  stream(sql: string, params: unknown[], opts: StreamOptions): AsyncGenerator<QueryResult>;
  /** Opens a connection and runs a trivial statement. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** How the engine writes the n-th (1-based) positional parameter. */
export type PlaceholderStyle = (n: number) => string;

export interface Connector {
  /** Label shown in messages. */
  readonly label: string;
  readonly placeholder: PlaceholderStyle;
  /** Backslash escapes a quote inside '…' strings (MySQL), so placeholders.ts skips it. */
  readonly backslashEscapes: boolean;
  /** Checks the settings without connecting (connection string keys and values); throws a clear error. */
  validate(settings: SourceSettings): void;
  /** Checks the settings (throws a clear error) and returns a pool; connecting happens lazily. */
  open(settings: SourceSettings): ConnectorPool;
}

/**
 * Streams bound each wait for the next batch by the timeout (a whole stream may rightly last
 * longer than any one statement): when `wait` has not settled in time, `cancel` asks the
 * server to stop the query, and the wait fails with a timeout error.
 */
export async function withBatchTimeout<T>(wait: Promise<T>, timeoutMs: number, cancel: () => Promise<unknown>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let fired = false;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      fired = true;
      cancel().catch(() => undefined);
      // A server that does not even answer the cancel: give up on the connection.
      timer = setTimeout(() => reject(batchTimeoutError(label, timeoutMs)), 2000);
    }, timeoutMs);
  });
  try {
    return await Promise.race([wait, expired]);
  } catch (e) {
    throw fired ? batchTimeoutError(label, timeoutMs) : e;
  } finally {
    clearTimeout(timer);
  }
}

function batchTimeoutError(label: string, timeoutMs: number): Error {
  return err(UserError, '%s: the query sent no rows within the timeout (%s s) and was cancelled.', label, timeoutMs / 1000);
}
