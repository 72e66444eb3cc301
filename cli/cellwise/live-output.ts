/**
 * `--output`: what the run's cells print, shown while they run. Follows the live output route
 * (long polls from cursor to cursor) and writes each complete line through `print`, for every
 * cell or one; text without its newline yet waits for the rest (or the cell's end).
 */
import type { CellwiseClient } from './api-client.ts';
import type { LiveChunk } from './api-types.ts';
import { ApiError, ConnectionError } from './errors.ts';
import type { RunRef } from './watch-run.ts';

/** How long one request waits for output (below API Gateway's 29 s). */
const WAIT_SECONDS = 15;

export interface LiveOutputOptions {
  /** Only this cell's output (all cells when undefined). */
  cellId?: string;
  /** Writes one line (stderr lines come marked). */
  print: (line: string) => void;
}

/** A follower of a run's live output; `done` settles when the run ended and all was shown. */
export interface LiveFollower {
  done: Promise<void>;
  /** Stops following (what is pending is shown). */
  stop(): void;
}

export function followLiveOutput(
  client: CellwiseClient,
  ref: RunRef,
  options: LiveOutputOptions,
): LiveFollower {
  let stopped = false;
  const lines = new LineBuffer(options.print);
  const done = (async () => {
    let after: string | undefined;
    let failures = 0;
    while (!stopped) {
      let answer: Awaited<ReturnType<CellwiseClient['getExecutionOutputs']>>;
      try {
        answer = await client.getExecutionOutputs(ref.notebookId, ref.executionId, {
          ...(after ? { after } : {}),
          waitSeconds: WAIT_SECONDS,
        });
        failures = 0;
      } catch (error) {
        const passing =
          error instanceof ConnectionError || (error instanceof ApiError && error.status >= 500);
        if (!passing || ++failures >= 5) throw error;
        await new Promise((r) => setTimeout(r, 500 * failures));
        continue;
      }
      for (const chunk of answer.body.chunks) {
        if (!options.cellId || chunk.cellId === options.cellId) lines.add(chunk);
      }
      after = answer.body.nextCursor ?? after;
      if (answer.body.ended) break;
    }
    lines.flush();
  })();
  return {
    done,
    stop: () => {
      stopped = true;
    },
  };
}

/** Turns chunks into whole lines: stream text by line, other outputs as one short line. */
class LineBuffer {
  private partial = '';
  private from: { cellId: string; name: string } | null = null;

  constructor(private readonly print: (line: string) => void) {}

  add(chunk: LiveChunk): void {
    if (chunk.type === 'stream') {
      if (this.from && (this.from.cellId !== chunk.cellId || this.from.name !== chunk.name)) this.flush();
      this.from = { cellId: chunk.cellId, name: chunk.name };
      const parts = (this.partial + chunk.text).split('\n');
      this.partial = parts.pop() ?? '';
      for (const line of parts) this.line(line);
      return;
    }
    this.flush();
    if (chunk.type === 'output') this.print(`[${chunk.cellId}] ${summary(chunk)}`);
  }

  flush(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
    this.from = null;
  }

  private line(text: string): void {
    this.print(this.from?.name === 'stderr' ? `[${this.from.cellId} stderr] ${text}` : text);
  }
}

function summary(chunk: Extract<LiveChunk, { type: 'output' }>): string {
  const output = chunk.output as Record<string, unknown> | null;
  if (!output) return `(an output of ${chunk.bytes} bytes: see the results)`;
  if (output.output_type === 'error') return `${String(output.ename)}: ${String(output.evalue)}`;
  const data = (output.data ?? {}) as Record<string, unknown>;
  const plain = data['text/plain'];
  const text = Array.isArray(plain) ? plain.join('') : typeof plain === 'string' ? plain : null;
  const first = text?.split('\n')[0];
  return first ?? `(${Object.keys(data).join(', ')})`;
}
