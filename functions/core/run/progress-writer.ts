import { runKeys } from '../content-keys.ts';
import type { Services } from '../ports.ts';
import type { CellOutputRecord } from './cell-outputs.ts';
import { type CellResult, summarizeOutputs } from './cell-result.ts';
import { hasLoss } from './output-limits.ts';
import type { RunPointer, RunRecord } from './run.ts';

/** Cell ends waiting behind the kernel before the engine pauses for them. */
const MAX_QUEUED = 64;
/** Result rows per write (DynamoDB's batch size). */
const BATCH = 25;

type Ended = Omit<CellResult, 'outputs' | 'moreOutputs' | 'outputsKey' | 'storedBytes' | 'dropped'>;

/**
 * Records each cell's end as it happens: its outputs to the file store, then its result row
 * (which points at them). The writes run behind the kernel, which already executes the next
 * cell: whatever ended meanwhile is written together (outputs in parallel, then one batch of
 * rows), in cell order. `flush` waits for all of them and rethrows a failed write.
 */
export class ProgressWriter {
  private readonly pending: Array<{ ended: Ended; record: CellOutputRecord | null }> = [];
  private draining: Promise<void> | undefined;
  private failure: unknown;

  constructor(
    private readonly services: Services,
    private readonly run: RunRecord,
    private readonly pointer: RunPointer,
  ) {}

  /** Queues the end of the cell at plan position `ended.position`. */
  async cellEnded(ended: Ended, record: CellOutputRecord | null): Promise<void> {
    this.pending.push({ ended, record });
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    if (this.pending.length >= MAX_QUEUED) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && this.failure === undefined) {
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
    const capture = this.run.outputOptions.captureOutputs && record !== null && record.outputs.length > 0;
    if (!capture) return { ...ended, outputs: [], moreOutputs: 0, outputsKey: null, storedBytes: 0 };
    const key = runKeys(this.run, this.run.notebookId, this.run.executionId).cellOutputs(ended.position);
    const storedBytes = await this.services.files.put(key, JSON.stringify(record), 'application/json');
    const dropped = hasLoss(record.loss) ? { dropped: record.loss } : {};
    return { ...ended, ...summarizeOutputs(record.outputs), outputsKey: key, storedBytes, ...dropped };
  }

  /** Waits for every queued write; throws the first failure. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
    if (this.failure !== undefined) throw this.failure;
  }
}
