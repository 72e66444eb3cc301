import type { Scope } from '../core/notebook.ts';

/**
 * Single-table layout. Every partition key of tenant data starts with the tenant and
 * project ids, so no query can reach another tenant's rows.
 *
 * | item | pk | sk | gsi1pk / gsi1sk |
 * |---|---|---|---|
 * | notebook | `P#{t}#{p}` | `NB#{notebookId}` (UUIDv7: creation order) | `INV#{t}#{p}#{inv}` / notebookOrder |
 * | name claim | `P#{t}#{p}` | `NAME#{inv}#{lower-case name}` | |
 * | notebook list state and page index (see `dynamo-notebook-index.ts`) | `P#{t}#{p}` | `STATS` | |
 * | investigation | `P#{t}#{p}` | `INV#{investigationId}` | |
 * | default investigation pointer | `P#{t}#{p}` | `DEFAULT_INV` | |
 * | content version | `V#{t}#{p}#{notebookId}` | zero-padded version | |
 * | tenant / project | `T#{t}` | `TENANT` / `PROJECT#{p}` | |
 * | API token | `TOKEN#{sha256}` | `TOKEN` | |
 * | run | `RUNS#{t}#{p}#{notebookId}` | `RUN#{executionId}` (UUIDv7: newest last) | |
 * | cell result of a run | `RUNCELLS#{t}#{p}#{executionId}` | zero-padded plan position | |
 * | live output of a run (chunks of one write; `ttl`: gone a week later in AWS) | `LIVE#{t}#{p}#{executionId}` | `{epoch ms, 13 digits}.{6-digit sequence}` | |
 * | active run (reconciler index) | `ACTIVE_RUNS` | `{t}#{p}#{notebookId}#{executionId}` | |
 * | schedule of a notebook | `SCHEDULES` | `{t}#{p}#{notebookId}` | |
 * | claimed fire time of a schedule | `FIRES#{t}#{p}#{notebookId}` | ISO fire time | |
 * | webhook | `P#{t}#{p}` | `WH#{webhookId}` (UUIDv7: creation order) | |
 * | webhook count of a project | `P#{t}#{p}` | `WEBHOOKS` | |
 * | webhook delivery | `WHD#{t}#{p}#{webhookId}` | `D#{deliveryId}` | `WEBHOOK_DUE` / next attempt (epoch ms), while pending |
 * | run slots of a tenant (admission) | `QUEUE#{t}` | `SLOTS` | |
 * | queued run | `QUEUE#{t}` | `Q#{executionId}` | `QUEUE_WAITING` / queued at (epoch ms) |
 * | kernel fleet capacity (the queue sweep) | `FLEET` | `CAPACITY` | |
 * | idempotency token of a run | `IDEM#{t}#{p}#{notebookId}` | the token | |
 * | dataset | `P#{t}#{p}` | `DS#{datasetId}` (UUIDv7: creation order) | |
 * | dataset version | `DSV#{t}#{p}#{datasetId}` | zero-padded version | |
 * | project secret (value sealed: AES-256-GCM, see `secret-cipher.ts`) | `P#{t}#{p}` | `SECRET#{name}` | |
 * | secret count of a project | `P#{t}#{p}` | `SECRETS` | |
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
  liveOutput: (s: Scope, executionId: string) => `LIVE#${s.tenantId}#${s.projectId}#${executionId}`,
  cellPosition: (position: number) => String(position).padStart(8, '0'),
  activeRuns: 'ACTIVE_RUNS',
  activeRun: (s: Scope, notebookId: string, executionId: string) =>
    `${s.tenantId}#${s.projectId}#${notebookId}#${executionId}`,
  schedules: 'SCHEDULES',
  schedule: (s: Scope, notebookId: string) => `${s.tenantId}#${s.projectId}#${notebookId}`,
  fires: (s: Scope, notebookId: string) => `FIRES#${s.tenantId}#${s.projectId}#${notebookId}`,
  webhook: (webhookId: string) => `WH#${webhookId}`,
  webhookPrefix: 'WH#',
  webhookCount: 'WEBHOOKS',
  deliveries: (s: Scope, webhookId: string) => `WHD#${s.tenantId}#${s.projectId}#${webhookId}`,
  delivery: (deliveryId: string) => `D#${deliveryId}`,
  /** gsi1 partition of the pending deliveries (sorted by when their next attempt is due). */
  deliveriesDue: 'WEBHOOK_DUE',
  queue: (tenantId: string) => `QUEUE#${tenantId}`,
  slots: 'SLOTS',
  queued: (executionId: string) => `Q#${executionId}`,
  queuedPrefix: 'Q#',
  /** gsi1 partition of every tenant's waiting runs (the sweep's view across tenants). */
  waiting: 'QUEUE_WAITING',
  fleet: 'FLEET',
  fleetCapacity: 'CAPACITY',
  idempotency: (s: Scope, notebookId: string) => `IDEM#${s.tenantId}#${s.projectId}#${notebookId}`,
  dataset: (datasetId: string) => `DS#${datasetId}`,
  datasetPrefix: 'DS#',
  datasetVersions: (s: Scope, datasetId: string) => `DSV#${s.tenantId}#${s.projectId}#${datasetId}`,
  datasetVersion: (version: number) => String(version).padStart(8, '0'),
  secret: (name: string) => `SECRET#${name}`,
  secretPrefix: 'SECRET#',
  secretCount: 'SECRETS',
} as const;

/** Names are unique per investigation ignoring case and Unicode compatibility forms. */
export function normalizeName(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase();
}

export const GSI1 = 'gsi1';
