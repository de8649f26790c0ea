import { err, UserError, ValidationError } from '../../../core/errors.ts';
import { fields, model, type Vals } from '../../../core/orm/index.ts';
import type { Environment } from '../../../core/orm/index.ts';
import { CONNECTOR_SELECTION, CONNECTORS, type ConnectorName } from '../connectors/index.ts';
import { driverMessage } from '../errors.ts';
import { closeSourcePools } from '../pools.ts';
import { checkSourceAccess, executeQuery, PASSWORD_COLUMN, pingSource, SOURCE_TABLE } from '../query.ts';
import { encryptSecret, secretKeyFor } from '../secret.ts';
import { _t } from '../../../core/i18n/index.ts';

const TLS_MODES = [
  ['disable', 'Disabled'],
  ['require', 'Required, certificate not checked'],
  ['verify', 'Required, certificate verified'],
] as const;

export const CONN_STRING_HELP = 'Where %s stands, the password is put in. Examples — PostgreSQL: host=127.0.0.1 port=5432 dbname=zammad user=zammad password=%s (or postgres://zammad:%s@127.0.0.1:5432/zammad); MySQL / MariaDB: host=127.0.0.1 port=3306 dbname=shop user=reader password=%s (or mysql://reader:%s@127.0.0.1:3306/shop); SQL Server: Server=127.0.0.1,1433;Database=erp;UID=reader;PWD=%s; SQLite: the path of the database file, e.g. /var/lib/app/data.sqlite3';
const MAX_TIMEOUT_S = 3600;

/** Settings that change how the source is reached: writing one of them closes the pool. */
const CONNECTION_FIELDS = ['connector', 'conn_string', 'password', 'tls_mode', 'tls_ca', 'timeout'];

/** Whether each source has a stored password (the password itself never leaves the server). */
async function computePasswordSet(records: { env: Environment; ids: number[] }): Promise<Map<number, unknown>> {
  const rows = await records.env.cr(SOURCE_TABLE).whereIn('id', records.ids).select('id', records.env.cr.raw(`(${PASSWORD_COLUMN} IS NOT NULL) AS is_set`));
  return new Map(rows.map((r: any) => [Number(r.id), !!r.is_set]));
}

/**
 * An external database (OCA's base_external_dbsource): where it is, how to log in, how long a
 * query may take. Its password is write-only: stored encrypted in a column that is no field,
 * `password` always reads empty and `password_set` says whether one is stored.
 */
