import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../infra/routes.ts';
import { TenantStack } from '../../infra/tenant-stack.ts';
import { WEBHOOK_DELIVERY_TIMEOUT_SECONDS } from '../../infra/webhook-delivery.ts';

/*
 * Webhook delivery in the tenant stack: the worker, its schedule, what it may touch and
 * who may kick it. Bundling is skipped (`aws:cdk:bundling-stacks`), as in tenant-runs.test.ts.
 */

const TENANT_ID = '11111111-2222-3333-4444-555555555555';

type Resource = { Type: string; Properties?: Record<string, any> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

let outdir: string;
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
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    outdir = await mkdtemp(join(tmpdir(), 'cellwise-cdk-webhooks-'));
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    stack = new TenantStack(app, `Cellwise-${TENANT_ID}`, { tenantId: TENANT_ID });
    resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  }, 300_000);

  afterAll(async () => {
    if (outdir) await rm(outdir, { recursive: true, force: true });
  });

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
    expect(actions.filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('logs:'))).toEqual([]);
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

  it('gives every webhook route a function behind the API', () => {
    for (const id of ['createWebhook', 'listWebhooks', 'deleteWebhook', 'listWebhookDeliveries']) {
      expect(stack.functions.get(id), id).toBeDefined();
    }
  });
});
