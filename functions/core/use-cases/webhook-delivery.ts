import type { Services } from '../ports.ts';
import type { CellResult } from '../run/cell-result.ts';
import { pointerOf, type RunRecord } from '../run/run.ts';
import { toRunStatus } from '../run/run-view.ts';
import {
  DELIVERY_ID_HEADER,
  type DeliveryRecord,
  type DeliveryStatus,
  deliveryIdFor,
  EVENT_HEADER,
  eventFor,
  SIGNATURE_HEADER,
  signatureHeader,
  USER_AGENT,
} from '../webhooks/webhook.ts';
import { briefDiffFromLastSuccessful } from './run-diff.ts';

/**
 * A failed run's brief diff against the notebook's last successful run (null without one);
 * a diff that cannot be read is left out (null), never a reason not to deliver.
 */
async function diffForPayload(services: Services, run: RunRecord, results: CellResult[]) {
  try {
    return await briefDiffFromLastSuccessful(services, run, results);
  } catch (error) {
    services.telemetry.problem('webhook payload: diff from the last successful run failed', {
      executionId: run.executionId,
      error: (error as Error)?.message,
    });
    return null;
  }
}

/** How long a claimed attempt holds its delivery: well past the transport's per-attempt timeout. */
const LEASE_MS = 60_000;
/** Due deliveries read per query, and sent at once. */
const BATCH = 50;
const CONCURRENCY = 8;

/**
 * Queues the run's end for every webhook of its project that subscribes to the event (and
 * to its notebook, when the webhook names one), then asks the delivery worker to send them.
 * Each delivery's id is derived from (webhook, execution, event) and inserted with a
 * conditional put, so a run end recorded twice queues nothing twice. Never waits for a
 * receiver: sending happens in `deliverDueWebhooks`.
 */
export async function queueRunEndDeliveries(
  services: Services,
  run: RunRecord,
  results?: CellResult[],
): Promise<number> {
  const event = eventFor(run.status);
  if (!event) return 0;
  const webhooks = (await services.webhooks.listAll(run)).filter(
    (w) => w.events.includes(event) && (w.notebookId === null || w.notebookId === run.notebookId),
  );
  if (webhooks.length === 0) return 0;
  const cellResults = results ?? (await services.runs.listCellResults(pointerOf(run)));
  const status = toRunStatus(run, cellResults);
  const now = services.now().toISOString();
  const { successfulCells, failedCells, skippedCells, completedCells, totalCells } = status.progress;
  const data = {
    tenantId: run.tenantId,
    projectId: run.projectId,
    executionId: run.executionId,
    notebookId: run.notebookId,
    status: run.status,
    trigger: run.trigger,
    scheduledFor: run.scheduledFor,
    resumedFrom: run.resumedFrom,
    startTime: run.startTime,
    endTime: run.endTime,
    totalDurationSeconds: status.totalDurationSeconds,
    error: run.error,
    progress: { totalCells, completedCells, successfulCells, failedCells, skippedCells },
    diffFromLastSuccessful: run.status === 'Error' ? await diffForPayload(services, run, cellResults) : null,
  };
  let queued = 0;
  for (const webhook of webhooks) {
    const deliveryId = deliveryIdFor(webhook.webhookId, run.executionId, event);
    const delivery: DeliveryRecord = {
      tenantId: run.tenantId,
      projectId: run.projectId,
      deliveryId,
      webhookId: webhook.webhookId,
      event,
      executionId: run.executionId,
      notebookId: run.notebookId,
      status: 'pending',
      attempts: 0,
      lastAttemptAt: null,
      nextAttemptAt: now,
      responseStatus: null,
      error: null,
      dateCreated: now,
      payload: JSON.stringify({ event, deliveryId, timestamp: run.endTime ?? now, data }),
    };
    if (await services.webhooks.createDelivery(delivery)) queued++;
  }
  if (queued > 0) await services.webhookDispatcher.kick();
  return queued;
}

/** What one sweep did. */
export interface SweepReport {
  succeeded: number;
  retrying: number;
  failed: number;
  /** Deliveries another worker claimed first, or whose webhook is gone. */
  skipped: number;
  /** Deliveries that threw (left pending: the next sweep takes them again). */
  errors: string[];
}

/**
 * Sends every delivery due at `now`: claims the attempt (a conditional write, so two
 * workers never send the same attempt), POSTs the signed payload, and records the outcome:
 * a 2xx succeeds; a refused destination fails at once; anything else is retried after the
 * next delay of `webhookRetrySeconds`, and fails after the last one. Stops reading new
 * batches after `budgetMs`, so no claimed attempt outlives the worker.
 */
export async function deliverDueWebhooks(
  services: Services,
  now: Date = services.now(),
  budgetMs = 30_000,
): Promise<SweepReport> {
  const report: SweepReport = { succeeded: 0, retrying: 0, failed: 0, skipped: 0, errors: [] };
  const started = Date.now();
  for (;;) {
    const due = await services.webhooks.listDue(now, BATCH);
    let index = 0;
    const worker = async () => {
      while (index < due.length) {
        const delivery = due[index++]!;
        try {
          const outcome = await deliverOne(services, delivery);
          report[outcome]++;
        } catch (error) {
          report.errors.push(`${delivery.deliveryId}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, worker));
    if (due.length < BATCH || Date.now() - started > budgetMs) return report;
  }
}

async function deliverOne(
  services: Services,
  delivery: DeliveryRecord,
): Promise<'succeeded' | 'retrying' | 'failed' | 'skipped'> {
  const maxAttempts = services.webhookRetrySeconds.length + 1;
  const webhook = await services.webhooks.get(delivery, delivery.webhookId);
  if (!webhook) {
    await services.webhooks.deleteDelivery(delivery);
    return 'skipped';
  }
  if (delivery.attempts >= maxAttempts) {
    // The last attempt's worker stopped before recording it (its lease ran out).
    const ended = await services.webhooks.recordAttempt(delivery, {
      status: 'failed',
      nextAttemptAt: null,
      responseStatus: delivery.responseStatus,
      error: 'The last attempt did not finish (the delivery worker stopped)',
    });
    return ended ? 'failed' : 'skipped';
  }
  const start = services.now();
  const claimed = await services.webhooks.claimAttempt(delivery, start, new Date(start.getTime() + LEASE_MS));
  if (!claimed) return 'skipped';
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': USER_AGENT,
    [DELIVERY_ID_HEADER]: claimed.deliveryId,
    [EVENT_HEADER]: claimed.event,
    [SIGNATURE_HEADER]: signatureHeader(webhook.secret, Math.floor(Date.now() / 1000), claimed.payload),
  };
  const result = await services.webhookTransport.post(webhook.url, claimed.payload, headers);
  const responseStatus = result.outcome === 'response' ? result.status : null;
  let status: DeliveryStatus;
  let error: string | null = null;
  if (result.outcome === 'response' && result.status >= 200 && result.status < 300) {
    status = 'succeeded';
  } else {
    error = result.outcome === 'response' ? `The receiver answered HTTP ${result.status}` : result.error;
    status = result.outcome === 'refused' || claimed.attempts >= maxAttempts ? 'failed' : 'pending';
  }
  const delayMs = (services.webhookRetrySeconds[claimed.attempts - 1] ?? 0) * 1000;
  await services.webhooks.recordAttempt(claimed, {
    status,
    nextAttemptAt: status === 'pending' ? new Date(services.now().getTime() + delayMs).toISOString() : null,
    responseStatus,
    error,
  });
  return status === 'pending' ? 'retrying' : status;
}