export const BaseExternalDbsource = model((Base) => class extends Base {
  static _name = 'base.external.dbsource';
  static _description = 'External Database Source';
  static _order = 'name';
  static fields = {
    name: fields.char({ string: 'Datasource name', required: true, index: true }),
    connector: fields.selection(CONNECTOR_SELECTION, { string: 'Connector', required: true, default: 'postgresql' }),
    conn_string: fields.text({ string: 'Connection string', required: true, help: CONN_STRING_HELP }),
    password: fields.char({ string: 'Password', copy: false, help: 'Write-only: stored encrypted and never shown again. Leave empty to keep the stored one.' }),
    password_set: fields.boolean({ string: 'Password stored', compute: computePasswordSet as any }),
    tls_mode: fields.selection(TLS_MODES, { string: 'TLS', required: true, default: 'disable', help: 'Encrypt the connection. Ignored for SQLite. For SQL Server, Disabled still lets the server ask for encryption of the login.' }),
    tls_ca: fields.text({ string: 'TLS certificate authority', help: 'PEM certificate(s) of the authority that signed the server certificate, used when the certificate is verified. Empty = the system authorities.' }),
    timeout: fields.integer({ string: 'Timeout (seconds)', required: true, default: 30, help: 'Longest wait for a connection and for each query; a longer query is cancelled.' }),
  };
  static _rpc = {
    connection_test: { kind: 'records' as const, params: [] },
    execute: { kind: 'records' as const, params: ['query', 'params', 'metadata'] },
  };

  /** Checks the values that can be checked without connecting; throws a clear error. */
  _validateSettings(vals: Vals): void {
    if ('timeout' in vals) {
      const t = Number(vals.timeout);
      if (!Number.isInteger(t) || t < 1 || t > MAX_TIMEOUT_S) throw err(ValidationError, 'The timeout must be between 1 and %s seconds, not %s.', MAX_TIMEOUT_S, String(vals.timeout));
    }
    if ('password' in vals && vals.password !== false && vals.password !== null && typeof vals.password !== 'string') {
      throw err(ValidationError, 'The password must be a text.');
    }
  }

  /** Parses the connection string for the connector (after create/write), so a bad one is refused before it is stored. */
  async _checkConnStrings(): Promise<void> {
    const rows = await this.env.cr(SOURCE_TABLE).whereIn('id', this.ids).select('name', 'connector', 'conn_string', 'tls_mode', 'tls_ca', 'timeout');
    for (const r of rows) {
      const connector = CONNECTORS[r.connector as ConnectorName];
      try {
        connector.validate({ connString: r.conn_string ?? '', password: 'x', tlsMode: r.tls_mode, tlsCa: r.tls_ca ?? '', timeoutMs: Number(r.timeout) * 1000 });
      } catch (e) {
        throw err(ValidationError, "Database source '%s': %s", r.name, driverMessage(e));
      }
    }
  }

  async _storePassword(ids: number[], password: unknown): Promise<void> {
    const value = typeof password === 'string' && password ? encryptSecret(secretKeyFor(this.env.registry), password) : null;
    await this.env.cr(SOURCE_TABLE).whereIn('id', ids).update({ [PASSWORD_COLUMN]: value, password: null });
  }

  async create(valsList: Vals | Vals[]) {
    const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => ({ ...v }));
    const passwords = list.map((vals) => {
      this._validateSettings(vals);
      const p = vals.password;
      delete vals.password;
      return p;
    });
    const created = await super.create(list);
    for (const [i, id] of created.ids.entries()) if (passwords[i]) await this._storePassword([id], passwords[i]);
    await created._checkConnStrings();
    return created;
  }

  async write(vals: Vals) {
    const v = { ...vals };
    this._validateSettings(v);
    const hasPassword = 'password' in v;
    const password = v.password;
    delete v.password;
    // An empty password (a form saved without typing one) keeps the stored one.
    if (hasPassword) await this.check_access_rights('write');
    const res = Object.keys(v).length || !hasPassword ? await super.write(v) : true;
    if (hasPassword && password) {
      await this.checkAccessRule('write');
      await this._storePassword(this.ids, password);
    }
    if (CONNECTION_FIELDS.some((f) => f in vals)) {
      await this._checkConnStrings();
      closeSourcePools(this.env.registry, this.ids);
    }
    return res;
  }

  async unlink() {
    const ids = [...this.ids];
    const res = await super.unlink();
    closeSourcePools(this.env.registry, ids);
    return res;
  }

  async read(fieldNames?: string[] | null) {
    const rows = await super.read(fieldNames);
    for (const r of rows) if ('password' in r) r.password = false;
    return rows;
  }

  async search_read(domain: unknown[] = [], fieldNames: string[] | null = null, offset = 0, limit: number | null = null, order: string | null = null) {
    const rows = await super.search_read(domain, fieldNames, offset, limit, order);
    for (const r of rows) if ('password' in r) r.password = false;
    return rows;
  }

  /** "Test Connection": Odoo's notification client action, success or the driver's message. */
  async connection_test(): Promise<Record<string, unknown>> {
    this.ensureOne();
    await checkSourceAccess(this.env);
    const [rec] = await this.read(['name']);
    try {
      await pingSource(this.env, this.ids[0]);
      return notification('success', _t(this.env, 'Connection Test Succeeded!'), _t(this.env, 'Everything seems properly set up!'), false);
    } catch (e) {
      const message = e instanceof UserError ? e.localized((t) => _t(this.env, t)) : driverMessage(e);
      return notification('danger', _t(this.env, 'Connection Test Failed! (%s)', rec.name), message, true);
    }
  }

  /**
   * OCA's execute(query, params=None, metadata=False): the rows, or with metadata
   * `{cols, rows}`. Settings administrators only; read-only on the source.
   */
  async execute(query: string, params: unknown = null, metadata: unknown = false): Promise<unknown> {
    this.ensureOne();
    await checkSourceAccess(this.env);
    if (params !== null && params !== undefined && params !== false && typeof params !== 'object') {
      throw err(ValidationError, 'Query parameters must be a list or a dictionary, not %s.', JSON.stringify(params));
    }
    const result = await executeQuery(this.env, this.ids[0], query, params === false ? null : (params as Record<string, unknown> | unknown[] | null));
    return metadata ? result : result.rows;
  }
});

function notification(type: 'success' | 'danger', title: string, message: string, sticky: boolean): Record<string, unknown> {
  return { type: 'ir.actions.client', tag: 'display_notification', params: { type, title, message, sticky } };
}

/** Adds the encrypted password's column, which is deliberately not a field. */
export async function addPasswordColumn(env: Environment): Promise<void> {
  await env.cr.raw(`ALTER TABLE ${SOURCE_TABLE} ADD COLUMN IF NOT EXISTS ${PASSWORD_COLUMN} text`);
}
