import type { Actor, Services } from '../ports.ts';
import type { LiveChunk } from '../run/live-output.ts';
import { isFinal, type RunStatus } from '../run/run.ts';
import { requireRun } from './run-history.ts';

/** How often a waiting read looks for new chunks. */
export const LIVE_POLL_MS = 100;
/** Chunk JSON one answer carries at most (Lambda answers hold 6 MB; the rest comes next read). */
const ANSWER_CHARS = 2 * 1024 * 1024;

export interface LiveOutputQuery {
  /** The cursor of the previous answer (none: from the run's first chunk). */
  after: string | null;
  /** How long to wait for a first chunk when none is there yet (0–20). */
  waitSeconds: number;
}

export interface LiveOutputView {
  executionId: string;
  /** The run's status when the chunks were read. */
  status: RunStatus;
  chunks: LiveChunk[];
  /** Pass as `after` to read on from here. */
  nextCursor: string | null;
  /** More chunks are there already: read again at once. */
  more: boolean;
  /** The run has ended and every chunk it wrote was read: nothing more will come. */
  ended: boolean;
}

/**
 * A run's live output since a cursor (long poll): the chunks written after it, waiting up to
 * `waitSeconds` for the first when there are none yet, with the cursor to read on from and
 * the run's status. The status is read before the chunks: a run seen ended had written them
 * all, so `ended` is exact.
 */
export async function readLiveOutputs(
  services: Services,
  actor: Actor,
  ids: { notebookId: string; executionId: string },
  query: LiveOutputQuery,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<LiveOutputView> {
  const pointer = { tenantId: actor.tenantId, projectId: actor.projectId, ...ids };
  const deadline = Date.now() + query.waitSeconds * 1000;
  let run = await requireRun(services, pointer);
  for (;;) {
    const page = await services.liveOutputs.read(pointer, query.after, ANSWER_CHARS);
    const ended = isFinal(run.status) && !page.more;
    if (page.chunks.length > 0 || ended || Date.now() + LIVE_POLL_MS > deadline) {
      return {
        executionId: ids.executionId,
        status: run.status,
        chunks: page.chunks,
        nextCursor: page.cursor,
        more: page.more,
        ended,
      };
    }
    await sleep(LIVE_POLL_MS);
    run = await requireRun(services, pointer);
  }
}
