import type { Services } from '../ports.ts';
import type { KernelEvent, KernelSession } from '../run/kernel.ts';
import type { RunError, RunRecord } from '../run/run.ts';
import { SecretRedactor } from '../run/secret-redactor.ts';
import { secretInjection } from '../secrets/secret.ts';

/** How long setting the secrets in the kernel may take. */
const INJECT_TIMEOUT_MS = 30_000;

/** The run's secrets could not be set: the run ends with this (no cell runs). */
const unavailable = (errorMessage: string): RunError => ({
  errorType: 'SecretUnavailable',
  errorMessage,
  cellId: null,
});

/**
 * A RunCells task's secrets: the values of the run's named secrets, revealed here only (never
 * in the workflow's state, the run record or a log), set in the kernel's environment when its
 * first cell is still to run (a fresh kernel: the run's first task, a resume, the next
 * attempt), and the redactor every collected output and error goes through. A secret deleted
 * since submission ends the run `SecretUnavailable`.
 */
export async function prepareRunSecrets(
  services: Services,
  run: RunRecord,
  session: KernelSession,
): Promise<{ redactor?: SecretRedactor; error?: RunError }> {
  const names = run.secrets ?? [];
  if (names.length === 0) return {};
  const values = await services.secrets.reveal(run, names);
  const missing = names.filter((name) => values[name] === undefined);
  if (missing.length > 0)
    return { error: unavailable(`No secret named ${missing.join(', ')} in this project`) };
  const redactor = new SecretRedactor(values);
  if (run.nextPosition > 0 || run.inFlight) return { redactor };
  const code = secretInjection(run.kernelType, values);
  if (!code) return { error: unavailable(`Secrets cannot be set in a ${run.kernelType} kernel`) };
  const status = await executeSilently(session, code);
  if (status !== 'ok') {
    return { error: unavailable(`The secrets could not be set in the kernel (${status})`), redactor };
  }
  return { redactor };
}

/**
 * Runs `code` silently (no history, no execute_input, no execution count) and waits for its
 * reply and idle status; what it prints is dropped. Other messages read meanwhile are put back.
 */
async function executeSilently(session: KernelSession, code: string): Promise<string> {
  const msgId = session.execute(code, { silent: true, storeHistory: false, stopOnError: false });
  const others: KernelEvent[] = [];
  let reply: string | null = null;
  let idle = false;
  const deadline = Date.now() + INJECT_TIMEOUT_MS;
  try {
    while (!(reply && idle)) {
      const left = deadline - Date.now();
      if (left <= 0) return 'no answer from the kernel';
      const event = await session.next(Math.min(left, 250));
      if (!event) continue;
      if (event.kind === 'dead') return 'the kernel died';
      if (event.kind !== 'message' || event.message.parentMsgId !== msgId) {
        others.push(event);
        continue;
      }
      const m = event.message;
      if (m.channel === 'shell' && m.msgType === 'execute_reply') reply = String(m.content.status);
      if (m.msgType === 'status' && m.content.execution_state === 'idle') idle = true;
    }
    return reply;
  } finally {
    if (others.length > 0) session.unread(others);
  }
}
