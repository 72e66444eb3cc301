import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { services as defaultServices } from '../adapters/services.ts';
import { isLinkToken, verifyLink } from '../core/notebook-link.ts';
import type { Principal, Services } from '../core/ports.ts';
import type { AuthorizerContext } from '../http/auth.ts';
import { log } from '../http/log.ts';
import { bearerToken, hashToken } from './token.ts';

interface AuthorizerResult {
  isAuthorized: boolean;
  context: AuthorizerContext;
}

const CACHE_TTL_MS = 60_000;
const cache = new Map<string, { principal: Principal | undefined; at: number }>();

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

async function resolve(services: Services, hash: string): Promise<Principal | undefined> {
  const hit = cache.get(hash);
  if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.principal;
  const principal = await services.tenancy.resolveToken(hash);
  if (cache.size > 10_000) cache.clear();
  cache.set(hash, { principal, at: Date.now() });
  return principal;
}

/**
 * The Lambda authorizer (HTTP API, simple responses). It resolves the bearer token to a
 * principal and hands it to the route as context. It never denies: API Gateway would turn
 * a deny into a bare 403, while the contract wants 401 in its own error shape, so the
 * route's first middleware rejects requests without a principal.
 */
export function createAuthorizer(getServices: () => Services = defaultServices) {
  return async (event: APIGatewayRequestAuthorizerEventV2): Promise<AuthorizerResult> => {
    const headers = event.headers ?? {};
    const authorization = headers.authorization ?? headers.Authorization;
    const token = bearerToken(authorization);
    if (!token) return { isAuthorized: true, context: {} };
    const principal = isLinkToken(token)
      ? await resolveLink(getServices(), token)
      : await resolve(getServices(), hashToken(token));
    if (!principal) {
      log('warn', 'unknown or revoked token', { route: event.routeKey });
      return { isAuthorized: true, context: {} };
    }
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

export const handler = createAuthorizer();
