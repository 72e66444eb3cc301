import type { KernelMessage } from '../core/run/kernel.ts';

type Check = (content: Record<string, unknown>) => string | null;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown) => v === null || (typeof v === 'number' && Number.isInteger(v));

function fields(spec: Record<string, (v: unknown) => boolean>): Check {
  return (content) => {
    for (const [name, test] of Object.entries(spec)) {
      if (!test(content[name])) return `field '${name}' is missing or has the wrong type`;
    }
    return null;
  };
}

// Any values: what each representation must hold is checked when the output is kept
// (`sanitizeOutput`), which skips a bad one by name instead of losing the whole message.
const mimeBundle = isObject;
const transient = (v: unknown) =>
  v === undefined || (isObject(v) && (v.display_id === undefined || isString(v.display_id)));
const display = fields({ data: mimeBundle, metadata: isObject, transient });

/** The content each message type the engine reads must have (Jupyter messaging protocol 5.x). */
const CHECKS: Record<string, Check> = {
  status: fields({ execution_state: (v) => isString(v) }),
  stream: fields({ name: (v) => v === 'stdout' || v === 'stderr', text: isString }),
  display_data: display,
  update_display_data: display,
  execute_result: fields({ execution_count: isCount, data: mimeBundle, metadata: isObject }),
  error: fields({
    ename: isString,
    evalue: isString,
    traceback: (v) => Array.isArray(v) && v.every(isString),
  }),
  clear_output: fields({ wait: (v) => typeof v === 'boolean' }),
  execute_input: fields({ code: isString, execution_count: isCount }),
  execute_reply: (content) => {
    if (!['ok', 'error', 'aborted'].includes(content.status as string)) {
      return `unknown execute_reply status '${String(content.status)}'`;
    }
    if (content.execution_count !== undefined && !isCount(content.execution_count)) {
      return "field 'execution_count' has the wrong type";
    }
    if (content.user_expressions !== undefined && !isObject(content.user_expressions)) {
      return "field 'user_expressions' has the wrong type";
    }
    return null;
  },
};

interface RawMessage {
  header?: { msg_id?: unknown; msg_type?: unknown; date?: unknown };
  parent_header?: { msg_id?: unknown; msg_type?: unknown };
  channel?: unknown;
  content?: unknown;
}

/**
 * Validates a received message and reduces it to a KernelMessage. Returns a string saying
 * what is wrong when the message is malformed. Types the engine does not read pass with
 * their content unchecked (the engine ignores them).
 */
export function checkMessage(raw: RawMessage): KernelMessage | string {
  const header = raw.header;
  if (!header || !isString(header.msg_id) || !isString(header.msg_type)) return 'malformed header';
  if (!['iopub', 'shell', 'control', 'stdin'].includes(raw.channel as string)) {
    return `unknown channel '${String(raw.channel)}'`;
  }
  if (!isObject(raw.content)) return `${header.msg_type}: content is not an object`;
  const problem = CHECKS[header.msg_type]?.(raw.content) ?? null;
  if (problem) return `${header.msg_type}: ${problem}`;
  const parent = raw.parent_header;
  return {
    msgId: header.msg_id,
    parentMsgId: parent && isString(parent.msg_id) && parent.msg_id !== '' ? parent.msg_id : null,
    channel: raw.channel as KernelMessage['channel'],
    msgType: header.msg_type,
    content: raw.content,
    date: isString(header.date) ? header.date : null,
  };
}
