import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';

/**
 * The local stack runs every handler in one process, many invocations at once, as Lambda's
 * multi-concurrency runtime does: each invocation runs inside Lambda's `InvokeStore` (an
 * AsyncLocalStorage), where Powertools keeps the state of one invocation (the logger's
 * Lambda context and correlation keys, the buffered metrics). So a log line names the
 * request it belongs to even while others run, exactly as in AWS.
 *
 * `installLocalRuntime` must run before any handler module is loaded.
 */
export async function installLocalRuntime(): Promise<void> {
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '1000';
  await InvokeStore.getInstanceAsync(true);
}

/** Calls `handler` as one Lambda invocation of its own (its request id in the InvokeStore). */
export async function invokeLocally<E, R>(
  handler: (event: E, context: Context) => Promise<R> | R,
  event: E,
  context: Context,
): Promise<R> {
  const store = await InvokeStore.getInstanceAsync();
  return store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId }, () =>
    Promise.resolve(handler(event, context)),
  );
}
