import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  Context,
} from 'aws-lambda';
import { log } from '../functions/observability/logger.ts';
import { AUTHORIZER_ENTRY, ROUTES } from '../infra/routes.ts';
import { lambdaContext, toAuthorizerEvent, toHttpApiEvent } from './api-gateway-event.ts';
import { invokeLocally } from './lambda-runtime.ts';
import { Router } from './router.ts';

type RouteHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2 | string>;
type Authorizer = (
  event: APIGatewayRequestAuthorizerEventV2,
  context: Context,
) => Promise<{ isAuthorized: boolean; context?: object }>;

/** API Gateway's own payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

async function load<T>(root: URL, entry: string): Promise<T> {
  const module = await import(new URL(entry, root).href);
  if (typeof module.handler !== 'function') throw new Error(`${entry} exports no handler`);
  return module.handler as T;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** What the gateway serves beside the manifest's routes (the local stack's own). */
export interface GatewayOptions {
  /**
   * `GET /local/diagnostics[?reset=1]`: the event loop, GC and CPU of the stack's processes
   * since the last reset (the benchmark reads it around each measurement).
   */
  diagnostics?: (reset: boolean) => Promise<unknown>;
  /**
   * `GET /local/profile?ms=N[&process=functions]`: a CPU profile (.cpuprofile JSON) of this
   * process (or of the functions host) over the next N ms.
   */
  profile?: (ms: number, process: string) => Promise<unknown>;
}

/**
 * The local stand-in for API Gateway: routes with the manifest, runs the Lambda authorizer,
 * builds the same payload-2.0 event and calls the same handler module Lambda would run.
 * Authorization as the deployed API does it: a route with the authorizer and no
 * Authorization header (its identity source) is `401 {"message":"Unauthorized"}` without
 * calling anything; an authorizer's deny is `403 {"message":"Forbidden"}`.
 */
export async function startGateway(
  port: number,
  host = '127.0.0.1',
  options: GatewayOptions = {},
): Promise<{ server: Server; port: number }> {
  const root = pathToFileURL(`${new URL('..', import.meta.url).pathname}`);
  const router = new Router(ROUTES);
  const handlers = new Map<string, RouteHandler>();
  for (const route of ROUTES) handlers.set(route.id, await load<RouteHandler>(root, route.entry));
  const authorizer = await load<Authorizer>(root, AUTHORIZER_ENTRY);
  const accessLog = process.env.CELLWISE_ACCESS_LOG === '1';
  // Like the deployed stage's throttling: past this many requests in flight, answer 429
  // at once instead of queueing work nobody may wait for.
  const maxInFlight = Number(process.env.CELLWISE_MAX_IN_FLIGHT ?? 256);
  let inFlight = 0;

  const server = createServer(async (req, res) => {
    const started = performance.now();
    if (inFlight >= maxInFlight) {
      send(res, 429, JSON.stringify({ message: 'Too Many Requests' }), { 'retry-after': '1' });
      return;
    }
    inFlight++;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/local/diagnostics' && options.diagnostics) {
        return send(
          res,
          200,
          JSON.stringify(await options.diagnostics(url.searchParams.get('reset') === '1')),
        );
      }
      if (url.pathname === '/local/profile' && options.profile) {
        const ms = Math.min(60_000, Math.max(1, Number(url.searchParams.get('ms') ?? 1000)));
        const which = url.searchParams.get('process') ?? 'api';
        return send(res, 200, JSON.stringify(await options.profile(ms, which)));
      }
      const match = router.match(req.method ?? 'GET', url.pathname);
      const body = await readBody(req);
      if (!match) return send(res, 404, JSON.stringify({ message: 'Not Found' }));
      if (body === null) return send(res, 413, JSON.stringify({ message: 'Request Entity Too Large' }));
      const event = toHttpApiEvent(req, url, match.route, match.pathParameters, body);
      if (match.route.auth) {
        if (!req.headers.authorization)
          return send(res, 401, JSON.stringify({ message: 'Unauthorized' }), {
            'www-authenticate': 'Bearer',
          });
        const decision = await invokeLocally(
          authorizer,
          toAuthorizerEvent(event),
          lambdaContext('Authorizer', 10, randomUUID()),
        );
        if (!decision.isAuthorized) return send(res, 403, JSON.stringify({ message: 'Forbidden' }));
        (event.requestContext as unknown as { authorizer: object }).authorizer = {
          lambda: decision.context ?? {},
        };
      }
      if (req.socket.destroyed) return; // the client gave up while the body arrived
      const handler = handlers.get(match.route.id)!;
      const context = lambdaContext(match.route.id, match.route.timeoutSeconds ?? 29, randomUUID());
      const result = await invokeLocally(handler, event, context);
      const structured = typeof result === 'string' ? { statusCode: 200, body: result } : result;
      const payload = structured.isBase64Encoded
        ? Buffer.from(structured.body ?? '', 'base64')
        : Buffer.from(structured.body ?? '', 'utf8');
      res.writeHead(structured.statusCode ?? 200, {
        ...(structured.headers as Record<string, string>),
        'content-length': String(payload.length),
        'apigw-requestid': event.requestContext.requestId,
      });
      res.end(payload);
    } catch (error) {
      log('error', 'gateway failure', { error });
      if (!res.headersSent) send(res, 500, JSON.stringify({ message: 'Internal Server Error' }));
    } finally {
      inFlight--;
      if (accessLog)
        console.log(
          `${req.method} ${req.url} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms`,
        );
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { server, port: (server.address() as { port: number }).port };
}
