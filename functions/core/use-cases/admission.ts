import { idTime } from '../ids.ts';
import type { FleetCapacity, Services } from '../ports.ts';
import {
  holderOf,
  isDue,
  orderQueue,
  pointerOfHolder,
  type QueueEntry,
  type RunLimits,
  type SlotState,
} from '../run/queue-order.ts';
import { isFinal, pointerOf, type RunPointer, type RunRecord } from '../run/run.ts';

/** Admission rounds per call: each round admits up to the free slots. */
const ROUNDS = 4;

/** A fleet figure older than this is not trusted (the sweep that records it every minute stopped). */
const FLEET_STALE_MS = 5 * 60_000;

/**
 * The tenant's limits, its concurrency bounded by the kernel fleet's capacity as the sweep last
 * recorded it (a fleet of 0 hosts admits nothing: runs wait, and their demand scales it out).
 * No fresh figure: the tenant's own limit alone.
 */
function limitsOf(services: Services, state: SlotState, fleet: FleetCapacity | null): RunLimits {
  const limits = { ...services.runSettings.defaultLimits, ...state.limits };
  if (!fleet || services.now().getTime() - Date.parse(fleet.seenAt) > FLEET_STALE_MS) return limits;
  return { ...limits, maxConcurrentRuns: Math.min(limits.maxConcurrentRuns, fleet.kernels) };
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
  // The holders are looked at side by side: this check runs on a submission's path.
  const freed = await Promise.all(
    holders.map(async (holder) => {
      const pointer = pointerOfHolder(tenantId, holder);
      const run = pointer ? await services.runs.get(pointer) : undefined;
      const orphan =
        !run && (!pointer || services.now().getTime() - idTime(pointer.executionId) > ORPHAN_SLOT_MS);
      if (!orphan && !(run && isFinal(run.status) && !keepsKernel(services, run))) return 0;
      await services.queue.release(tenantId, holder);
      return 1;
    }),
  );
  return freed.reduce<number>((sum, n) => sum + n, 0);
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

/**
 * Starts an admitted run: Running (conditionally: a run cancelled meanwhile gives its slot
 * back), its workflow started (the execution name is the attempt's, so a repeated start is a
 * no-op), and only then out of the queue. A process that dies midway leaves the entry, and
 * whoever admits next (or the sweep) finishes the start. Returns whether the run is started.
 */
async function startAdmitted(services: Services, entry: QueueEntry, holder: string): Promise<boolean> {
  const { tenantId } = entry.pointer;
  const admitted = { status: 'Running' as const, startTime: services.now().toISOString() };
  let marked = false;
  let run: RunRecord | undefined;
  // A run read Queued after a failed mark went back to the queue meanwhile (another admitter
  // started it, and it found the fleet full): the slot taken here is its own again.
  for (let attempt = 0; attempt < 3 && run?.status !== 'Running'; attempt++) {
    marked = await services.runs.update(entry.pointer, admitted, ['Queued']);
    run = await services.runs.get(entry.pointer);
    if (run?.status !== 'Queued') break;
  }
  if (run?.status === 'Queued') return false; // still queued: the next admission starts it
  if (run?.status !== 'Running') {
    // Ended (cancelled) before it started: its slot and its entry go.
    await services.queue.release(tenantId, holder);
    await services.queue.remove(entry.pointer);
    return false;
  }
  try {
    await services.workflow.start(entry.pointer, run.workflowName);
  } catch (error) {
    services.telemetry.problem('admitted run: its workflow did not start (the sweep retries)', {
      executionId: run.executionId,
      error: (error as Error).message,
    });
    return false;
  }
  // Only this attempt's entry: the run may already be back in the queue for its next one.
  await services.queue.remove(entry.pointer, run.workflowName);
  if (marked) {
    const waitedMs = services.now().getTime() - Date.parse(entry.queuedAt);
    services.telemetry.runAdmitted({ queueWaitSeconds: Number.isFinite(waitedMs) ? waitedMs / 1000 : 0 });
    services.telemetry.runStarted({ trigger: run.trigger });
  }
  return true;
}

/**
 * Admits the tenant's waiting runs while it has free slots, in queue order (priority with
 * ageing, then first come), and starts their workflows. Each admission is a conditional write
 * on the tenant's slot record, so however many callers race (submissions, ending runs, the
 * sweep) no more than the limit ever run; the limit is the tenant's, bounded by the kernel
 * fleet's capacity. Runs admitted earlier whose start was cut short are started first.
 * `reclaimChecked`: the caller found a check for leaked slots due (it is done in the first round).
 * Returns the execution ids started by this call.
 */
export async function admitQueued(
  services: Services,
  tenantId: string,
  options: { reclaimChecked?: boolean } = {},
): Promise<string[]> {
  let reclaimNow = options.reclaimChecked === true;
  const started: string[] = [];
  const fleet = await services.queue.fleet();
  for (let round = 0; round < ROUNDS; round++) {
    const { slots: state, waiting: entries } = await services.queue.state(tenantId);
    if (entries.length === 0) break;
    const held = new Set(state.holders);
    const waiting: QueueEntry[] = [];
    for (const entry of entries) {
      const holder = holderOf(entry.pointer);
      if (!held.has(holder)) {
        if (isDue(entry, services.now())) waiting.push(entry);
      } else if (await startAdmitted(services, entry, holder)) started.push(entry.pointer.executionId);
    }
    if (waiting.length === 0) break;
    const limits = limitsOf(services, state, fleet);
    let free = limits.maxConcurrentRuns - state.holders.length;
    if (free <= 0 && (reclaimNow || reclaimDue(services, tenantId)))
      free = await reclaimSlots(services, tenantId, state.holders);
    reclaimNow = false;
    if (free <= 0) break;
    const heads = orderQueue(waiting, services.now(), limits.queueAgingSeconds).slice(0, free);
    let full = false;
    for (const entry of heads) {
      const holder = holderOf(entry.pointer);
      const outcome = await services.queue.acquire(tenantId, holder, limits.maxConcurrentRuns);
      if (outcome === 'full') {
        full = true;
        break;
      }
      if (await startAdmitted(services, entry, holder)) started.push(entry.pointer.executionId);
    }
    if (full) break;
  }
  return started;
}

/**
 * Admission at submission. With a free slot and nobody waiting, the run takes a slot at
 * once and starts Running (the common, fast case); otherwise it joins the queue and the
 * queue is worked in order. A run that takes over the kernel another run kept (`takesOver`,
 * a resume) takes over that run's slot too, ahead of the queue: no capacity is added.
 * Returns the run as written (Running when admitted, else Queued) and whether its workflow
 * was started here (a run admitted from the queue is started by `admitQueued`; one admitted
 * at once is the caller's to start).
 */
export async function admitOnSubmit(
  services: Services,
  run: RunRecord,
  create: (run: RunRecord) => Promise<void>,
  takesOver?: RunPointer,
  /** Not admitted before this time (a retried run's backoff): it waits in the queue until then. */
  notBefore?: string | null,
): Promise<{ run: RunRecord; workflowStarted: boolean }> {
  const { tenantId } = run;
  const holder = holderOf(pointerOf(run));
  if (takesOver) await services.queue.release(tenantId, holderOf(takesOver));
  const [{ slots: state, waiting }, fleet] = await Promise.all([
    services.queue.state(tenantId),
    services.queue.fleet(),
  ]);
  const limits = limitsOf(services, state, fleet);
  let full = state.holders.length >= limits.maxConcurrentRuns;
  const later = !!notBefore && Date.parse(notBefore) > services.now().getTime();
  if ((takesOver || waiting.length === 0) && !full && !later) {
    if ((await services.queue.acquire(tenantId, holder, limits.maxConcurrentRuns)) !== 'full') {
      const running = { ...run, status: 'Running' as const, startTime: services.now().toISOString() };
      try {
        await create(running);
      } catch (error) {
        await services.queue.release(tenantId, holder);
        throw error;
      }
      services.telemetry.runAdmitted({ queueWaitSeconds: 0 });
      return { run: running, workflowStarted: false };
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
    attempt: run.workflowName,
    ...(later ? { notBefore: notBefore! } : {}),
  });
  // Every slot taken (or just lost to another run): nothing to admit now; the next run end (or
  // the sweep) admits it. Unless a slot leaked (its holder ended or was never written): that is
  // looked for now and then (every RECLAIM_EVERY_MS per tenant and process), not on every submission.
  const reclaimChecked = full && reclaimDue(services, tenantId);
  if (later || (full && !reclaimChecked)) return { run: queued, workflowStarted: false };
  const started = await admitQueued(services, tenantId, { reclaimChecked });
  if (!started.includes(run.executionId)) return { run: queued, workflowStarted: false };
  return { run: (await services.runs.get(pointerOf(run))) ?? queued, workflowStarted: true };
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

/** A queued run's place in its tenant's queue (1 = next to be admitted), null when not queued. */
export async function queuePosition(services: Services, run: RunRecord): Promise<number | null> {
  if (run.status !== 'Queued') return null;
  const { slots: state, waiting: entries } = await services.queue.state(run.tenantId);
  const order = orderQueue(entries, services.now(), limitsOf(services, state, null).queueAgingSeconds);
  const index = order.findIndex((e) => e.pointer.executionId === run.executionId);
  return index < 0 ? null : index + 1;
}
