import { runKeys } from '../content-keys.ts';
import type { Services } from '../ports.ts';
import { type CellOutputRecord, displayLinks } from './cell-outputs.ts';
import { type CellResult, summarizeOutputs } from './cell-result.ts';
import { hasLoss } from './output-limits.ts';
import type { RunPointer, RunRecord } from './run.ts';

/** Cell ends waiting behind the kernel before the engine pauses for them. */
const MAX_QUEUED = 64;
/** Result rows per write (DynamoDB's batch size). */
const BATCH = 25;
/**
 * How long a cell's end may wait for others to share its write. Fast cells end every few
 * milliseconds: written one by one, each cost a DynamoDB batch of one row (and a request's
 * CPU on both sides) while the next cell ran; together they cost one write per 25.
 */
const GATHER_MS = 100;

type Ended = Omit<
  CellResult,
  'outputs' | 'moreOutputs' | 'outputsKey' | 'storedBytes' | 'dropped' | 'displayIds' | 'displayUpdates'
>;

/**
 * Records each cell's end as it happens: its outputs to the file store, then its result row
 * (which points at them). The writes run behind the kernel, which already executes the next
 * cell: cell ends are gathered for up to GATHER_MS (or a full batch) and written together
 * (outputs in parallel, then one batch of rows), in cell order. `flush` writes what is left,
 * waits for all of them and rethrows a failed write.
 */
export class ProgressWriter {
  private readonly pending: Array<{ ended: Ended; record: CellOutputRecord | null; at: number }> = [];
  private draining: Promise<void> | undefined;
  private failure: unknown;
  /** Wakes a drain that gathers (a full batch, or the end of the task). */
  private wake: (() => void) | undefined;
  private flushing = false;

  constructor(
    private readonly services: Services,
    private readonly run: RunRecord,
    private readonly pointer: RunPointer,
  ) {}

  /** Queues the end of the cell at plan position `ended.position`. */
  async cellEnded(ended: Ended, record: CellOutputRecord | null): Promise<void> {
    this.pending.push({ ended, record, at: Date.now() });
    if (this.pending.length >= BATCH) this.wake?.();
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    if (this.pending.length >= MAX_QUEUED) await this.draining;
  }

  /** Waits until a batch is full, the oldest end has waited GATHER_MS, or the task flushes. */
  private async gather(): Promise<void> {
    const wait = this.pending[0]!.at + GATHER_MS - Date.now();
    if (this.pending.length >= BATCH || this.flushing || wait <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && this.failure === undefined) {
      await this.gather();
      const batch = this.pending.splice(0, BATCH);
      try {
        const results = await Promise.all(batch.map(({ ended, record }) => this.store(ended, record)));
        await this.services.runs.putCellResults(this.pointer, results);
      } catch (error) {
        this.failure = error;
      }
    }
  }

  /** Stores a cell's outputs (when there are any to keep) and makes its result row. */
  private async store(ended: Ended, record: CellOutputRecord | null): Promise<CellResult> {
    // A cell with no outputs of its own may still have updated earlier cells' displays.
    const kept = record !== null && (record.outputs.length > 0 || record.updates.length > 0);
    const capture = this.run.outputOptions.captureOutputs && kept;
    if (!capture) return { ...ended, outputs: [], moreOutputs: 0, outputsKey: null, storedBytes: 0 };
    const key = runKeys(this.run, this.run.notebookId, this.run.executionId).cellOutputs(ended.position);
    const storedBytes = await this.services.files.put(key, JSON.stringify(record), 'application/json');
    const dropped = hasLoss(record.loss) ? { dropped: record.loss } : {};
    return {
      ...ended,
      ...summarizeOutputs(record.outputs),
      outputsKey: key,
      storedBytes,
      ...dropped,
      ...displayLinks(record),
    };
  }

  /** Writes what is queued now and waits for every write; throws the first failure. */
  async flush(): Promise<void> {
    this.flushing = true;
    this.wake?.();
    try {
      while (this.draining) await this.draining;
    } finally {
      this.flushing = false;
    }
    if (this.failure !== undefined) throw this.failure;
  }
}
