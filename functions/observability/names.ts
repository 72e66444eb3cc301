/**
 * The names operators see, shared by the code that emits them and the infrastructure that
 * alarms and charts on them (`infra/alarms.ts`, `infra/dashboard.ts`). No dependencies.
 */

/** The `service` of every log line and the `service` dimension of every metric. */
export const SERVICE_NAME = 'cellwise';

/** The service's metrics (Powertools EMF, namespace `Cellwise/<tenantId>`, dimension `service`). */
export const METRIC = {
  runsStarted: 'RunsStarted',
  runsCompleted: 'RunsCompleted',
  runsFailed: 'RunsFailed',
  runsCancelled: 'RunsCancelled',
  admissionRefusals: 'AdmissionRefusals',
  queueWait: 'QueueWaitSeconds',
  cellsRun: 'CellsRun',
  cellDuration: 'CellDurationSeconds',
  webhookDeliveriesSucceeded: 'WebhookDeliveriesSucceeded',
  webhookDeliveriesRetrying: 'WebhookDeliveriesRetrying',
  webhookDeliveriesFailed: 'WebhookDeliveriesFailed',
  /** Kernels in use on the fleet plus runs waiting (the queue sweep, every minute). */
  kernelDemand: 'KernelDemand',
  /** The kernel hosts that demand needs, within the fleet's bounds: what the fleet scales on. */
  kernelHostsWanted: 'KernelHostsWanted',
} as const;

/** The extra dimension of `RunsFailed` (besides `service`): the run's error type. */
export const ERROR_TYPE_DIMENSION = 'ErrorType';

/** The metrics namespace of a tenant's deployment. */
export const metricsNamespaceOf = (tenantId: string) => `Cellwise/${tenantId.toLowerCase()}`;
