import type { NbOutput } from '../nbformat/types.ts';
import { type CellOutputRecord, type DisplayUpdate, normalized, outputFromMessage } from './cell-outputs.ts';
import type { KernelMessage } from './kernel.ts';
import type { OutputListener } from './live-output.ts';
import { addLoss, type CellBudget, noLoss, outputBytes, UNLIMITED, utf8Prefix } from './output-limits.ts';
import { redactContent } from './output-redaction.ts';
import { sanitizeBundle, sanitizeOutput } from './output-sanitizer.ts';
import type { SecretRedactor } from './secret-redactor.ts';

const OUTPUT_TYPES = new Set(['stream', 'display_data', 'execute_result', 'error']);

/** The bytes of a stored display update, counted like a display's (`outputBytes`). */
const updateBytes = (u: DisplayUpdate) =>
  outputBytes({ output_type: 'display_data', data: u.data, metadata: u.metadata });

/**
 * Collects one cell's output messages exactly as nbclient's `process_message`/`output`/
 * `clear_output` do, so the executed notebook matches what nbclient would write, within
 * the cell's budget (its limits and what is left of the run's): everything up to the limit
 * is kept, a stream crossing it keeps its text up to the limit, the rest is counted in
 * `loss`. Invalid output data (a MIME key that is no media type, text that is not text,
 * images that are not base64) is skipped and named (`sanitizeOutput`). A `listener` hears
 * what is kept as it is kept (the live output). With a `redactor` (a run with secrets), every
 * form of a secret value becomes `[secret:NAME]` before anything is kept or heard: stream text
 * is redacted as one text per open stream, its tail held back while a later message could
 * complete a value (`flush` at the cell's end releases it).
 */
export class CellOutputCollector {
  readonly record: CellOutputRecord;
  private clearBeforeNext = false;
  /** Bytes the record holds: its outputs and its display updates. */
  private bytes: number;
  /** The stream whose text is being redacted, with its held-back tail. */
  private open: { name: string; stream: ReturnType<SecretRedactor['stream']> } | undefined;

  constructor(
    previous?: CellOutputRecord,
    private readonly budget: CellBudget = UNLIMITED,
    private readonly listener?: OutputListener,
    private readonly redactor?: SecretRedactor,
  ) {
    const { heldStream, ...kept } = previous ? normalized(previous) : ({} as Partial<CellOutputRecord>);
    this.record = previous
      ? (kept as CellOutputRecord)
      : { outputs: [], displayIds: [], updates: [], executionCount: null, timing: {}, loss: noLoss() };
    // A hand-over left a tail held back: it goes on being redacted with what comes next.
    if (heldStream && redactor) {
      this.open = { name: heldStream.name, stream: redactor.stream() };
      const released = this.open.stream.push(heldStream.text);
      if (released) this.keepStream(heldStream.name, released);
    }
    this.bytes =
      this.record.outputs.reduce((n, o) => n + outputBytes(o), 0) +
      this.record.updates.reduce((n, u) => n + updateBytes(u), 0);
  }

  /** Applies one message whose parent is this cell's execute_request. */
  apply(message: KernelMessage): void {
    const { msgType } = message;
    const content =
      this.redactor && msgType !== 'stream' ? redactContent(this.redactor, message.content) : message.content;
    if (this.redactor && msgType === 'stream') {
      if (typeof content.execution_count === 'number') this.record.executionCount = content.execution_count;
      this.streamText(message);
      return;
    }
    if (this.open && msgType !== 'status') this.flush();
    const transient = content.transient as { display_id?: unknown } | undefined;
    const displayId = typeof transient?.display_id === 'string' ? transient.display_id : null;
    if (displayId && ['execute_result', 'display_data', 'update_display_data'].includes(msgType)) {
      this.update(displayId, content);
    }
    if (typeof content.execution_count === 'number') this.record.executionCount = content.execution_count;
    if (message.date) this.time(message, message.date);
    if (msgType === 'clear_output') {
      if (content.wait) this.clearBeforeNext = true;
      else this.clear();
      return;
    }
    if (!OUTPUT_TYPES.has(msgType)) return;
    if (this.clearBeforeNext) {
      this.clear();
      this.clearBeforeNext = false;
    }
    this.keep(outputFromMessage({ ...message, content }), displayId);
  }

  /** Stream text through the redactor: what it releases is kept; its tail waits for more. */
  private streamText(message: KernelMessage): void {
    const { name, text } = message.content;
    if (typeof name !== 'string' || typeof text !== 'string') {
      this.flush();
      this.keep(outputFromMessage(message), null);
      return;
    }
    if (this.open && this.open.name !== name) this.flush();
    this.open ??= { name, stream: this.redactor!.stream() };
    const released = this.open.stream.push(text);
    if (released) this.keepStream(name, released);
  }

  private keepStream(name: string, text: string): void {
    if (this.clearBeforeNext) {
      this.clear();
      this.clearBeforeNext = false;
    }
    this.keep({ output_type: 'stream', name, text }, null);
  }

