import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { AUTH_CACHE_SECONDS, createAuthorizer } from '../../functions/auth/authorizer.ts';
import { bearerToken, hashToken, newToken } from '../../functions/auth/token.ts';
import type { Principal, Services } from '../../functions/core/ports.ts';

function authorizerWith(tokens: Record<string, Principal>) {
  const resolveToken = vi.fn(async (hash: string) => tokens[hash]);
  const services = { tenancy: { resolveToken } } as unknown as Services;
  return { authorize: createAuthorizer(() => services), resolveToken };
}

const event = (authorization?: string) =>
  ({
    headers: authorization ? { authorization } : {},
    routeKey: 'GET /x',
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

describe('authorizer', () => {
  it('passes the principal of a known token to the route and looks tokens up by hash only', async () => {
    const token = newToken();
    const { authorize, resolveToken } = authorizerWith({
      [hashToken(token)]: { tokenId: 'tok', tenantId: 'ten', projectIds: ['p1', 'p2'] },
    });
    const result = await authorize(event(`Bearer ${token}`));
    expect(result).toEqual({
      isAuthorized: true,
      context: { tenantId: 'ten', tokenId: 'tok', projectIds: 'p1,p2' },
    });
    expect(resolveToken).toHaveBeenCalledWith(hashToken(token));
    expect(JSON.stringify(resolveToken.mock.calls)).not.toContain(token);
  });

  it('denies a missing, malformed or unknown token, so no route Lambda runs for it', async () => {
    const { authorize } = authorizerWith({});
    for (const header of [undefined, 'Bearer cw_unknown-token-value', 'Token abc', 'Bearer a b']) {
      expect(await authorize(event(header)), String(header)).toEqual({ isAuthorized: false, context: {} });
    }
  });

  it('denies a revoked token within AUTH_CACHE_SECONDS, however often it was allowed before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const token = newToken();
      const tokens: Record<string, Principal> = {
        [hashToken(token)]: { tokenId: 'tok', tenantId: 'ten', projectIds: null },
      };
      const { authorize, resolveToken } = authorizerWith(tokens);
      expect((await authorize(event(`Bearer ${token}`))).isAuthorized).toBe(true);
      delete tokens[hashToken(token)]; // revoked: the store no longer resolves it
      // Within the cache the container still trusts its lookup (one lookup so far)...
      expect((await authorize(event(`Bearer ${token}`))).isAuthorized).toBe(true);
      expect(resolveToken).toHaveBeenCalledTimes(1);
      // ...and no longer once it has expired.
      vi.advanceTimersByTime(AUTH_CACHE_SECONDS * 1000 + 1);
      expect(await authorize(event(`Bearer ${token}`))).toEqual({ isAuthorized: false, context: {} });
      expect(resolveToken).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('parses bearer tokens strictly', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
