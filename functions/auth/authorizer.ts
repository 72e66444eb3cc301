import middy from '@middy/core';
import type { APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import { services as defaultServices } from '../adapters/services.ts';
import { isLinkToken, verifyLink } from '../core/notebook-link.ts';
import type { Principal, Services } from '../core/ports.ts';
import type { AuthorizerContext } from '../http/auth.ts';
import { correlate, log } from '../observability/logger.ts';
import { observability } from '../observability/middlewares.ts';
import { bearerToken, hashToken } from './token.ts';

/** The simple response of an HTTP API Lambda authorizer (payload 2.0). */
export interface AuthorizerResult {
  isAuthorized: boolean;
  context: AuthorizerContext;
}

/**
 * How long one authorizer container trusts a token lookup (allowed or refused): the most a
 * revoked token keeps working (`npm run admin -- revoke-token`). API Gateway's own cache is
 * off, so revocation is never slower than this.
 */
export const AUTH_CACHE_SECONDS = 5;

const cache = new Map<string, { principal: Promise<Principal | undefined>; at: number }>();

/** A signed notebook link resolves to a principal limited to that notebook (checked on every request: links expire). */
async function resolveLink(services: Services, token: string): Promise<Principal | undefined> {
  const claims = verifyLink(await services.linkSigningKey(), token, services.now());
  if (!claims) return undefined;
  return {
    tokenId: `link:${claims.notebookId}`,
    tenantId: claims.tenantId,
    projectIds: [claims.projectId],
    notebookId: claims.notebookId,
  };
}

/**
 * The principal of a token hash, looked up at most once per AUTH_CACHE_SECONDS per container;
 * requests that arrive together with the same token share the one lookup in flight (a failed
 * lookup is not kept).
 */
async function resolve(services: Services, hash: string): Promise<Principal | undefined> {
  const hit = cache.get(hash);
  if (hit && Date.now() - hit.at < AUTH_CACHE_SECONDS * 1000) return hit.principal;
  const principal = services.tenancy.resolveToken(hash);
  if (cache.size > 10_000) cache.clear();
  cache.set(hash, { principal, at: Date.now() });
  try {
    return await principal;
  } catch (error) {
    if (cache.get(hash)?.principal === principal) cache.delete(hash);
    throw error;
  }
}

const DENY: AuthorizerResult = { isAuthorized: false, context: {} };

/**
 * The Lambda authorizer (HTTP API, simple responses). It resolves the bearer token (an API
 * token, by its hash, or a signed notebook link) to a principal and hands it to the route as
 * context. A malformed, unknown, revoked or expired token is denied here, so no route
 * Lambda runs for it: API Gateway answers `403 {"message":"Forbidden"}` (and, before this
 * function runs at all, `401 {"message":"Unauthorized"}` to a request without an
 * Authorization header, the authorizer's identity source). Both bodies are API Gateway's:
 * an HTTP API cannot put the contract's error shape on them.
 */
export function createAuthorizer(getServices: () => Services = defaultServices) {
  return async (event: APIGatewayRequestAuthorizerEventV2): Promise<AuthorizerResult> => {
    correlate({ route: event.routeKey, apiRequestId: event.requestContext?.requestId });
    const headers = event.headers ?? {};
    const token = bearerToken(headers.authorization ?? headers.Authorization);
    if (!token) {
      log('info', 'denied: no bearer token');
      return DENY;
    }
    const principal = isLinkToken(token)
      ? await resolveLink(getServices(), token)
      : await resolve(getServices(), hashToken(token));
    if (!principal) {
      log('warn', 'denied: unknown, revoked or expired token');
      return DENY;
    }
    correlate({ tenantId: principal.tenantId, tokenId: principal.tokenId });
    return {
      isAuthorized: true,
      context: {
        tenantId: principal.tenantId,
        tokenId: principal.tokenId,
        projectIds: principal.projectIds ? principal.projectIds.join(',') : '*',
        ...(principal.notebookId ? { notebookId: principal.notebookId } : {}),
      },
    };
  };
}

/** The authorizer behind the same Powertools middlewares as every other Lambda. */
export const handler = middy<APIGatewayRequestAuthorizerEventV2, AuthorizerResult, Error, Context>()
  .use(observability())
  .handler(createAuthorizer());
