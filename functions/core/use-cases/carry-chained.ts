import { runKeys } from '../content-keys.ts';
import { joinSource } from '../nbformat/types.ts';
import type { Services } from '../ports.ts';
import { type CellRun, executeCell } from '../run/cell-executor.ts';
import type { KernelEvent, KernelSession } from '../run/kernel.ts';
import type { LiveOutputFeed } from '../run/live-output.ts';
import { cellBudget, type OutputLimits, type OutputUsage } from '../run/output-limits.ts';
import type { InFlightCell, RunRecord } from '../run/run.ts';
import type { SecretRedactor } from '../run/secret-redactor.ts';

/** A session that only gives back events already read (nothing is sent). */
function replaySession(events: KernelEvent[]): KernelSession {
  const queue = [...events];
  return {
    execute: () => {
      throw new Error('a replayed session sends nothing');
    },
    next: async () => queue.shift() ?? null,
    unread: (earlier) => {
      queue.unshift(...earlier);
    },
    sent: () => true,
    chains: () => false,
    close: async () => queue.splice(0),
  };
}

/**
 * A hand-over in the middle of a cell with the next one chained to it. Unless the kernel host
 * dropped it at the detach, the chained cell reached the kernel, and what this task already
 * read of it (its reply can overtake the current cell's end) would be lost: it is collected
 * here and handed over like a cell in flight (its outputs so far stored, its reply and idle
 * noted), so the next task neither sends it again nor waits for messages that came already.
 */
export async function carryChained(
  services: Services,
  run: RunRecord,
  cells: { source: string | string[] }[],
  session: KernelSession,
  chained: { position: number; msgId: string } | null,
  current: CellRun,
  outputLimits: OutputLimits,
  usage: OutputUsage,
  /** The chained cell as an earlier hand-over left it (this task then only read more of it). */
  earlier: Omit<InFlightCell, 'next'> | null = null,
  live: LiveOutputFeed | null = null,
  redactor?: SecretRedactor,
): Promise<Omit<InFlightCell, 'next'> | null> {
  if (earlier && !current.leftover?.length) return earlier;
  if (!earlier && (!chained || !session.sent(chained.msgId))) return null;
  const next = earlier ?? chained!;
  const planned = run.plan![next.position]!;
  const startedAt = earlier ? Date.parse(earlier.startedAt) : Date.now();
  const record = earlier?.partialKey
    ? JSON.parse(await services.files.getText(earlier.partialKey))
    : undefined;
  const collected = await executeCell(
    services.kernelHost.kernels,
    run.kernel!,
    replaySession(current.leftover ?? []),
    joinSource(cells[planned.index]!.source),
    {
      allowErrors: planned.allowErrors,
      // The slice is over: everything read is collected, then it detaches at once.
      limits: {
        runDeadline: Number.POSITIVE_INFINITY,
        cellTimeoutSeconds: null,
        sliceEnd: 0,
        stopRequested: async () => null,
      },
      budget: cellBudget(outputLimits, usage),
      ...(live ? { live: live.cell(planned.cellId) } : {}),
      ...(redactor ? { redactor } : {}),
      resume: {
        msgId: next.msgId,
        startedAt,
        record,
        reply: earlier?.reply ?? null,
        idle: earlier?.idle ?? false,
      },
    },
  );
  const outcome = collected.outcome;
  const reply = outcome.kind === 'detached' || outcome.kind === 'done' ? outcome.reply : null;
  const partialKey = runKeys(run, run.notebookId, run.executionId).partialOutputs(next.position);
  await services.files.put(partialKey, JSON.stringify(collected.record), 'application/json');
  return {
    position: next.position,
    msgId: next.msgId,
    startedAt: new Date(startedAt).toISOString(),
    partialKey,
    reply,
    idle: outcome.kind === 'done' || (outcome.kind === 'detached' && outcome.idle),
  };
}