  /** Keeps the held-back tail of the open stream (the cell ended, or another output came). */
  flush(): void {
    const open = this.open;
    this.open = undefined;
    const rest = open?.stream.flush();
    if (open && rest) this.keepStream(open.name, rest);
  }

  /**
   * The cell is handed over to the next task mid-run: the open stream's held tail goes into
   * the record (`heldStream`), not into the outputs, so a value split across the hand-over is
   * still seen whole.
   */
  detach(): void {
    const open = this.open;
    this.open = undefined;
    const text = open?.stream.held();
    if (open && text) this.record.heldStream = { name: open.name, text };
  }

  /** Counts a message that could not be read (it may have been an output of this cell). */
  unreadable(reason: string): void {
    addLoss(this.record.loss, {
      outputs: 1,
      reason: 'unreadableMessage',
      details: [`a message the kernel sent could not be read (${reason})`],
    });
  }

  /** Counts a message that had to be repaired to be read (it is kept, repaired). */
  repaired(reason: string): void {
    addLoss(this.record.loss, { truncated: 1, reason: 'invalidOutput', details: [reason] });
  }

  /** Records nbclient's shell.execute_reply timestamp. */
  reply(date: string | null): void {
    if (date) this.record.timing['shell.execute_reply'] = date;
  }

  private keep(output: NbOutput, displayId: string | null): void {
    const rec = this.record;
    const { output: clean, problems, skippedBytes } = sanitizeOutput(output);
    if (problems.length > 0) {
      addLoss(rec.loss, {
        ...(clean ? { truncated: 1 } : { outputs: 1 }),
        bytes: skippedBytes,
        reason: 'invalidOutput',
        details: problems,
      });
    }
    if (!clean) return;
    const size = outputBytes(clean);
    if (rec.outputs.length >= this.budget.outputs) {
      addLoss(rec.loss, { outputs: 1, bytes: size, reason: this.budget.outputsReason });
      return;
    }
    const room = this.budget.bytes - this.bytes;
    let kept = clean;
    if (size > room) {
      const text = clean.output_type === 'stream' ? utf8Prefix(clean.text as string, room) : '';
      if (text === '') {
        addLoss(rec.loss, { outputs: 1, bytes: size, reason: this.budget.bytesReason });
        return;
      }
      kept = { ...clean, text };
      addLoss(rec.loss, {
        truncated: 1,
        bytes: size - outputBytes(kept),
        reason: this.budget.bytesReason,
      });
    }
    this.bytes += outputBytes(kept);
    rec.outputs.push(kept);
    rec.displayIds.push(displayId);
    this.listener?.({ kind: 'kept', outputIndex: rec.outputs.length - 1, output: kept, displayId });
  }

  /** A display update: applied to this cell's outputs with the id, kept for earlier cells'. */
  private update(displayId: string, content: Record<string, unknown>): void {
    const rec = this.record;
    const { data, skipped, skippedBytes } = sanitizeBundle(content.data);
    if (skipped.length > 0) {
      addLoss(rec.loss, { truncated: 1, bytes: skippedBytes, reason: 'invalidOutput', details: skipped });
    }
    const metadata = (
      typeof content.metadata === 'object' && content.metadata !== null && !Array.isArray(content.metadata)
        ? content.metadata
        : {}
    ) as Record<string, unknown>;
    const update: DisplayUpdate = { displayId, data, metadata };
    const previous = rec.updates.findIndex((u) => u.displayId === displayId);
    let after = this.bytes + updateBytes(update) - (previous >= 0 ? updateBytes(rec.updates[previous]!) : 0);
    const targets = rec.displayIds.flatMap((id, i) => (id === displayId ? [i] : []));
    const updated = targets.map((i) => ({ ...rec.outputs[i]!, data, metadata }));
    targets.forEach((i, n) => {
      after += outputBytes(updated[n]!) - outputBytes(rec.outputs[i]!);
    });
    if (after > this.budget.bytes) {
      addLoss(rec.loss, { outputs: 1, bytes: updateBytes(update), reason: this.budget.bytesReason });
      return;
    }
    if (previous >= 0) rec.updates.splice(previous, 1);
    rec.updates.push(update);
    targets.forEach((i, n) => {
      rec.outputs[i] = updated[n]!;
    });
    this.bytes = after;
    this.listener?.({ kind: 'updated', displayId, data, metadata });
  }

  private time(message: KernelMessage, date: string): void {
    const t = this.record.timing;
    if (message.msgType === 'execute_input') t['iopub.execute_input'] = date;
    if (message.msgType === 'status' && message.content.execution_state === 'busy')
      t['iopub.status.busy'] = date;
    if (message.msgType === 'status' && message.content.execution_state === 'idle')
      t['iopub.status.idle'] = date;
  }

  private clear(): void {
    this.bytes -= this.record.outputs.reduce((n, o) => n + outputBytes(o), 0);
    this.record.outputs = [];
    // nbclient forgets this cell's display-id positions; later updates no longer reach them.
    this.record.displayIds = [];
    this.listener?.({ kind: 'cleared' });
  }
}
