/** The HTTP layer's public surface: the server, RPC dispatch and progress reporting. */
export { startHttpServer, createKoaApp, type HttpServer, type HttpServerOptions } from './server.ts';
export { callKw, toWire } from './rpc/call-kw.ts';
export { reportProgress, readProgress, finishProgress, type ProgressState } from './progress.ts';
export { SessionExpired, BadRequest, RequestTooLarge, NotFound, toJsonRpcError, toXmlRpcFault } from './rpc/errors.ts';
export { SERVER_VERSION } from './rpc/services.ts';
