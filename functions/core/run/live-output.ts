import type { NbOutput } from '../nbformat/types.ts';

/**
 * One step of a running cell's outputs, as a client replays them: stream text appended to the
 * cell's last output when that is the same stream (else a new output; `outputIndex` is the
 * first stored output the text belongs to: consecutive prints are coalesced, as Jupyter shows
 * them), a whole output (display, result, error) at `outputIndex`, the cell's outputs cleared,
 * or a display updated wherever its id is shown (in earlier cells too).
 */
export type LiveChunk =
  | { type: 'stream'; cellId: string; outputIndex: number; name: string; text: string }
  | {
      type: 'output';
      cellId: string;
      outputIndex: number;
      displayId: string | null;
      /** The output, or null when it is larger than an item holds (`bytes`: read the results). */
      output: NbOutput | null;
      bytes: number;
    }
  | { type: 'clear'; cellId: string }
  | {
      type: 'update';
      cellId: string;
      displayId: string;
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
    };

/** What the output collector tells a listener: what it kept, exactly as it kept it. */
export type KeptOutput =
  | { kind: 'kept'; outputIndex: number; output: NbOutput; displayId: string | null }
  | { kind: 'cleared' }
  | { kind: 'updated'; displayId: string; data: Record<string, unknown>; metadata: Record<string, unknown> };

/** Receives each cell's kept outputs as they are kept. */
export type OutputListener = (event: KeptOutput) => void;

/** Where a run's live chunks go: appended in order, one batch per write (see LiveOutputLog). */
export type LiveChunkSink = (chunks: LiveChunk[]) => Promise<void>;

/**
 * Stream text carried by one chunk at most (UTF-16 units; longer text goes in several): its
 * JSON stays below 100 KB even if every character needs a `\u` escape.
 */
export const LIVE_TEXT_MAX = 16 * 1024;
/** A whole output whose JSON is larger is announced (its size), not carried. */
export const LIVE_OUTPUT_MAX_BYTES = 256 * 1024;
/** Attempts at writing one batch before it is given up (counted in `lostChunks`). */
const WRITE_ATTEMPTS = 3;
/** Chunks written together at most this often while a cell prints. */
export const LIVE_FLUSH_MS = 200;
/** Chunks held while writes fail (a failing log must not fill the task's memory). */
const MAX_PENDING = 2_000;

/**
 * A run task's live output: the collector's events become chunks, written at most every
 * LIVE_FLUSH_MS so a burst of prints becomes one write (consecutive text of one stream output is coalesced, as Jupyter
 * does), and written behind the kernel, never in the way of the cells: a cell that prints
 * nothing costs nothing. A failed write is retried with the next one; `close` writes the rest.
 */
export class LiveOutputFeed {
  private pending: LiveChunk[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private failures = 0;
  private lost = 0;
  /** When the last write started (epoch ms). */
  private lastWrite = 0;
  /** The batch whose write failed, retried ahead of the rest. */
  private retry: { batch: LiveChunk[]; attempts: number } | undefined;

  constructor(
    private readonly sink: LiveChunkSink,
    private readonly onFailure: (error: unknown) => void = () => undefined,
  ) {}

  /** The listener for one cell's collector. */
  cell(cellId: string): OutputListener {
    return (event) => this.push(chunkOf(cellId, event));
  }

  private push(chunk: LiveChunk): void {
    if (chunk.type === 'stream') this.pushText(chunk);
    else if (this.pending.length < MAX_PENDING) this.pending.push(chunk);
    else this.lost++;
    this.schedule();
  }

  /**
   * The next write: at once when none started in the last LIVE_FLUSH_MS (a first print goes
   * out without waiting), else when that much time has passed since the last one.
   */
  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastWrite + LIVE_FLUSH_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, wait);
  }

  /**
   * Stream text goes into the stream chunk before it when that one is of the same cell and
   * stream (consecutive prints read as one text, as Jupyter shows them), in pieces of at most
   * LIVE_TEXT_MAX.
   */
  private pushText(chunk: Extract<LiveChunk, { type: 'stream' }>): void {
    let text = chunk.text;
    while (text.length > 0) {
      const last = this.pending.at(-1);
      const joinable = last?.type === 'stream' && last.cellId === chunk.cellId && last.name === chunk.name;
      const joined = joinable ? cut(text, LIVE_TEXT_MAX - last.text.length) : '';
      if (joinable && joined) {
        last.text += joined;
        text = text.slice(joined.length);
        continue;
      }
      if (this.pending.length >= MAX_PENDING) {
        this.lost++;
        return;
      }
      const piece = cut(text, LIVE_TEXT_MAX);
      this.pending.push({ ...chunk, text: piece });
      text = text.slice(piece.length);
    }
  }

  /** Writes what is held (after any write in progress). */
  private async write(): Promise<void> {
    while (this.writing) await this.writing;
    const retry = this.retry;
    this.retry = undefined;
    const batch = retry?.batch ?? this.pending;
    if (!retry) this.pending = [];
    if (batch.length === 0) return;
    this.lastWrite = Date.now();
    this.writing = this.sink(batch)
      .catch((error: unknown) => {
        this.failures++;
        this.onFailure(error);
        const attempts = (retry?.attempts ?? 0) + 1;
        if (attempts < WRITE_ATTEMPTS) this.retry = { batch, attempts };
        else this.lost += batch.length;
        if (this.retry || this.pending.length > 0) this.schedule();
      })
      .finally(() => {
        this.writing = undefined;
      });
    await this.writing;
  }

  /** Writes everything held (one more try for a batch that failed); the task ends after it. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (let i = 0; i <= WRITE_ATTEMPTS && (this.retry || this.pending.length > 0); i++) await this.write();
  }

  /** Writes that failed (each batch is tried WRITE_ATTEMPTS times). */
  get failedWrites(): number {
    return this.failures;
  }

  /** Chunks given up: after WRITE_ATTEMPTS failed writes, or with MAX_PENDING held already. */
  get lostChunks(): number {
    return this.lost;
  }
}

function chunkOf(cellId: string, event: KeptOutput): LiveChunk {
  switch (event.kind) {
    case 'cleared':
      return { type: 'clear', cellId };
    case 'updated':
      return {
        type: 'update',
        cellId,
        displayId: event.displayId,
        data: event.data,
        metadata: event.metadata,
      };
    case 'kept': {
      const { output, outputIndex, displayId } = event;
      if (output.output_type === 'stream') {
        return {
          type: 'stream',
          cellId,
          outputIndex,
          name: output.name as string,
          text: output.text as string,
        };
      }
      const bytes = Buffer.byteLength(JSON.stringify(output));
      return {
        type: 'output',
        cellId,
        outputIndex,
        displayId,
        output: bytes > LIVE_OUTPUT_MAX_BYTES ? null : output,
        bytes,
      };
    }
  }
}

/**
 * At most `room` UTF-16 units of `text`, never ending between the halves of a surrogate pair
 * (so possibly none when `room` is 1).
 */
function cut(text: string, room: number): string {
  if (text.length <= room) return text;
  const end = /[\uD800-\uDBFF]/.test(text[room - 1] ?? '') ? room - 1 : room;
  return text.slice(0, Math.max(0, end));
}
