import type { RunStatus, RunTrigger } from '../run/run.ts';

/**
 * What the service tells its operators, in domain terms: the use-cases say what happened;
 * the adapter decides how it is measured and logged (CloudWatch EMF metrics in AWS, none
 * locally; the same log lines in both). Every method is fire-and-forget and never throws
 * into the use-case that calls it.
 */
export interface Telemetry {
  /**
   * Something failed that the use-case survives (logged at error level). `fields` are ids and
   * codes only: never tokens, secrets or notebook content.
   */
  problem(message: string, fields: Record<string, string | number | null | undefined>): void;
  /** A run's workflow was started (submission, resume, schedule or dataset trigger). */
  runStarted(run: { trigger: RunTrigger }): void;
  /**
   * A run took a slot after `queueWaitSeconds` in its tenant's queue (0 when admitted at
   * submission).
   */
  runAdmitted(run: { queueWaitSeconds: number }): void;
  /** A submission found every slot of its tenant taken: the run waits Queued. */
  admissionRefused(): void;
  /**
   * A run ended. `cellSeconds` are the measured times of the cells that ran (empty when the
   * caller has no cell results). May be reported again when a run's end is recorded again.
   */
  runEnded(run: { status: RunStatus; errorType: string | null; cellSeconds: readonly number[] }): void;
  /** What one webhook sweep did: deliveries that succeeded, will be retried, or failed for good. */
  webhookDeliveries(report: { succeeded: number; retrying: number; failed: number }): void;
  /**
   * The kernel fleet's demand as the queue sweep measured it (kernels in use plus runs
   * waiting) and the hosts it needs: what the fleet scales on.
   */
  fleetDemand(report: { demand: number; hostsWanted: number }): void;
}

/** Telemetry that measures nothing (the local stack, and tests that build services by hand). */
export const NO_TELEMETRY: Telemetry = {
  problem: () => undefined,
  runStarted: () => undefined,
  runAdmitted: () => undefined,
  admissionRefused: () => undefined,
  runEnded: () => undefined,
  webhookDeliveries: () => undefined,
  fleetDemand: () => undefined,
};
