import type { KernelType, Scope } from './notebook.ts';
import type { DatasetStore } from './ports/dataset-ports.ts';
import type { KernelHost } from './ports/kernel-ports.ts';
import type { ContentStore, InvestigationStore, NotebookStore } from './ports/notebook-ports.ts';
import type {
  FileStore,
  LiveOutputLog,
  RunQueue,
  RunSettings,
  RunStore,
  RunTokens,
  Workflow,
} from './ports/run-ports.ts';
import type { ScheduleRegistry } from './ports/schedule-ports.ts';
import type { SecretStore } from './ports/secret-ports.ts';
import type { Telemetry } from './ports/telemetry-ports.ts';
import type { TenancyStore } from './ports/tenancy-ports.ts';
import type { WebhookDispatcher, WebhookStore, WebhookTransport } from './ports/webhook-ports.ts';

export type * from './ports/dataset-ports.ts';
export type * from './ports/kernel-ports.ts';
export type * from './ports/notebook-ports.ts';
export type * from './ports/run-ports.ts';
export type * from './ports/schedule-ports.ts';
export type * from './ports/secret-ports.ts';
export type * from './ports/telemetry-ports.ts';
export type * from './ports/tenancy-ports.ts';
export type * from './ports/webhook-ports.ts';

/*
 * The core's ports live one file per role under `ports/` (notebooks, runs, datasets,
 * tenancy, webhooks, schedules, telemetry) and are re-exported here; the adapters implement them.
 */

/** Everything a use-case may touch. Built once per process by the composition root. */
export interface Services {
  notebooks: NotebookStore;
  investigations: InvestigationStore;
  contents: ContentStore;
  tenancy: TenancyStore;
  runs: RunStore;
  queue: RunQueue;
  runTokens: RunTokens;
  /** What running cells print and display, while they run. */
  liveOutputs: LiveOutputLog;
  /** Event-log datasets (the data objects are in `files`). */
  datasets: DatasetStore;
  files: FileStore;
  /** The kernel host: its kernels, their files, its kernelspecs, its report renderer. */
  kernelHost: KernelHost;
  workflow: Workflow;
  schedules: ScheduleRegistry;
  runSettings: RunSettings;
  now: () => Date;
  /** Kernel types this deployment can really run. */
  kernels: readonly KernelType[];
  /** Public base URL of the service (for shareable links). */
  publicBaseUrl: string;
  /** The key signed notebook links are signed with (never sent to a browser). */
  linkSigningKey(): Promise<string>;
  /** Largest accepted request body or uploaded file, in bytes (413 above). */
  maxUploadBytes: number;
  /** Checks each dependency; the value is `ok` or what went wrong. */
  readiness(): Promise<Record<string, string>>;
  webhooks: WebhookStore;
  /** Project secrets, sealed at rest; values leave only through `reveal` (the run's kernel). */
  secrets: SecretStore;
  webhookTransport: WebhookTransport;
  webhookDispatcher: WebhookDispatcher;
  /** Delays between a delivery's attempts, in seconds: one more attempt than entries. */
  webhookRetrySeconds: readonly number[];
  /** Largest accepted event-log file, in bytes (413 above; `CELLWISE_MAX_DATASET_BYTES`). */
  maxDatasetBytes: number;
  /** Largest .ipynb a presigned notebook upload accepts (413 above; `CELLWISE_MAX_NOTEBOOK_UPLOAD_BYTES`). */
  maxNotebookUploadBytes: number;
  /**
   * Largest notebook content a read answers inline (`CELLWISE_MAX_INLINE_CONTENT_BYTES`); above
   * it the content routes answer with a presigned content URL instead (Lambda's 6 MB response).
   */
  maxInlineContentBytes: number;
  /** What operators see: runs started and ended, admission, webhook deliveries (metrics in AWS). */
  telemetry: Telemetry;
}

/** Who performs a use-case, and where. */
export interface Actor extends Scope {
  principalId: string;
}
