import { idTime } from '../ids.ts';
import type { Services } from '../ports.ts';
import {
  holderOf,
  orderQueue,
  pointerOfHolder,
  type QueueEntry,
  type RunLimits,
  type SlotState,
} from '../run/queue-order.ts';
import { isFinal, pointerOf, type RunPointer, type RunRecord } from '../run/run.ts';

/** Admission rounds per call: each round admits up to the free slots. */
const ROUNDS = 4;

function limitsOf(services: Services, state: SlotState): RunLimits {
  return { ...services.runSettings.defaultLimits, ...state.limits };
}

/** A slot taken for a run that was never written is given back after this long. */
const ORPHAN_SLOT_MS = 5 * 60_000;

/**
 * Frees the slots of runs that have ended but still hold one (their end was recorded by a
 * process that died before giving the slot back), and of runs never written (the submitting
 * process died between taking the slot and writing the run): a slot never leaks for good.
 * A Queued holder is being admitted right now and keeps its slot.
 */
async function reclaimSlots(services: Services, tenantId: string, holders: string[]): Promise<number> {
  let freed = 0;
  for (const holder of holders) {
    const pointer = pointerOfHolder(tenantId, holder);
    const run = pointer ? await services.runs.get(pointer) : undefined;
    const orphan =
      !run && (!pointer || services.now().getTime() - idTime(pointer.executionId) > ORPHAN_SLOT_MS);
    if (orphan || (run && isFinal(run.status) && !keepsKernel(services, run))) {
      await services.queue.release(tenantId, holder);
      freed++;
    }
  }
  return freed;
}

/** How often one process checks a full tenant's holders for leaked slots (each check reads every holder's run). */
const RECLAIM_EVERY_MS = 30_000;
const lastReclaim = new Map<string, number>();

function reclaimDue(services: Services, tenantId: string): boolean {
  const now = services.now().getTime();
  if (now - (lastReclaim.get(tenantId) ?? 0) < RECLAIM_EVERY_MS) return false;
  lastReclaim.set(tenantId, now);
  return true;
}

/** Marks an admitted run Running (conditionally: a run cancelled meanwhile gives its slot back). */
async function markAdmitted(services: Services, entry: QueueEntry, holder: string): Promise<boolean> {
  const { tenantId } = entry.pointer;
  const admitted = { status: 'Running' as const, startTime: services.now().toISOString() };
  const ok = await services.runs.update(entry.pointer, admitted, ['Queued']);
  await services.queue.remove(entry.pointer);
  if (!ok) {
    const run = await services.runs.get(entry.pointer);
    if (run?.status !== 'Running') await services.queue.release(tenantId, holder);
    return run?.status === 'Running';
  }
  const waitedMs = services.now().getTime() - Date.parse(entry.queuedAt);
  services.telemetry.runAdmitted({ queueWaitSeconds: Number.isFinite(waitedMs) ? waitedMs / 1000 : 0 });
  return true;
}

/**
 * Admits the tenant's waiting runs while it has free slots, in queue order (priority with
 * ageing, then first come). Each admission is a conditional write on the tenant's slot
 * record, so however many callers race (submissions, ending runs, waiting workflows) no more
 * than the limit ever run. Returns the execution ids admitted by this call.
 */
export async function admitQueued(services: Services, tenantId: string): Promise<string[]> {
  const admitted: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { slots: state, waiting: entries } = await services.queue.state(tenantId);
    if (entries.length === 0) break;
    const limits = limitsOf(services, state);
    let free = limits.maxConcurrentRuns - state.holders.length;
    if (free <= 0 && reclaimDue(services, tenantId))
      free = await reclaimSlots(services, tenantId, state.holders);
    if (free <= 0) break;
    const heads = orderQueue(entries, services.now(), limits.queueAgingSeconds).slice(0, free);
    let full = false;
    for (const entry of heads) {
      const holder = holderOf(entry.pointer);
      const outcome = await services.queue.acquire(tenantId, holder, limits.maxConcurrentRuns);
      if (outcome === 'full') {
        full = true;
        break;
      }
      if (await markAdmitted(services, entry, holder)) admitted.push(entry.pointer.executionId);
    }
    if (full) break;
  }
  return admitted;
}

