import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeDeadLetterQueue } from './nag-acknowledgments.ts';
import type { MakeFunction } from './tenant-function.ts';

/** The delivery worker's handler module, relative to the repository root. */
export const WEBHOOK_DELIVERY_ENTRY = 'functions/webhooks/deliver-webhooks.ts';
/** Its function name on the local stack (which serves the Lambda Invoke API for it). */
export const LOCAL_WEBHOOK_FUNCTION_NAME = 'cellwise-webhook-delivery';
/** The sweep stops after 30 s; each attempt takes at most 10 s; this leaves room for both. */
export const WEBHOOK_DELIVERY_TIMEOUT_SECONDS = 120;

export interface WebhookDeliveryProps {
  makeFunction: MakeFunction;
  /** Grants the worker what it needs (the table: read and write; nothing of the bucket). */
  grant: (fn: NodejsFunction) => void;
}

/**
 * Webhook delivery in AWS: one Lambda **outside the VPC**. It reaches receivers on the
 * Internet through Lambda's own network (no NAT gateway, and nothing of the tenant's VPC:
 * never the kernel host or the endpoints), and needs only the table. An EventBridge rule
 * runs it every minute (retries that came due), and the functions that end runs kick it
 * with an asynchronous invoke (`allowKick`). Invocations that fail after Lambda's retries,
 * and sweeps EventBridge could not deliver, end in `deadLetters` (an alarm watches it).
 */
export class WebhookDelivery extends Construct {
  readonly function: NodejsFunction;
  readonly schedule: Rule;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: WebhookDeliveryProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    acknowledgeDeadLetterQueue(
      this.deadLetters,
      'the webhook delivery worker (its sweep rule and its async invocations)',
    );
    this.function = props.makeFunction('WebhookDelivery', WEBHOOK_DELIVERY_ENTRY, {
      group: 'webhooks',
      permissions: 'table',
      invokedBy: 'EventBridge and the run-ending functions (asynchronously)',
      deadLetterQueue: this.deadLetters,
      memoryMb: 256,
      timeoutSeconds: WEBHOOK_DELIVERY_TIMEOUT_SECONDS,
    });
    props.grant(this.function);
    this.schedule = new Rule(this, 'Sweep', {
      description: 'Cellwise webhooks: send the deliveries whose next attempt is due',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [
        new LambdaFunction(this.function, {
          retryAttempts: 0,
          maxEventAge: Duration.minutes(1),
          deadLetterQueue: this.deadLetters,
        }),
      ],
    });
  }

  /** Lets `fn` kick the worker: invoke permission and `CELLWISE_WEBHOOK_FUNCTION_NAME`. */
  allowKick(fn: NodejsFunction & IGrantable): void {
    this.function.grantInvoke(fn);
    fn.addEnvironment('CELLWISE_WEBHOOK_FUNCTION_NAME', this.function.functionName);
  }
}
