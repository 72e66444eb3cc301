import type { Priority, RunPointer } from './run.ts';

/** A run waiting for admission in its tenant's queue. */
export interface QueueEntry {
  pointer: RunPointer;
  priority: Priority;
  /** When the run entered the queue (ISO-8601). */
  queuedAt: string;
  /**
   * The run attempt (its workflow name) the entry waits for: a run put back in the queue
   * waits for a new attempt, and the start of the previous one must not take that entry out.
   */
  attempt?: string;
  /** Not admitted before this time (ISO-8601): a retried run's backoff. */
  notBefore?: string;
}

/** Whether the entry may be admitted at `now` (its backoff, if any, is over). */
export const isDue = (entry: QueueEntry, now: Date): boolean =>
  !entry.notBefore || Date.parse(entry.notBefore) <= now.getTime();

/** How many runs a tenant may have Running at once, and how fast waiting runs age. */
export interface RunLimits {
  maxConcurrentRuns: number;
  /** Every this many seconds of waiting counts as one priority level more (no starvation). */
  queueAgingSeconds: number;
}

/** The tenant's admission state: which runs hold a slot, and its own limits if it has any. */
export interface SlotState {
  /** Slot holders, as `holderOf` writes them. */
  holders: string[];
  limits: Partial<RunLimits>;
}

const RANK: Record<Priority, number> = { Low: 0, Normal: 1, High: 2 };

/** The slot holder id of a run (unique within the tenant). */
export function holderOf(pointer: RunPointer): string {
  return `${pointer.projectId}/${pointer.notebookId}/${pointer.executionId}`;
}

/** The run a holder id stands for. */
export function pointerOfHolder(tenantId: string, holder: string): RunPointer | null {
  const [projectId, notebookId, executionId, ...rest] = holder.split('/');
  if (!projectId || !notebookId || !executionId || rest.length > 0) return null;
  return { tenantId, projectId, notebookId, executionId };
}

/**
 * A waiting run's effective priority: its own level plus one level per `queueAgingSeconds`
 * waited, so a Low run waiting long enough goes ahead of newer High runs.
 */
export function effectiveRank(entry: QueueEntry, now: Date, agingSeconds: number): number {
  const waited = Math.max(0, now.getTime() - Date.parse(entry.queuedAt)) / 1000;
  return RANK[entry.priority] + Math.floor(waited / Math.max(1, agingSeconds));
}

/**
 * The admission order: highest effective priority first, then first come (queue time, then
 * the UUIDv7 execution id, which is in submission order).
 */
export function orderQueue(entries: QueueEntry[], now: Date, agingSeconds: number): QueueEntry[] {
  const keyed = entries.map((entry) => ({ entry, rank: effectiveRank(entry, now, agingSeconds) }));
  keyed.sort(
    (a, b) =>
      b.rank - a.rank ||
      a.entry.queuedAt.localeCompare(b.entry.queuedAt) ||
      a.entry.pointer.executionId.localeCompare(b.entry.pointer.executionId),
  );
  return keyed.map((k) => k.entry);
}
