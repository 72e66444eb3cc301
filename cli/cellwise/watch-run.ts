/**
 * Follows a run to its end: polls its status, shows each cell as it ends and the running cell
 * (see progress-view.ts), and hands Ctrl-C to the caller, who decides to cancel, go on or detach.
 */
import type { Answer, CellwiseClient } from './api-client.ts';
import { FINAL_STATUSES, type RunStatus } from './api-types.ts';
import { ApiError, ConnectionError } from './errors.ts';
import { followLiveOutput, type LiveFollower } from './live-output.ts';
import { type ProgressView, progressView } from './progress-view.ts';

export interface RunRef {
  notebookId: string;
  executionId: string;
}

/** What to do after Ctrl-C: keep watching, or stop watching (the run is left as it is). */
export type InterruptDecision = 'continue' | 'detach';

export interface WatchOptions {
  /** Where progress goes (a bar when it is a terminal). */
  stream: NodeJS.WriteStream;
  intervalMs: number;
  /** Called on Ctrl-C with the view paused; without it, Ctrl-C detaches. */
  onInterrupt?: (view: ProgressView) => Promise<InterruptDecision>;
  /** Show what the cells print as they print it: every cell's (`true`) or one cell's (its id). */
  output?: boolean | string;
}

/** How long the end of a run waits for the last of its live output. */
const LIVE_DRAIN_MS = 20_000;

export interface WatchResult {
  run: RunStatus;
  /** The last status's raw JSON text (numbers exact). */
  text: string;
  /** True when the user stopped watching before the run ended. */
  detached: boolean;
}

/** Polls until the run is final (or the user detaches); shows progress on `options.stream`. */
export async function watchRun(
  client: CellwiseClient,
  ref: RunRef,
  options: WatchOptions,
): Promise<WatchResult> {
  const sources = await cellSources(client, ref.notebookId);
  const view = progressView(options.stream, (id) => sources.get(id));
  const reported = new Set<number>();
  let interrupted = false;
  let wake: (() => void) | undefined;
  const onSigint = () => {
    interrupted = true;
    wake?.();
  };
  process.on('SIGINT', onSigint);
  const live: LiveFollower | null = options.output
    ? followLiveOutput(client, ref, {
        ...(typeof options.output === 'string' ? { cellId: options.output } : {}),
        print: (line) => view.note(line),
      })
    : null;
  // A failing follower must not end the watch: the run's status still comes.
  live?.done.catch((error: unknown) => view.note(`(live output stopped: ${(error as Error).message})`));
  try {
    for (;;) {
      const answer = await poll(client, ref);
      const run = answer.body;
      const total = run.progress.totalCells;
      run.cellResults.forEach((cell, i) => {
        if (cell.status === 'Running' || reported.has(i)) return;
        reported.add(i);
        view.cellEnded(cell, i + 1, total);
      });
      if (FINAL_STATUSES.has(run.status)) {
        if (live) await Promise.race([live.done.catch(() => undefined), delay(LIVE_DRAIN_MS)]);
        return { run, text: answer.text, detached: false };
      }
      view.update(run);
      if (!interrupted) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, options.intervalMs);
        });
      }
      if (interrupted) {
        interrupted = false;
        view.pause();
        const decision = options.onInterrupt ? await options.onInterrupt(view) : 'detach';
        if (decision === 'detach') return { run, text: answer.text, detached: true };
      }
    }
  } finally {
    live?.stop();
    process.off('SIGINT', onSigint);
    view.stop();
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** The run's status, retried a few times over network trouble and 5xx answers. */
async function poll(client: CellwiseClient, ref: RunRef): Promise<Answer<RunStatus>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.getExecution(ref.notebookId, ref.executionId);
    } catch (error) {
      const passing = error instanceof ConnectionError || (error instanceof ApiError && error.status >= 500);
      if (!passing || attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

/** Each cell's first source line (shortened), to show what is running; empty if unavailable. */
async function cellSources(client: CellwiseClient, notebookId: string): Promise<Map<string, string>> {
  try {
    const { body } = await client.getNotebook(notebookId);
    return new Map(
      body.cells.map((c) => {
        const first = (c.source.split('\n').find((l) => l.trim()) ?? '').trim();
        return [c.cellId, first.length > 60 ? `${first.slice(0, 57)}...` : first];
      }),
    );
  } catch {
    return new Map();
  }
}
