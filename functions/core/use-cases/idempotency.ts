import { createHash } from 'node:crypto';
import { ServiceUnavailableError, StateConflictError } from '../errors.ts';
import { canonicalJson } from '../parameters.ts';
import type { Actor, Services } from '../ports.ts';
import type { RunStatusView } from '../run/run-view.ts';
import type { ExecuteInput } from './execute-notebook.ts';
import { viewOfRun } from './run-history.ts';

/** How long a token stands for its run. */
const TOKEN_TTL_MS = 24 * 3600_000;
/** How long a duplicate waits for the run of a concurrent first request to be written. */
const DUPLICATE_WAIT_MS = 5_000;
const DUPLICATE_POLL_MS = 50;

export { canonicalJson };

/**
 * The request's canonical form, hashed: what makes two submissions "the same". Key order
 * does not count (`{"a":1,"b":2}` and `{"b":2,"a":1}` are the same parameters); number
 * spelling does (`1.0` is a float to the kernel, `1` an int).
 */
export function requestHash(input: ExecuteInput): string {
  const parts: unknown[] = [
    input.executionMode,
    input.executionMode === 'range' ? input.cellRange : null,
    input.parameters,
    input.outputOptions,
    input.timeoutSeconds,
    input.cellTimeoutSeconds,
    input.priority,
    input.keepKernelSeconds ?? null,
    // Only when set: the hashes of tokens claimed before the option existed stay the same.
    ...(input.allowErrors ? [{ allowErrors: true }] : []),
    ...(input.retry ? [{ retry: input.retry }] : []),
  ];
  // Only when sent, so the hash of a request without it is what it was before it existed.
  if (input.strictParameters !== undefined) parts.push({ strictParameters: input.strictParameters });
  if (input.secrets?.length) parts.push({ secrets: input.secrets });
  const canonical = canonicalJson(parts);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Claims an idempotency token for a new run. Returns null when this request owns it (go on
 * and create the run), or the status of the run the token already stands for. The same
 * token with a different request is a 409. A concurrent duplicate waits (briefly) for the
 * first request's run to be written; if that request failed and freed the token, this one
 * claims it.
 */
export async function claimToken(
  services: Services,
  actor: Actor,
  notebookId: string,
  token: string,
  executionId: string,
  input: ExecuteInput,
): Promise<RunStatusView | null> {
  const hash = requestHash(input);
  const deadline = Date.now() + DUPLICATE_WAIT_MS;
  while (true) {
    const now = services.now();
    const expiresAt = new Date(now.getTime() + TOKEN_TTL_MS).toISOString();
    const held = await services.runTokens.claim(
      actor,
      notebookId,
      token,
      { executionId, requestHash: hash, expiresAt },
      now.toISOString(),
    );
    if (!held) return null;
    if (held.requestHash !== hash) {
      throw new StateConflictError(
        'IdempotencyTokenReused',
        'The idempotencyToken was already used on this notebook with a different request',
        { NotebookId: notebookId, ExecutionId: held.executionId },
      );
    }
    const pointer = { tenantId: actor.tenantId, projectId: actor.projectId, notebookId };
    const run = await services.runs.get({ ...pointer, executionId: held.executionId });
    if (run) return viewOfRun(services, run);
    if (Date.now() > deadline) {
      throw new ServiceUnavailableError(
        'The first request with this idempotencyToken is still being processed',
        {
          ExecutionId: held.executionId,
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, DUPLICATE_POLL_MS));
  }
}
