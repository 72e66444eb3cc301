import type { KernelMessage } from '../../functions/core/run/kernel.ts';

let n = 0;

/** An IOPub message of the cell whose execute_request is `parent` (ids unique per process). */
export function iopub(
  msgType: string,
  content: Record<string, unknown>,
  date: string | null = null,
): KernelMessage {
  return { msgId: `m${++n}`, parentMsgId: 'parent', channel: 'iopub', msgType, content, date };
}

/** A stream message (stdout unless named). */
export const stream = (text: string, name = 'stdout', date: string | null = null) =>
  iopub('stream', { name, text }, date);
