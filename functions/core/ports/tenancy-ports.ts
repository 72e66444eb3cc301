import type { Scope } from '../notebook.ts';

/** Ports of tenants, projects and API tokens. */

/** A resolved API token: who is calling and what they may see. */
export interface Principal {
  tokenId: string;
  tenantId: string;
  /** Projects the token is limited to; null means every project of the tenant. */
  projectIds: string[] | null;
  /** Set for a signed notebook link: read-only access to this one notebook (GET routes only). */
  notebookId?: string;
}

/** Tenants, projects and API tokens (tokens are stored as SHA-256 hashes only). */
export interface TenancyStore {
  resolveToken(tokenHash: string): Promise<Principal | undefined>;
  projectExists(scope: Scope): Promise<boolean>;
  putTenant(tenantId: string, name: string): Promise<void>;
  putProject(scope: Scope, name: string): Promise<void>;
  putToken(tokenHash: string, principal: Principal, label: string): Promise<void>;
  /** Marks the token revoked (it never resolves again); the principal it was, or undefined for an unknown token. */
  revokeToken(tokenHash: string): Promise<Principal | undefined>;
}
