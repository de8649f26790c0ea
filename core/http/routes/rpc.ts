/**
 * The External API endpoints: `/xmlrpc/2/<service>` (integer fault codes),
 * `/xmlrpc/<service>` (Odoo's historical string fault codes) and `/jsonrpc`. Each one:
 * parse → RpcServices.dispatch → serialise; errors become faults / JSON-RPC errors.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { readBody } from '../body.ts';
import { BadRequest, RequestTooLarge, toXmlRpcFault, toXmlRpcFaultString } from '../rpc/errors.ts';
import { parseMethodCall, serializeFault, serializeResponse, XmlRpcParseError } from '../rpc/xml-rpc.ts';
import type { HttpServices } from '../services.ts';
import { jsonRoute } from './json.ts';

function xmlRpcHandler(http: HttpServices, style: 'int' | 'string') {
  return async (ctx: Context) => {
    const service = ctx.params.service as string;
    ctx.type = 'text/xml';
    let method = '?';
    try {
      const body = await readBody(ctx, http.limitBytes);
      let call;
      try {
        call = parseMethodCall(body.toString('utf8'));
      } catch (err) {
        if (err instanceof XmlRpcParseError) throw new BadRequest(`Invalid XML-RPC request: ${err.message}`);
        throw err;
      }
      method = call.method;
      const result = await http.rpc.dispatch(service, call.method, call.params, { addr: http.remoteAddr(ctx) });
      ctx.status = 200;
      ctx.body = serializeResponse(result);
    } catch (err) {
      const where = `XML-RPC ${service}.${method}`;
      const fault = style === 'int' ? toXmlRpcFault(err, undefined, where) : toXmlRpcFaultString(err, undefined, where);
      ctx.status = err instanceof RequestTooLarge ? 413 : 200;
      ctx.body = serializeFault(fault);
    }
  };
}

export function rpcRoutes(router: Router, http: HttpServices): void {
  router.post('/xmlrpc/2/:service', xmlRpcHandler(http, 'int'));
  router.post('/xmlrpc/:service', xmlRpcHandler(http, 'string'));
  router.post('/jsonrpc', jsonRoute(http, 'none', async ({ params, ctx }) => {
    const { service, method, args } = params;
    return http.rpc.dispatch(service, method, args, { addr: http.remoteAddr(ctx) });
  }));
}
