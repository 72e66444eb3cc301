import { runKeys } from '../content-keys.ts';
import type { Services } from '../ports.ts';
import type { CellOutputRecord } from './cell-outputs.ts';
import { type CellResult, summarizeOutputs } from './cell-result.ts';
import type { RunPointer, RunRecord } from './run.ts';

/** Writes waiting behind the kernel before the engine pauses for them. */
const MAX_QUEUED = 32;

/**
 * Records each cell's end as it happens: its outputs to the file store, then its result row
 * (which points at them). Writes run one after another, in cell order, while the kernel
 * already executes the next cell; `flush` waits for them and rethrows a failed write.
 */
export class ProgressWriter {
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private failure: unknown;

  constructor(
    private readonly services: Services,
    private readonly run: RunRecord,
    private readonly pointer: RunPointer,
  ) {}

  /** Queues the result of the cell at plan `position`. */
  async cellEnded(
    result: Omit<CellResult, 'outputs' | 'moreOutputs' | 'outputsKey' | 'storedBytes'>,
    record: CellOutputRecord | null,
  ) {
    const capture = this.run.outputOptions.captureOutputs && record !== null && record.outputs.length > 0;
    const summary = capture ? summarizeOutputs(record.outputs) : { outputs: [], moreOutputs: 0 };
    const key = runKeys(this.run, this.run.notebookId, this.run.executionId).cellOutputs(result.position);
    this.enqueue(async () => {
      const storedBytes = capture
        ? await this.services.files.put(key, JSON.stringify(record), 'application/json')
        : 0;
      await this.services.runs.putCellResult(this.pointer, {
        ...result,
        ...summary,
        outputsKey: capture ? key : null,
        storedBytes,
      });
    });
    if (this.queued >= MAX_QUEUED) await this.chain;
  }

  private enqueue(write: () => Promise<void>): void {
    this.queued++;
    this.chain = this.chain.then(async () => {
      try {
        if (this.failure === undefined) await write();
      } catch (error) {
        this.failure = error;
      } finally {
        this.queued--;
      }
    });
  }

  /** Waits for every queued write; throws the first failure. */
  async flush(): Promise<void> {
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }
}
