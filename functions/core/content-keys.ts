import type { Scope } from './notebook.ts';

/** Object-storage layout. Every key starts with the tenant and project, so a prefix never spans tenants. */
export function notebookPrefix(scope: Scope, notebookId: string): string {
  return `tenants/${scope.tenantId}/projects/${scope.projectId}/notebooks/${notebookId}/`;
}

/** Each content revision gets its own key, so concurrent writers never overwrite each other's object. */
export function revisionKey(scope: Scope, notebookId: string, revisionId: string): string {
  return `${notebookPrefix(scope, notebookId)}revisions/${revisionId}.ipynb`;
}

/** Everything of one run: its prepared input, per-cell outputs, executed notebook, report and files. */
export function runPrefix(scope: Scope, notebookId: string, executionId: string): string {
  return `${notebookPrefix(scope, notebookId)}runs/${executionId}/`;
}

/** The keys of one run's objects (see `runPrefix`). */
export function runKeys(scope: Scope, notebookId: string, executionId: string) {
  const prefix = runPrefix(scope, notebookId, executionId);
  return {
    input: `${prefix}input.ipynb`,
    cellOutputs: (position: number) => `${prefix}cells/${position}.json`,
    partialOutputs: (position: number) => `${prefix}cells/${position}.partial.json`,
    executed: `${prefix}executed.ipynb`,
    report: `${prefix}report.html`,
    file: (position: number, output: number, extension: string) =>
      `${prefix}files/${position}-${output}.${extension}`,
    /** A frame or model the run published through the SDK (`frame-<name>.csv`, `model-<name>.pkl`). */
    published: (fileName: string) => `${prefix}published/${fileName}`,
  };
}
