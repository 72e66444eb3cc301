import type { Kernels } from '../ports/kernel-ports.ts';
import type { CellOutputRecord } from './cell-outputs.ts';
import type { KernelEvent, KernelRef, KernelSession } from './kernel.ts';
import type { OutputListener } from './live-output.ts';
import { CellOutputCollector } from './output-collector.ts';
import type { CellBudget } from './output-limits.ts';
import type { SecretRedactor } from './secret-redactor.ts';

/** How long an interrupted cell may take to stop before the kernel counts as hung. */
const INTERRUPT_GRACE_MS = 5_000;
/** The watchdog asks the kernel host whether the kernel lives after this much silence (as nbclient, 1 s). */
const WATCHDOG_MS = 1_000;
/** A kernel host that has not answered for this long is lost (its runs end KernelHostLost). */
export const HOST_LOST_MS = 15_000;
/** Longest single wait for a kernel event, so deadlines and stop requests are checked often. */
const MAX_WAIT_MS = 250;

export type StopReason = 'cancel' | 'shutdown';

/** Deadlines and checks shared by the cells of one task. */
export interface ExecutionLimits {
  /** Epoch ms when the run's `timeout` expires. */
  runDeadline: number;
  /** Seconds each cell may take (`cellTimeout`), or null. */
  cellTimeoutSeconds: number | null;
  /** Epoch ms when this task must hand over (it returns "still running"). */
  sliceEnd: number;
  /** Whether a stop was requested (cheap to call often: implementations rate-limit their reads). */
  stopRequested: () => Promise<StopReason | null>;
}

export interface ExecuteReply {
  status: 'ok' | 'error' | 'aborted';
  ename: string | null;
  evalue: string | null;
}

export type CellOutcome =
  | { kind: 'done'; reply: ExecuteReply }
  | { kind: 'detached'; msgId: string; reply: ExecuteReply | null; idle: boolean }
  /** The task's slice ended before the request left: the cell never started and runs again. */
  | { kind: 'unsent' }
  | { kind: 'timeout'; scope: 'cell' | 'run'; hung: boolean }
  | { kind: 'stopped'; reason: StopReason; hung: boolean }
  | { kind: 'died'; reason: string }
  /** The kernel's host is gone (stopped, restarted, or silent for HOST_LOST_MS). */
  | { kind: 'lost'; reason: string };

export interface CellRun {
  outcome: CellOutcome;
  record: CellOutputRecord;
  /** Wall time from the request to the reply and idle (or to the stop). */
  elapsedMs: number;
  invalidMessages: number;
  /**
   * The task's slice ended during the cell: the session is closed (whether or not the cell
   * itself ended in what arrived before the detach).
   */
  closed?: boolean;
  /** When the session closed: the chained next cell's messages it had read (see `chained`). */
  leftover?: KernelEvent[];
}

/** A cell that was sent to the kernel by an earlier task, to continue collecting. */
export interface ResumedCell {
  msgId: string;
  startedAt: number;
  /** The outputs collected so far (none: a cell that had not been collected yet). */
  record: CellOutputRecord | undefined;
  /** What the earlier task had already received of the cell's end. */
  reply: ExecuteReply | null;
  idle: boolean;
}

/**
 * Executes one cell over a kernel session and collects its outputs, the way nbclient's
 * `async_execute_cell` does, with the engine's guarantees on top: the cell's and the run's
 * deadlines (interrupt on expiry), stop requests (cancel, shutdown), a kernel-alive
 * watchdog, and a hand-over when the task's slice is used up (the session detaches
 * losslessly; the next task resumes with `resume`).
 */
