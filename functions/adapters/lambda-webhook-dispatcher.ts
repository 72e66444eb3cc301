import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { WebhookDispatcher } from '../core/ports.ts';

/**
 * Kicks the webhook delivery function with an asynchronous Lambda invoke (`Event`: Lambda
 * queues it and answers 202 at once). In AWS it is the delivery Lambda; the local stack
 * serves the same Invoke API and runs the same handler in-process: one client, only the
 * endpoint differs. Without a function name (not configured) it does nothing: the
 * periodic sweep delivers.
 */
export class LambdaWebhookDispatcher implements WebhookDispatcher {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionName: string | undefined,
  ) {}

  async kick(): Promise<void> {
    if (!this.functionName) return;
    await this.lambda.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ source: 'cellwise.run-ended' })),
      }),
    );
  }
}
