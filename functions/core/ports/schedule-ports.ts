import type { Scope } from '../notebook.ts';
import type { FireOutcome, FireTime, ScheduleRecord } from '../schedule/schedule.ts';

/** The port of notebook schedules. */

/**
 * Schedule records (one per notebook with an enabled schedule) and the claims of their fire
 * times. In AWS the adapter also mirrors each record into an EventBridge Scheduler schedule
 * that invokes the fire Lambda; locally an in-process loop reads `list()`.
 */
export interface ScheduleRegistry {
  /** Creates or replaces the notebook's schedule. */
  put(schedule: ScheduleRecord): Promise<void>;
  /** Removes the notebook's schedule (nothing when it has none). */
  delete(scope: Scope, notebookId: string): Promise<void>;
  /** Every schedule, across tenants (for the local loop). */
  list(): Promise<ScheduleRecord[]>;
  /**
   * Claims one fire time with a conditional write: true for exactly one caller per notebook
   * and fire time, whatever the number of deliveries, loops or restarts.
   */
  claimFire(fire: FireTime): Promise<boolean>;
  /** Records what came of a claimed fire time. */
  recordFire(fire: FireTime, outcome: FireOutcome): Promise<void>;
  /** Deletes the notebook's fire claims (with the notebook). */
  deleteFires(scope: Scope, notebookId: string): Promise<void>;
}