export async function executeCell(
  host: Kernels,
  ref: KernelRef,
  session: KernelSession,
  code: string,
  options: {
    allowErrors: boolean;
    limits: ExecutionLimits;
    /** What the cell may keep of its outputs (its limits, or what is left of the run's). */
    budget: CellBudget;
    resume?: ResumedCell;
    /** The request was sent already (chained to the cell before): collect it from `startedAt`. */
    sent?: { msgId: string; startedAt: number };
    /**
     * The next cell's request, chained to this one: its messages can arrive before this cell's
     * idle (the kernel's replies overtake its IOPub), so they are kept for it.
     */
    chained?: string;
    /** Hears each output as it is kept (the run's live output). */
    live?: OutputListener;
    /** Replaces the run's secret values in everything collected (outputs, the reply's error). */
    redactor?: SecretRedactor;
  },
): Promise<CellRun> {
  const { limits } = options;
  const { redactor } = options;
  const collector = new CellOutputCollector(options.resume?.record, options.budget, options.live, redactor);
  const startedAt = options.resume?.startedAt ?? options.sent?.startedAt ?? Date.now();
  const msgId =
    options.resume?.msgId ??
    options.sent?.msgId ??
    session.execute(code, { stopOnError: !options.allowErrors });
  let reply: ExecuteReply | null = options.resume?.reply ?? null;
  let idle = options.resume?.idle ?? false;
  let invalidMessages = 0;
  let lastEvent = Date.now();
  let lastWatchdog = Date.now();
  const cellDeadline =
    limits.cellTimeoutSeconds === null
      ? Number.POSITIVE_INFINITY
      : startedAt + limits.cellTimeoutSeconds * 1000;
  /** Messages of the chained next cell, read while this one was collected. */
  const early: KernelEvent[] = [];
  const finish = (outcome: CellOutcome, closed = outcome.kind === 'detached'): CellRun => {
    if (outcome.kind === 'detached') collector.detach();
    else collector.flush();
    const elapsedMs = kernelElapsedMs(collector.record.timing) ?? Date.now() - startedAt;
    const run = { outcome, record: collector.record, elapsedMs, invalidMessages };
    // The session closed: the caller hands them over; else the next cell reads them.
    if (closed) return { ...run, closed, leftover: early };
    if (early.length > 0) session.unread(early);
    return run;
  };

  let unreachableSince: number | null = null;
  let lostReason = '';
  /**
   * The watchdog: the kernel `alive`, `dead` (its host answers without it), its host `lost`
   * (gone from the directory, another host at its address, or silent for HOST_LOST_MS), or
   * `silent` (its host does not answer yet).
   */
  const check = async (): Promise<'alive' | 'dead' | 'lost' | 'silent'> => {
    try {
      if (await host.alive(ref)) {
        unreachableSince = null;
        return 'alive';
      }
    } catch {
      // the host did not answer: ask what became of it
    }
    const state = await host.hostState(ref).catch(() => 'unreachable' as const);
    if (state === 'live') return 'dead';
    if (state === 'lost') {
      lostReason = 'the kernel host is gone (stopped or restarted)';
      return 'lost';
    }
    unreachableSince ??= Date.now();
    if (Date.now() - unreachableSince < HOST_LOST_MS) return 'silent';
    lostReason = `the kernel host has not answered for ${Math.round(HOST_LOST_MS / 1000)} s`;
    return 'lost';
  };

  /** Applies one event; returns a verdict when the event ends the wait. */
  const handle = async (event: KernelEvent): Promise<CellOutcome | null> => {
    lastEvent = Date.now();
    if (
      options.chained &&
      event.kind !== 'dead' &&
      'parentMsgId' in event &&
      event.parentMsgId === options.chained
    ) {
      early.push(event);
      return null;
    }
    if (event.kind === 'invalid') {
      invalidMessages++;
      // Unreadable while this cell runs (or answering it): it may have been one of its outputs.
      if (!event.parentMsgId || event.parentMsgId === msgId) collector.unreadable(event.reason);
      return null;
    }
    if (event.kind === 'repaired') {
      if (!event.parentMsgId || event.parentMsgId === msgId) collector.repaired(event.reason);
      return null;
    }
    if (event.kind === 'dead') {
      const found = await check();
      if (found === 'dead') return { kind: 'died', reason: event.reason };
      if (found === 'lost') return { kind: 'lost', reason: lostReason };
      // Alive, but not over this connection: hand over (the next task reconnects). A host that
      // does not answer is watched a while longer before it counts as lost.
      return found === 'alive' ? { kind: 'detached', msgId, reply, idle } : null;
    }
    const m = event.message;
    if (m.parentMsgId !== msgId) {
      if (options.chained && m.parentMsgId === options.chained) early.push(event);
      return null;
    }
    if (m.channel === 'shell' && m.msgType === 'execute_reply') {
      const c = m.content;
      if (typeof c.execution_count === 'number') collector.record.executionCount = c.execution_count;
      reply = {
        status: c.status as ExecuteReply['status'],
        ename: typeof c.ename === 'string' ? (redactor?.redact(c.ename) ?? c.ename) : null,
        evalue: typeof c.evalue === 'string' ? (redactor?.redact(c.evalue) ?? c.evalue) : null,
      };
      collector.reply(m.date);
    } else if (m.channel === 'iopub') {
      collector.apply(m);
      if (m.msgType === 'status' && m.content.execution_state === 'idle') idle = true;
    }
    return reply && idle ? { kind: 'done', reply } : null;
  };

  /** Interrupts the kernel and collects until the cell stops (or the grace period ends). */
  const interrupt = async (): Promise<{ hung: boolean } | { died: string }> => {
    await host.interrupt(ref).catch(() => undefined);
    const until = Date.now() + INTERRUPT_GRACE_MS;
    while (Date.now() < until) {
      const event = await session.next(Math.min(MAX_WAIT_MS, until - Date.now()));
      if (!event) continue;
      const verdict = await handle(event);
      if (verdict?.kind === 'done') return { hung: false };
      if (verdict?.kind === 'died') return { died: verdict.reason };
    }
    return { hung: true };
  };

  /** Detaches losslessly; what arrived before the detach may still complete the cell. */
  const detach = async (): Promise<CellRun> => {
    const arrived = await session.close();
    for (let i = 0; i < arrived.length; i++) {
      const verdict = await handle(arrived[i]!);
      if (verdict?.kind === 'done' || verdict?.kind === 'died') {
        // What came after this cell's end belongs to the chained one (or to no cell).
        for (const rest of arrived.slice(i + 1)) await handle(rest);
        return finish(verdict, true);
      }
    }
    if (!options.resume && !session.sent(msgId)) return finish({ kind: 'unsent' });
    return finish({ kind: 'detached', msgId, reply, idle });
  };

  const stopWith = async (made: (hung: boolean) => CellOutcome): Promise<CellRun> => {
    const result = await interrupt();
    return finish('died' in result ? { kind: 'died', reason: result.died } : made(result.hung));
  };

  // A resumed cell whose end had already arrived (handed over just after it ended).
  if (reply && idle) return finish({ kind: 'done', reply });
  for (;;) {
    const now = Date.now();
    if (now >= cellDeadline || now >= limits.runDeadline) {
      const scope = now >= limits.runDeadline ? 'run' : 'cell';
      return stopWith((hung) => ({ kind: 'timeout', scope, hung }));
    }
    const stop = await limits.stopRequested();
    if (stop) return stopWith((hung) => ({ kind: 'stopped', reason: stop, hung }));
    if (now >= limits.sliceEnd) return detach();
    if (now - lastEvent >= WATCHDOG_MS && now - lastWatchdog >= WATCHDOG_MS) {
      lastWatchdog = now;
      const found = await check();
      if (found === 'dead') return finish({ kind: 'died', reason: 'the kernel process exited' });
      if (found === 'lost') return finish({ kind: 'lost', reason: lostReason });
    }
    const wait = Math.min(MAX_WAIT_MS, cellDeadline - now, limits.runDeadline - now, limits.sliceEnd - now);
    const event = await session.next(Math.max(1, wait));
    if (!event) continue;
    const verdict = await handle(event);
    if (verdict?.kind === 'detached') return detach();
    if (verdict) return finish(verdict);
  }
}

/** Microseconds since the epoch of an ISO-8601 time with up to microsecond digits (Date.parse keeps ms). */
function isoMicros(iso: string | undefined): number | null {
  if (!iso) return null;
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso);
  if (!match) return null;
  const seconds = Date.parse(`${match[1]}${match[3] ?? 'Z'}`);
  if (Number.isNaN(seconds)) return null;
  return seconds * 1000 + Number((match[2] ?? '').padEnd(6, '0').slice(0, 6));
}

/**
 * How long the kernel took for the cell, by its own clock (busy → execute_reply, as nbclient's
 * timing metadata records them), to the microsecond: a chained cell's reply may be waiting
 * before this task looks, so the task's clock would say 0. Null when either is missing.
 */
export function kernelElapsedMs(timing: Record<string, string>): number | null {
  const busy = isoMicros(timing['iopub.status.busy']);
  const reply = isoMicros(timing['shell.execute_reply']);
  if (busy === null || reply === null || reply < busy) return null;
  return (reply - busy) / 1000;
}
