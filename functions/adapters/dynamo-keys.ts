import type { Scope } from '../core/notebook.ts';

/**
 * Single-table layout. Every partition key of tenant data starts with the tenant and
 * project ids, so no query can reach another tenant's rows.
 *
 * | item | pk | sk | gsi1pk / gsi1sk |
 * |---|---|---|---|
 * | notebook | `P#{t}#{p}` | `NB#{notebookId}` (UUIDv7: creation order) | `INV#{t}#{p}#{inv}` / notebookOrder |
 * | name claim | `P#{t}#{p}` | `NAME#{inv}#{lower-case name}` | |
 * | notebook counters | `P#{t}#{p}` | `STATS` | |
 * | investigation | `P#{t}#{p}` | `INV#{investigationId}` | |
 * | default investigation pointer | `P#{t}#{p}` | `DEFAULT_INV` | |
 * | content version | `V#{t}#{p}#{notebookId}` | zero-padded version | |
 * | tenant / project | `T#{t}` | `TENANT` / `PROJECT#{p}` | |
 * | API token | `TOKEN#{sha256}` | `TOKEN` | |
 * | run | `RUNS#{t}#{p}#{notebookId}` | `RUN#{executionId}` (UUIDv7: newest last) | |
 * | cell result of a run | `RUNCELLS#{t}#{p}#{executionId}` | zero-padded plan position | |
 * | active run (reconciler index) | `ACTIVE_RUNS` | `{t}#{p}#{notebookId}#{executionId}` | |
 */
export const keys = {
  project: (s: Scope) => `P#${s.tenantId}#${s.projectId}`,
  notebook: (id: string) => `NB#${id}`,
  investigationIndex: (s: Scope, investigationId: string) =>
    `INV#${s.tenantId}#${s.projectId}#${investigationId}`,
  nameClaim: (investigationId: string, name: string) => `NAME#${investigationId}#${normalizeName(name)}`,
  stats: 'STATS',
  investigation: (id: string) => `INV#${id}`,
  defaultInvestigation: 'DEFAULT_INV',
  versions: (s: Scope, notebookId: string) => `V#${s.tenantId}#${s.projectId}#${notebookId}`,
  tenant: (tenantId: string) => `T#${tenantId}`,
  tenantMeta: 'TENANT',
  projectMeta: (projectId: string) => `PROJECT#${projectId}`,
  token: (hash: string) => `TOKEN#${hash}`,
  tokenMeta: 'TOKEN',
  runs: (s: Scope, notebookId: string) => `RUNS#${s.tenantId}#${s.projectId}#${notebookId}`,
  run: (executionId: string) => `RUN#${executionId}`,
  runCells: (s: Scope, executionId: string) => `RUNCELLS#${s.tenantId}#${s.projectId}#${executionId}`,
  cellPosition: (position: number) => String(position).padStart(8, '0'),
  activeRuns: 'ACTIVE_RUNS',
  activeRun: (s: Scope, notebookId: string, executionId: string) =>
    `${s.tenantId}#${s.projectId}#${notebookId}#${executionId}`,
} as const;

/** Names are unique per investigation ignoring case and Unicode compatibility forms. */
export function normalizeName(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase();
}

export const GSI1 = 'gsi1';
