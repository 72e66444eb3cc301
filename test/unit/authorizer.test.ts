import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createAuthorizer } from '../../functions/auth/authorizer.ts';
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

  it('hands an empty context to the route (which answers 401) for missing or unknown tokens', async () => {
    const { authorize } = authorizerWith({});
    expect((await authorize(event())).context).toEqual({});
    expect((await authorize(event('Bearer cw_unknown-token-value'))).context).toEqual({});
    expect((await authorize(event('Token abc'))).context).toEqual({});
  });

  it('parses bearer tokens strictly', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
