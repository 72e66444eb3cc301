import type { Scope } from './notebook.ts';

/** Object-storage layout. Every key starts with the tenant and project, so a prefix never spans tenants. */
export function notebookPrefix(scope: Scope, notebookId: string): string {
  return `tenants/${scope.tenantId}/projects/${scope.projectId}/notebooks/${notebookId}/`;
}

/** Each content revision gets its own key, so concurrent writers never overwrite each other's object. */
export function revisionKey(scope: Scope, notebookId: string, revisionId: string): string {
  return `${notebookPrefix(scope, notebookId)}revisions/${revisionId}.ipynb`;
}
