/** `run`, `watch`, `cancel`, `resume` and `results`: a notebook's runs. */
import { createInterface } from 'node:readline';
import type { Answer } from './api-client.ts';
import type { RunStatus } from './api-types.ts';
import type { CommandContext } from './context.ts';
import { downloadResults } from './download-results.ts';
import { EXIT, UsageError } from './errors.ts';
import { rememberRun, resolveNotebook, resolveRun } from './execution-ref.ts';
import { exitCodeOf, printJson, summaryLine } from './output.ts';
import { collectParameters } from './parameters.ts';
import type { ProgressView } from './progress-view.ts';
import { type InterruptDecision, type RunRef, watchRun } from './watch-run.ts';

export interface RunOptions {
  param?: string[];
  yaml?: string[];
  file?: string[];
  wait?: boolean;
  idempotencyToken?: string;
  priority?: string;
  timeout?: string;
  cellTimeout?: string;
  report?: boolean;
  /** `--output [cellId]`: show what the cells print as they run. */
  output?: boolean | string;
  strict?: boolean;
  /** `--retry N`: attempts in all after a failure of the kinds `--retry-on` names. */
  retry?: string;
  retryOn?: string;
  retryBackoff?: string;
  /** `--secret NAME` (repeatable): project secrets set in the kernel's environment. */
  secret?: string[];
}

/** The execute body's `retry` from `--retry`, `--retry-on` and `--retry-backoff` (none without `--retry`). */
function retryOf(options: RunOptions): object | undefined {
  if (options.retry === undefined) {
    if (options.retryOn !== undefined || options.retryBackoff !== undefined)
      throw new UsageError('--retry-on and --retry-backoff need --retry N');
    return undefined;
  }
  const maxAttempts = Number(options.retry);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 5)
    throw new UsageError(`--retry takes the attempts in all, 1 to 5, got: ${options.retry}`);
  const backoff = options.retryBackoff === undefined ? undefined : Number(options.retryBackoff);
  if (backoff !== undefined && (!Number.isInteger(backoff) || backoff < 0))
    throw new UsageError(`--retry-backoff takes whole seconds, got: ${options.retryBackoff}`);
  return {
    maxAttempts,
    ...(backoff === undefined ? {} : { backoffSeconds: backoff }),
    ...(options.retryOn === undefined ? {} : { on: options.retryOn.split(',').map((k) => k.trim()) }),
  };
}

