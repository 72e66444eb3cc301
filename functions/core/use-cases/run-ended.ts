import type { Services } from '../ports.ts';
import type { CellResult } from '../run/cell-result.ts';
import type { RunRecord } from '../run/run.ts';
import { leaveAdmission } from './admission.ts';
import { queueRunEndDeliveries } from './webhook-delivery.ts';

/**
 * What follows every run's end, after the notebook is free: its slot, its webhooks (not when
 * another attempt follows). Each step is idempotent (a
 * run's end may be recorded more than once: Finalize retries, the reconciler) and none of
 * them can fail the run. Called by `recordRunEnd` and by Finalize, once the notebook is free.
 */
export async function afterRunEnded(
  services: Services,
  run: RunRecord,
  /** The run's cell results when the caller has read them (else they are read if needed). */
  results?: CellResult[],
): Promise<void> {
  // The slot goes back and the next waiting run is admitted (a failure is healed by the next
  // admission, which reclaims slots of ended runs).
  await step(services, 'admission', run, () => leaveAdmission(services, run));
  // A run's end is reported once, for its last attempt (Finalize started the next one, if any).
  if (!run.nextAttemptId)
    await step(services, 'webhooks', run, () => queueRunEndDeliveries(services, run, results));
  services.telemetry.runEnded({
    status: run.status,
    errorType: run.error?.errorType ?? null,
    cellSeconds: cellSecondsOf(results),
  });
}

/** The measured times of the cells that ran (skipped cells and cells never sent have none). */
function cellSecondsOf(results: CellResult[] | undefined): number[] {
  return (results ?? []).flatMap((r) =>
    r.status !== 'Skipped' && r.executionTimeMs !== null ? [r.executionTimeMs / 1000] : [],
  );
}

/** Runs one step; its failure is reported, never thrown (the run has ended either way). */
async function step(
  services: Services,
  name: string,
  run: RunRecord,
  action: () => Promise<unknown>,
): Promise<void> {
  try {
    await action();
  } catch (error) {
    services.telemetry.problem(`after run end: ${name} failed`, {
      executionId: run.executionId,
      error: (error as Error)?.message,
    });
  }
}
