import { NotFoundError, ValidationError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Principal, RunQueue, TenancyStore } from '../ports.ts';

/** Hashing lives with the token format (functions/auth/token.ts); core only receives the function. */
export interface TokenTools {
  newToken(): string;
  hashToken(token: string): string;
}

/** Creates (or re-creates, idempotently) a tenant. */
export async function createTenant(tenancy: TenancyStore, input: { tenantId?: string; name: string }) {
  const tenantId = (input.tenantId ?? newId()).toLowerCase();
  await tenancy.putTenant(tenantId, input.name);
  return { tenantId, name: input.name };
}

/** Creates (or re-creates, idempotently) a project of a tenant. */
export async function createProject(
  tenancy: TenancyStore,
  input: { tenantId: string; projectId?: string; name: string },
) {
  const scope = {
    tenantId: input.tenantId.toLowerCase(),
    projectId: (input.projectId ?? newId()).toLowerCase(),
  };
  await tenancy.putProject(scope, input.name);
  return { ...scope, name: input.name };
}

/**
 * Issues an API token for a tenant, optionally limited to some projects. The plain token is
 * returned once; only its hash is stored. `token` lets an operator pin a known value.
 */
export async function createToken(
  tenancy: TenancyStore,
  tools: TokenTools,
  input: { tenantId: string; projectIds?: string[] | null; label: string; token?: string },
) {
  const token = input.token ?? tools.newToken();
  const principal: Principal = {
    tokenId: newId(),
    tenantId: input.tenantId.toLowerCase(),
    projectIds: input.projectIds?.length ? input.projectIds.map((p) => p.toLowerCase()) : null,
  };
  await tenancy.putToken(tools.hashToken(token), principal, input.label);
  return { token, ...principal };
}

/**
 * Revokes an API token (given as the token itself: only its hash is looked up). The
 * authorizer refuses it from then on, within its short cache (`AUTH_CACHE_SECONDS`).
 * Rotating a token is `createToken`, move the clients, then this.
 */
export async function revokeToken(tenancy: TenancyStore, tools: TokenTools, input: { token: string }) {
  const principal = await tenancy.revokeToken(tools.hashToken(input.token.trim()));
  if (!principal) throw new NotFoundError('Token', {});
  return { revoked: true, tokenId: principal.tokenId, tenantId: principal.tenantId };
}

/**
 * Sets a tenant's own run limits (concurrency, queue ageing); null clears one, so the
 * deployment's default applies again.
 */
export async function setRunLimits(
  queue: RunQueue,
  input: { tenantId: string; maxConcurrentRuns?: number | null; queueAgingSeconds?: number | null },
) {
  for (const [name, value] of Object.entries({
    maxConcurrentRuns: input.maxConcurrentRuns,
    queueAgingSeconds: input.queueAgingSeconds,
  })) {
    if (value !== undefined && value !== null && (!Number.isInteger(value) || value < 1 || value > 10_000)) {
      throw new ValidationError(`${name} must be a whole number from 1 to 10000`, [
        { path: name, message: 'must be a whole number from 1 to 10000' },
      ]);
    }
  }
  const tenantId = input.tenantId.toLowerCase();
  await queue.setLimits(tenantId, {
    maxConcurrentRuns: input.maxConcurrentRuns,
    queueAgingSeconds: input.queueAgingSeconds,
  });
  return { tenantId, ...(await queue.slots(tenantId)).limits };
}
