import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { MakeFunction } from './tenant-function.ts';

/** The delivery worker's handler module, relative to the repository root. */
export const WEBHOOK_DELIVERY_ENTRY = 'functions/webhooks/deliver-webhooks.ts';
/** Its function name on the local stack (which serves the Lambda Invoke API for it). */
export const LOCAL_WEBHOOK_FUNCTION_NAME = 'cellwise-webhook-delivery';
/** The sweep stops after 30 s; each attempt takes at most 10 s; this leaves room for both. */
export const WEBHOOK_DELIVERY_TIMEOUT_SECONDS = 120;

export interface WebhookDeliveryProps {
  makeFunction: MakeFunction;
  table: ITable;
}

/**
 * Webhook delivery in AWS: one Lambda outside the VPC (it reaches receivers on the
 * internet, never the kernel host or the workflow), allowed the table only; an EventBridge
 * rule runs it every minute (retries that came due), and the functions that end runs kick
 * it with an asynchronous invoke (`kick`).
 */
export class WebhookDelivery extends Construct {
  readonly function: NodejsFunction;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: WebhookDeliveryProps) {
    super(scope, id);
    this.function = props.makeFunction('WebhookDelivery', WEBHOOK_DELIVERY_ENTRY, {
      memoryMb: 256,
      timeoutSeconds: WEBHOOK_DELIVERY_TIMEOUT_SECONDS,
    });
    props.table.grantReadWriteData(this.function);
    this.schedule = new Rule(this, 'Sweep', {
      description: 'Cellwise webhooks: send the deliveries whose next attempt is due',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }

  /** Lets `fn` kick the worker: invoke permission and `CELLWISE_WEBHOOK_FUNCTION_NAME`. */
  allowKick(fn: NodejsFunction & IGrantable): void {
    this.function.grantInvoke(fn);
    fn.addEnvironment('CELLWISE_WEBHOOK_FUNCTION_NAME', this.function.functionName);
  }
}
