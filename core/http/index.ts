/**
 * The HTTP layer's public surface: the server, RPC dispatch, progress reporting, the addon
 * seam (controllers, services, CLI commands) and what controllers need to write routes.
 */
export { startHttpServer, createKoaApp, type HttpServer, type HttpServerOptions } from './server.ts';
export { HttpServices, type HttpServicesOptions } from './services.ts';
export { callKw, toWire, isReadonlyCall } from './rpc/call-kw.ts';
export { reportProgress, readProgress, finishProgress, type ProgressState } from './progress.ts';
export { SessionExpired, BadRequest, RequestTooLarge, NotFound, toJsonRpcError, toXmlRpcFault, exposeError, httpStatusOf } from './rpc/errors.ts';
export { SERVER_VERSION, VERSION_INFO } from './rpc/services.ts';
export { jsonRoute, type JsonRequest } from './routes/json.ts';
export { readBody, parseForm } from './body.ts';
export { csrfMatches, type Session } from './session.ts';
export {
  addonControllers, addonServices, startAddonServices, collectCommands,
  type Controller, type Service, type ServiceContext, type RunningService, type CliCommand, type AddonSeam,
} from './seam.ts';
