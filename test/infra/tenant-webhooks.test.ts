import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../infra/routes.ts';
import type { TenantStack } from '../../infra/tenant-stack.ts';
import { WEBHOOK_DELIVERY_TIMEOUT_SECONDS } from '../../infra/webhook-delivery.ts';
import { tenantSynth } from './support/synth.ts';

/*
 * Webhook delivery in the tenant stack: the worker, its schedule, what it may touch and
 * who may kick it, where its failures go. On the shared synthesis (test/infra/support/synth.ts).
 */

type Resource = { Type: string; Properties?: Record<string, any> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

let stack: TenantStack;
let resources: Record<string, Resource>;

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const roleOf = (fnId: string) => resources[fnId]!.Properties!.Role['Fn::GetAtt'][0] as string;
const envOf = (fnId: string) => resources[fnId]!.Properties!.Environment.Variables as Record<string, unknown>;

function statementsOf(role: string): Statement[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties!.Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Statement[]);
}

/** Roles allowed to invoke the delivery function. */
function invokers(deliveryId: string): Set<string> {
  return new Set(
    ofType('AWS::IAM::Policy').flatMap(([, p]) =>
      (p.Properties!.PolicyDocument.Statement as Statement[]).some(
        (s) =>
          asList(s.Action).includes('lambda:InvokeFunction') &&
          JSON.stringify(s.Resource).includes(`"${deliveryId}"`),
      )
        ? (p.Properties!.Roles as { Ref: string }[]).map((r) => r.Ref)
        : [],
    ),
  );
}

describe('TenantStack webhooks', () => {
  beforeAll(async () => {
    ({ stack, resources } = (await tenantSynth()).plain);
  }, 600_000);

  it('runs the delivery function every minute from an EventBridge rule', () => {
    const deliveryId = logicalId(stack.webhooks.function);
    const rule = resources[logicalId(stack.webhooks.schedule)]!;
    expect(rule.Properties!.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule.Properties!.State).toBe('ENABLED');
    expect(rule.Properties!.Targets.map((t: any) => t.Arn['Fn::GetAtt'][0])).toEqual([deliveryId]);
    const permission = ofType('AWS::Lambda::Permission').find(
      ([, p]) =>
        p.Properties!.Principal === 'events.amazonaws.com' &&
        p.Properties!.FunctionName['Fn::GetAtt']?.[0] === deliveryId,
    );
    expect(permission).toBeDefined();
    expect(resources[deliveryId]!.Properties!.Timeout).toBe(WEBHOOK_DELIVERY_TIMEOUT_SECONDS);
  });

  it('keeps the delivery function outside the VPC, with the table only (no bucket, workflow, secret)', () => {
    const deliveryId = logicalId(stack.webhooks.function);
    expect(resources[deliveryId]!.Properties!.VpcConfig).toBeUndefined();
    const env = envOf(deliveryId);
    expect(env).not.toHaveProperty('CELLWISE_STATE_MACHINE_ARN');
    expect(env).not.toHaveProperty('CELLWISE_KERNEL_HOST_TOKEN_SECRET');
    const statements = statementsOf(roleOf(deliveryId));
    const actions = statements.flatMap((s) => asList(s.Action));
    expect(actions.some((a) => a.startsWith('dynamodb:'))).toBe(true);
    expect(actions.filter((a) => !/^(dynamodb|logs|xray):/.test(a) && a !== 'sqs:SendMessage')).toEqual([]);
    const send = statements.filter((s) => asList(s.Action).includes('sqs:SendMessage'));
    for (const s of send)
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack.webhooks.deadLetters), 'Arn'] });
    const tableId = logicalId(stack.table);
    for (const s of statements.filter((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:')))) {
      expect(JSON.stringify(s.Resource)).toContain(tableId);
    }
  });

  it('lets exactly the functions that end runs kick it, and tells them its name', () => {
    const deliveryId = logicalId(stack.webhooks.function);
    const kickers = [
      logicalId(stack.runs.tasks.get('Finalize')!),
      logicalId(stack.runs.reconciler),
      ...ROUTES.filter((r) => r.uses?.includes('webhooks')).map((r) => logicalId(stack.functions.get(r.id)!)),
    ];
    expect(kickers).toContain(logicalId(stack.functions.get('cancelExecution')!));
    expect(invokers(deliveryId)).toEqual(new Set(kickers.map(roleOf)));
    for (const fnId of kickers) {
      expect(envOf(fnId).CELLWISE_WEBHOOK_FUNCTION_NAME).toEqual({ Ref: deliveryId });
    }
    expect(envOf(logicalId(stack.functions.get('createWebhook')!))).not.toHaveProperty(
      'CELLWISE_WEBHOOK_FUNCTION_NAME',
    );
  });

  it('sends failed invocations (async retries spent) and undeliverable sweeps to its dead-letter queue', () => {
    const queueArn = { 'Fn::GetAtt': [logicalId(stack.webhooks.deadLetters), 'Arn'] };
    const deliveryId = logicalId(stack.webhooks.function);
    expect(resources[deliveryId]!.Properties!.DeadLetterConfig).toEqual({ TargetArn: queueArn });
    const target = resources[logicalId(stack.webhooks.schedule)]!.Properties!.Targets[0];
    expect(target.DeadLetterConfig).toEqual({ Arn: queueArn });
  });

  it('gives every webhook route a function behind the API', () => {
    for (const id of ['createWebhook', 'listWebhooks', 'deleteWebhook', 'listWebhookDeliveries']) {
      expect(stack.functions.get(id), id).toBeDefined();
    }
  });
});