function seconds(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${option} takes whole seconds, got: ${text}`);
  return value;
}

const PRIORITY: Record<string, string> = { low: 'Low', normal: 'Normal', high: 'High' };

/** Route 12's body as JSON text; parameters keep their numbers' source text. */
export function executeBodyText(options: RunOptions): string {
  const priority = options.priority === undefined ? undefined : PRIORITY[options.priority.toLowerCase()];
  if (options.priority !== undefined && !priority) {
    throw new UsageError(`--priority takes low, normal or high, got: ${options.priority}`);
  }
  return JSON.stringify({
    parameters: collectParameters(options),
    outputOptions: {
      captureOutputs: true,
      saveIntermediateResults: true,
      generateReport: options.report !== false,
    },
    priority,
    timeout: seconds(options.timeout, '--timeout'),
    cellTimeout: seconds(options.cellTimeout, '--cell-timeout'),
    idempotencyToken: options.idempotencyToken,
    strictParameters: options.strict,
    retry: retryOf(options),
    secrets: options.secret,
  });
}

/** One-line y/N question on the terminal; null when Ctrl-C is pressed again. */
function askYesNo(question: string): Promise<boolean | null> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => {
    rl.once('SIGINT', () => {
      rl.close();
      process.stderr.write('\n');
      resolve(null);
    });
    rl.question(question, (answer) => {
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
  });
}

/**
 * Ctrl-C during `run`: on a terminal asks whether to cancel the run (Ctrl-C again leaves it
 * running and stops watching); without one (scripts, CI) cancels it.
 */
function cancelOnInterrupt(ctx: CommandContext, ref: RunRef) {
  let cancelled = false;
  return async (view: ProgressView): Promise<InterruptDecision> => {
    if (cancelled) return 'detach';
    const interactive = process.stdin.isTTY === true;
    const yes = interactive ? await askYesNo(`Cancel run ${ref.executionId}? [y/N] `) : true;
    if (yes === null) return 'detach';
    if (!yes) return 'continue';
    cancelled = true;
    view.note(`Cancelling run ${ref.executionId}...`);
    await ctx
      .client()
      .cancel(ref.notebookId, ref.executionId)
      .catch((error: Error) => view.note(error.message));
    return 'continue';
  };
}

/** Follows a run to its end and reports it; the exit code follows its final status. */
async function follow(
  ctx: CommandContext,
  first: RunRef,
  interruptOf?: (ref: RunRef) => (view: ProgressView) => Promise<InterruptDecision>,
  output?: boolean | string,
): Promise<number> {
  for (let ref = first; ; ) {
    const result = await watchRun(ctx.client(), ref, {
      stream: ctx.progressStream,
      intervalMs: ctx.pollMs,
      onInterrupt: interruptOf?.(ref),
      ...(output ? { output } : {}),
    });
    if (result.detached) {
      ctx.say(
        `Stopped watching; the run goes on. Watch it again: cellwise watch ${ref.notebookId}/${ref.executionId}`,
      );
      if (ctx.json) printJson(result.text);
      return EXIT.interrupted;
    }
    const next = result.run.nextAttemptId;
    if (next) {
      // Its retry policy started another attempt: that one's end is the run's.
      ctx.say(`${summaryLine(result.run)}; attempt ${result.run.attempt + 1} follows: run ${next}`);
      ref = { notebookId: ref.notebookId, executionId: next };
      rememberRun(ref);
      continue;
    }
    if (ctx.json) printJson(result.text);
    else {
      ctx.say(summaryLine(result.run));
      ctx.say(`Results: cellwise results ${ref.notebookId}/${ref.executionId} --out DIR`);
    }
    return exitCodeOf(result.run.status);
  }
}

function started(ctx: CommandContext, answer: Answer<RunStatus>, verb: string): RunRef {
  const run = answer.body;
  const ref = { notebookId: run.notebookId, executionId: run.executionId };
  rememberRun(ref);
  const queued = run.status === 'Queued' ? `, queued at position ${run.queuePosition ?? '?'}` : '';
  const again = answer.status === 200 ? ' (the run this idempotency token already started)' : '';
  ctx.say(`${verb} run ${run.executionId} of notebook ${run.notebookId}${again}${queued}`);
  return ref;
}

export async function runNotebook(
  ctx: CommandContext,
  notebook: string,
  options: RunOptions,
): Promise<number> {
  const body = executeBodyText(options);
  const client = ctx.client();
  const notebookId = await resolveNotebook(client, notebook);
  const answer = await client.execute(notebookId, body);
  const ref = started(ctx, answer, 'Started');
  if (options.wait === false) {
    if (ctx.json) printJson(answer.text);
    return 0;
  }
  return follow(ctx, ref, (r) => cancelOnInterrupt(ctx, r), options.output);
}

export async function watchExecution(
  ctx: CommandContext,
  execution: string,
  options: { notebook?: string; output?: boolean | string },
) {
  const ref = await resolveRun(ctx.client(), execution, options.notebook);
  rememberRun(ref);
  return follow(ctx, ref, undefined, options.output);
}

export async function cancelExecution(
  ctx: CommandContext,
  execution: string,
  options: { notebook?: string; wait?: boolean },
) {
  const ref = await resolveRun(ctx.client(), execution, options.notebook);
  const answer = await ctx.client().cancel(ref.notebookId, ref.executionId);
  if (!options.wait) {
    if (ctx.json) printJson(answer.text);
    else ctx.say(`Cancel requested for run ${ref.executionId} (${answer.body.status})`);
    return 0;
  }
  ctx.say(`Cancel requested for run ${ref.executionId}; waiting for it to end`);
  return follow(ctx, ref);
}

export async function resumeExecution(
  ctx: CommandContext,
  execution: string,
  options: { notebook?: string; wait?: boolean; timeout?: string; priority?: string },
) {
  const ref = await resolveRun(ctx.client(), execution, options.notebook);
  const priority = options.priority === undefined ? undefined : PRIORITY[options.priority.toLowerCase()];
  if (options.priority !== undefined && !priority)
    throw new UsageError(`--priority takes low, normal or high`);
  const answer = await ctx.client().resume(ref.notebookId, ref.executionId, {
    timeout: seconds(options.timeout, '--timeout'),
    priority: priority as 'Low' | 'Normal' | 'High' | undefined,
  });
  const next = started(ctx, answer, 'Resumed as');
  if (options.wait === false) {
    if (ctx.json) printJson(answer.text);
    return 0;
  }
  return follow(ctx, next, (r) => cancelOnInterrupt(ctx, r));
}

export async function saveResults(
  ctx: CommandContext,
  execution: string,
  options: { out: string; notebook?: string },
) {
  const ref = await resolveRun(ctx.client(), execution, options.notebook);
  const status = (await ctx.client().getExecution(ref.notebookId, ref.executionId)).body;
  if (status.status === 'Queued' || status.status === 'Running') {
    throw new UsageError(`run ${ref.executionId} is still ${status.status}; \`cellwise watch\` it first`);
  }
  const files = await downloadResults(ctx.client(), ref, options.out);
  if (ctx.json)
    printJson({ executionId: ref.executionId, notebookId: ref.notebookId, status: status.status, files });
  else {
    for (const f of files) ctx.say(`${f.kind.padEnd(8)} ${f.path} (${f.bytes} bytes)`);
    ctx.say(`${files.length} files written to ${options.out} (run ${status.status})`);
  }
  return 0;
}
