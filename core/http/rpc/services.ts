/**
 * Odoo's RPC services, shared by `/xmlrpc/2/<service>`, `/xmlrpc/<service>` and `/jsonrpc`:
 *
 *   common: version(), login(db, login, password), authenticate(db, login, password, env)
 *   object: execute_kw(db, uid, password, model, method, args, kwargs?),
 *           execute(db, uid, password, model, method, *args)
 *   db:     list(), server_version(), db_exist(name); management methods are refused
 *
 * `login`/`authenticate` answer `false` for a wrong password, as Odoo does; a throttled
 * login is an AccessDenied with the wait time. Each `execute_kw` runs in one transaction
 * as the user, rolled back on error.
 */
import type { App } from '../../app.ts';
import { AccessDenied, UserError, ValidationError, err } from '../../errors.ts';
import { parseUid, type Authenticator } from '../auth.ts';
import { TooManyLogins } from '../throttle.ts';
import { BadRequest, NotFound } from './errors.ts';
import { callKw, isReadonlyCall } from './call-kw.ts';

/** Version of the Odoo External API this server speaks. */
export const SERVER_VERSION = '17.0';
export const VERSION_INFO = {
  server_version: SERVER_VERSION,
  server_version_info: [17, 0, 0, 'final', 0, ''],
  server_serie: SERVER_VERSION,
  protocol_version: 1,
};

export interface RpcCaller {
  addr?: string;
}

export class RpcServices {
  constructor(private readonly app: App, private readonly auth: Authenticator) {}

  async dispatch(service: unknown, method: unknown, params: unknown, caller: RpcCaller): Promise<unknown> {
    if (typeof method !== 'string') throw new BadRequest(`Invalid method name ${JSON.stringify(method)}`);
    const args = params === undefined || params === null ? [] : params;
    if (!Array.isArray(args)) throw new BadRequest(`The arguments of ${String(service)}.${method} must be a list`);
    switch (service) {
      case 'common': return this.common(method, args, caller);
      case 'object': return this.object(method, args, caller);
      case 'db': return this.db(method, args);
      default: throw new NotFound(`Unknown RPC service '${String(service).slice(0, 40)}': expected common, object or db`);
    }
  }

  private async common(method: string, args: unknown[], caller: RpcCaller): Promise<unknown> {
    switch (method) {
      case 'version': return VERSION_INFO;
      case 'about': return 'See http://openerp.com';
      case 'login':
      case 'authenticate': {
        const [db, login, password] = args;
        this.auth.checkDb(db);
        try {
          return await this.auth.authenticate(login, password, caller.addr);
        } catch (err) {
          if (err instanceof AccessDenied && !(err instanceof TooManyLogins)) return false;
          throw err;
        }
      }
      default: throw err(UserError, "Method '%s' does not exist in service 'common'", method.slice(0, 60));
    }
  }

  private async object(method: string, args: unknown[], caller: RpcCaller): Promise<unknown> {
    if (method !== 'execute_kw' && method !== 'execute') throw err(UserError, "Method '%s' does not exist in service 'object'", method.slice(0, 60));
    const [db, rawUid, password, model, modelMethod] = args;
    this.auth.checkDb(db);
    let callArgs: unknown;
    let kwargs: unknown = {};
    if (method === 'execute_kw') {
      if (args.length < 6 || args.length > 7) throw err(ValidationError, 'execute_kw expects (db, uid, password, model, method, args, kwargs?), got %s arguments', args.length);
      callArgs = args[5];
      kwargs = args[6] ?? {};
    } else {
      callArgs = args.slice(5);
    }
    const uid = parseUid(rawUid);
    await this.auth.checkUidThrottle(caller.addr);
    try {
      return await this.app.withEnv(uid, async (env) => {
        await this.auth.checkCredentials(env, uid, password);
        return callKw(env, model as string, modelMethod as string, callArgs, kwargs);
      }, undefined, { readonly: isReadonlyCall(this.app.registry, model, modelMethod) });
    } catch (err) {
      if (err instanceof AccessDenied) await this.auth.recordUidFailure(caller.addr);
      throw err;
    }
  }

  private async db(method: string, args: unknown[]): Promise<unknown> {
    switch (method) {
      case 'list': return [this.app.config.db_name];
      case 'server_version': return SERVER_VERSION;
      case 'db_exist': return args[0] === this.app.config.db_name;
      case 'list_lang': return [['en_US', 'English (US)'], ['es_ES', 'Spanish / Español']];
      default: throw new AccessDenied(`Database management ('${method.slice(0, 60)}') is not available through the API`);
    }
  }
}