/**
 * Admission at submission. With a free slot and nobody waiting, the run takes a slot at
 * once and starts Running (the common, fast case); otherwise it joins the queue and the
 * queue is worked in order. A run that takes over the kernel another run kept (`takesOver`,
 * a resume) takes over that run's slot too, ahead of the queue: no capacity is added.
 * Returns the run as written (Running when admitted, else Queued).
 */
export async function admitOnSubmit(
  services: Services,
  run: RunRecord,
  create: (run: RunRecord) => Promise<void>,
  takesOver?: RunPointer,
): Promise<RunRecord> {
  const { tenantId } = run;
  const holder = holderOf(pointerOf(run));
  if (takesOver) await services.queue.release(tenantId, holderOf(takesOver));
  const { slots: state, waiting } = await services.queue.state(tenantId);
  const limits = limitsOf(services, state);
  let full = state.holders.length >= limits.maxConcurrentRuns;
  if ((takesOver || waiting.length === 0) && !full) {
    if ((await services.queue.acquire(tenantId, holder, limits.maxConcurrentRuns)) !== 'full') {
      const running = { ...run, status: 'Running' as const, startTime: services.now().toISOString() };
      try {
        await create(running);
      } catch (error) {
        await services.queue.release(tenantId, holder);
        throw error;
      }
      services.telemetry.runAdmitted({ queueWaitSeconds: 0 });
      return running;
    }
    full = true;
  }
  const queued = { ...run, status: 'Queued' as const, startTime: null };
  await create(queued);
  services.telemetry.admissionRefused();
  await services.queue.enqueue({
    pointer: pointerOf(run),
    priority: run.priority,
    queuedAt: run.dateCreated,
  });
  // Every slot taken (or just lost to another run): nothing to admit now; the next run end, or
  // this run's workflow when it asks, admits it.
  if (full) return queued;
  const admitted = await admitQueued(services, tenantId);
  return admitted.includes(run.executionId) ? ((await services.runs.get(pointerOf(run))) ?? queued) : queued;
}

/**
 * An ended run whose kernel is kept for a resume: the kernel still holds memory on the kernel
 * host, so the run keeps its slot until the kernel expires (then `reclaimSlots` frees it) or
 * a resume takes it over.
 */
function keepsKernel(services: Services, run: RunRecord): boolean {
  return run.kernelKeptUntil !== null && Date.parse(run.kernelKeptUntil) > services.now().getTime();
}

/**
 * Gives an ended run's slot back, takes it out of the queue, and admits who waits next. A run
 * whose kernel is kept keeps its slot (see `keepsKernel`).
 */
export async function leaveAdmission(services: Services, run: RunRecord): Promise<void> {
  const pointer = pointerOf(run);
  if (keepsKernel(services, run)) {
    await services.queue.remove(pointer);
    return;
  }
  await Promise.all([
    services.queue.release(run.tenantId, holderOf(pointer)),
    services.queue.remove(pointer),
  ]);
  await admitQueued(services, run.tenantId);
}

/** Puts a run that was admitted but never started a cell back in the queue (after a restart). */
export async function requeueAdmitted(services: Services, run: RunRecord): Promise<void> {
  const pointer = pointerOf(run);
  await services.queue.release(run.tenantId, holderOf(pointer));
  await services.queue.enqueue({ pointer, priority: run.priority, queuedAt: run.dateCreated });
}

/** A queued run's place in its tenant's queue (1 = next to be admitted), null when not queued. */
export async function queuePosition(services: Services, run: RunRecord): Promise<number | null> {
  if (run.status !== 'Queued') return null;
  const { slots: state, waiting: entries } = await services.queue.state(run.tenantId);
  const order = orderQueue(entries, services.now(), limitsOf(services, state).queueAgingSeconds);
  const index = order.findIndex((e) => e.pointer.executionId === run.executionId);
  return index < 0 ? null : index + 1;
}
