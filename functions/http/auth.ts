import { NotFoundError, UnauthorizedError } from '../core/errors.ts';
import type { Principal, Services } from '../core/ports.ts';

/** The context the Lambda authorizer hands to every route (strings only, as API Gateway requires). */
export interface AuthorizerContext {
  tenantId?: string;
  tokenId?: string;
  /** `*` for every project of the tenant, else a comma-separated list. */
  projectIds?: string;
  /** Set for a signed notebook link (read-only, this notebook's GET routes only). */
  notebookId?: string;
}

export function principalFrom(context: AuthorizerContext | undefined): Principal {
  if (!context?.tenantId || !context.tokenId) {
    throw new UnauthorizedError('A valid bearer token is required (Authorization: Bearer <token>)');
  }
  return {
    tokenId: context.tokenId,
    tenantId: context.tenantId,
    projectIds: !context.projectIds || context.projectIds === '*' ? null : context.projectIds.split(','),
    ...(context.notebookId ? { notebookId: context.notebookId } : {}),
  };
}

/** Routes a signed link may not use although they read its notebook (a link cannot mint links). */
const NOT_FOR_LINKS = new Set(['getNotebookUrl']);

/**
 * A signed notebook link reads its one notebook: GET routes whose path names that notebook.
 * Another notebook (or a route naming none) is a 404 like any resource out of scope; a write is a 401.
 */
export function assertLinkScope(
  principal: Principal,
  routeId: string,
  method: string,
  params: { notebookId?: unknown },
) {
  if (!principal.notebookId) return;
  if (method !== 'GET' || NOT_FOR_LINKS.has(routeId)) {
    throw new UnauthorizedError('A notebook link is read-only: this route needs an API token');
  }
  if (params.notebookId !== principal.notebookId) {
    throw new NotFoundError('Notebook', { NotebookId: params.notebookId ?? null });
  }
}

const PROJECT_TTL_MS = 60_000;
const knownProjects = new Map<string, number>();

/**
 * The caller may see this tenant and project. Anything else is a 404 that does not say
 * whether the tenant or project exists.
 */
export async function assertScope(
  services: Services,
  principal: Principal,
  tenantId: string,
  projectId: string,
) {
  const hidden = () => new NotFoundError('Project', { ProjectId: projectId });
  if (principal.tenantId !== tenantId) throw hidden();
  if (principal.projectIds && !principal.projectIds.includes(projectId)) throw hidden();
  const key = `${tenantId}/${projectId}`;
  const seen = knownProjects.get(key);
  if (seen !== undefined && Date.now() - seen < PROJECT_TTL_MS) return;
  if (!(await services.tenancy.projectExists({ tenantId, projectId }))) throw hidden();
  knownProjects.set(key, Date.now());
}
