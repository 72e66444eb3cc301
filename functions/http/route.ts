import middy, { type MiddlewareObj } from '@middy/core';
import type {
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { z } from 'zod';
import { services as defaultServices } from '../adapters/services.ts';
import { ValidationError } from '../core/errors.ts';
import type { Actor, Services } from '../core/ports.ts';
import { correlate, log } from '../observability/logger.ts';
import { observability } from '../observability/middlewares.ts';
import { type AuthorizerContext, assertLinkScope, assertScope, principalFrom } from './auth.ts';
import { bodyBytes, header, jsonBody } from './body.ts';
import type { Infer, RouteContract } from './contract.ts';
import { toErrorResponse } from './error-map.ts';
import { type MultipartForm, parseMultipart } from './multipart.ts';
import { json } from './responses.ts';

export type HttpEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** What a route implementation receives: validated input and the caller. */
export interface RouteInput<C extends RouteContract> {
  params: Infer<C['params']>;
  query: Infer<C['query']>;
  body: C['bodyEncoding'] extends 'multipart' ? MultipartForm : Infer<C['body']>;
  /** The caller, for routes with `auth: true` (scope = the path's tenant and project). */
  actor: Actor;
  services: Services;
  event: HttpEvent;
}

const MULTIPART_OVERHEAD = 256 * 1024;

function parseWith<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new ValidationError(
    `Invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  );
}

/** Maps every error to the contract's error shape; logs unexpected ones (never the request itself). */
const errorResponses = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: (request) => {
    const { statusCode, body } = toErrorResponse(request.error);
    if (statusCode >= 500) log('error', 'unhandled error', { error: request.error });
    request.response = json(statusCode, body);
  },
});

/** One debug line per request, after it is answered: the route, its status and how long it took. */
const requestLog = (): MiddlewareObj<HttpEvent, HttpResult> => {
  const started = new WeakMap<object, number>();
  const done = (request: { event: HttpEvent; response?: HttpResult | null }) => {
    const ms = Date.now() - (started.get(request.event) ?? Date.now());
    log('debug', 'request', { status: request.response?.statusCode ?? null, ms });
  };
  return { before: (request) => void started.set(request.event, Date.now()), after: done, onError: done };
};

/** The path's ids that name what a request is about: correlation keys of its log lines. */
const CORRELATED_PARAMS = [
  'tenantId',
  'projectId',
  'investigationId',
  'notebookId',
  'executionId',
  'datasetId',
  'webhookId',
] as const;

function correlatePath(params: unknown): void {
  if (typeof params !== 'object' || params === null) return;
  const values = params as Record<string, unknown>;
  correlate(
    Object.fromEntries(
      CORRELATED_PARAMS.map((name) => [name, typeof values[name] === 'string' ? values[name] : undefined]),
    ),
  );
}

/**
 * The one place the middy stack of routes is composed. Every route: Powertools' logger
 * context, X-Ray segment and metrics (`observability`); errors → 4xx/5xx in the contract
 * shape; auth (401) → path params (400) → tenant/project scope (404) → query → body. Log
 * lines carry the route, API Gateway's request id and the path's ids once validated.
 */
export function route<C extends RouteContract>(
  contract: C,
  impl: (input: RouteInput<C>) => Promise<HttpResult>,
  getServices: () => Services = defaultServices,
) {
  return middy<HttpEvent, HttpResult, Error, Context>()
    .use(observability())
    .use(requestLog())
    .use(errorResponses())
    .handler(async (event) => {
      correlate({ route: contract.id, apiRequestId: event.requestContext?.requestId });
      const services = getServices();
      const maxBytes = services.maxUploadBytes;
      const principal = contract.auth ? principalFrom(event.requestContext?.authorizer?.lambda) : undefined;
      const params = contract.params
        ? parseWith(contract.params, event.pathParameters ?? {}, 'path')
        : undefined;
      correlatePath(params);
      let actor = undefined as unknown as Actor;
      if (principal) {
        const { tenantId, projectId } = params as { tenantId: string; projectId: string };
        await assertScope(services, principal, tenantId, projectId);
        assertLinkScope(principal, contract.id, event.requestContext?.http?.method ?? '', params as object);
        actor = { tenantId, projectId, principalId: principal.tokenId };
      }
      const query = contract.query
        ? parseWith(contract.query, event.queryStringParameters ?? {}, 'query')
        : undefined;
      let body: unknown;
      if (contract.bodyEncoding === 'multipart') {
        body = await parseMultipart(
          header(event, 'content-type'),
          bodyBytes(event, maxBytes + MULTIPART_OVERHEAD),
          maxBytes,
        );
      } else if (contract.body) {
        body = parseWith(contract.body, jsonBody(event, maxBytes, contract.losslessBody), 'body');
      }
      return impl({ params, query, body, actor, services, event } as RouteInput<C>);
    });
}
