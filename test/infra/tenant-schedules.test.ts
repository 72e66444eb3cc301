import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCHEDULE_MANAGEMENT_ACTIONS } from '../../infra/notebook-schedules.ts';
import { ROUTES } from '../../infra/routes.ts';
import type { TenantStack } from '../../infra/tenant-stack.ts';
import { TENANT_ID, tenantSynth } from './support/synth.ts';

/*
 * Notebook schedules in the tenant stack: the schedule group, the fire Lambda, the role
 * EventBridge Scheduler invokes it with, and what the API functions may do with schedules.
 * On the shared synthesis (test/infra/support/synth.ts).
 */

const MANAGING_ROUTES = ['createNotebook', 'updateNotebook', 'deleteNotebook', 'copyNotebook'];

type Resource = { Type: string; Properties?: Record<string, any> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

let stack: TenantStack;
let resources: Record<string, Resource>;

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const roleOfFunction = (fnId: string) => resources[fnId]!.Properties!.Role['Fn::GetAtt'][0] as string;
const envOf = (fnId: string) => resources[fnId]!.Properties!.Environment.Variables as Record<string, unknown>;
const routeFunctionId = (routeId: string) => logicalId(stack.functions.get(routeId)!);

function statementsOfRole(role: string): Statement[] {
  return ofType('AWS::IAM::Policy').flatMap(([, p]) =>
    (p.Properties!.Roles as { Ref: string }[]).some((r) => r.Ref === role)
      ? (p.Properties!.PolicyDocument.Statement as Statement[])
      : [],
  );
}
const actionsOfRole = (role: string) => statementsOfRole(role).flatMap((s) => asList(s.Action));

describe('TenantStack schedules', () => {
  beforeAll(async () => {
    ({ stack, resources } = (await tenantSynth()).plain);
  }, 600_000);

  it('creates one schedule group named for the tenant', () => {
    const groups = ofType('AWS::Scheduler::ScheduleGroup');
    expect(groups).toHaveLength(1);
    expect(groups[0]![1].Properties!.Name).toBe(`cellwise-${TENANT_ID}`);
  });

  it('lets only EventBridge Scheduler of this account assume the invoke role, which may invoke only the fire function and send only to the dead letters', () => {
    const role = resources[logicalId(stack.schedules.invokeRole)]!;
    const trust = role.Properties!.AssumeRolePolicyDocument.Statement as any[];
    expect(trust).toHaveLength(1);
    expect(trust[0].Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(trust[0].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    const statements = statementsOfRole(logicalId(stack.schedules.invokeRole));
    const invoke = statements.filter((s) => asList(s.Action).includes('lambda:InvokeFunction'));
    expect(invoke.flatMap((s) => asList(s.Action))).toEqual(['lambda:InvokeFunction']);
    const fire = logicalId(stack.schedules.fireFunction);
    for (const s of invoke) {
      for (const r of asList(s.Resource as any)) expect(JSON.stringify(r)).toContain(fire);
    }
    const rest = statements.filter((s) => !invoke.includes(s));
    expect(rest.flatMap((s) => asList(s.Action)).sort()).toEqual([
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    for (const s of rest)
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack.schedules.deadLetters), 'Arn'] });
  });

  it('sends a fire that fails for good to the dead-letter queue, from the scheduler and from the function', () => {
    const queueArn = { 'Fn::GetAtt': [logicalId(stack.schedules.deadLetters), 'Arn'] };
    const fire = logicalId(stack.schedules.fireFunction);
    expect(resources[fire]!.Properties!.DeadLetterConfig).toEqual({ TargetArn: queueArn });
    // The routes that write schedules give each one the queue as its dead-letter target.
    for (const route of MANAGING_ROUTES) {
      expect(envOf(routeFunctionId(route)).CELLWISE_SCHEDULER_DEAD_LETTER_ARN, route).toEqual(queueArn);
    }
    const queue = resources[logicalId(stack.schedules.deadLetters)]!.Properties!;
    expect(queue.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(queue.SqsManagedSseEnabled).toBe(true);
  });

  it('gives the fire function what submitting a run needs and no schedule management', () => {
    const fire = logicalId(stack.schedules.fireFunction);
    const actions = actionsOfRole(roleOfFunction(fire));
    expect(actions).toContain('states:StartExecution');
    expect(actions).toContain('dynamodb:PutItem');
    expect(actions.some((a) => a.startsWith('scheduler:'))).toBe(false);
    expect(envOf(fire).CELLWISE_STATE_MACHINE_ARN).toEqual({
      Ref: logicalId(stack.runs.workflow.stateMachine),
    });
    expect(resources[fire]!.Properties!.Handler).toBe('index.handler');
  });

  it('lets exactly the routes that change notebooks manage schedules in the group and pass the invoke role', () => {
    const managing = ROUTES.filter((r) => r.uses?.includes('schedules')).map((r) => r.id);
    expect(managing.sort()).toEqual([...MANAGING_ROUTES].sort());
    const roleArn = { 'Fn::GetAtt': [logicalId(stack.schedules.invokeRole), 'Arn'] };
    for (const route of ROUTES) {
      const fn = routeFunctionId(route.id);
      const statements = statementsOfRole(roleOfFunction(fn));
      const scheduler = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('scheduler:')));
      const passRole = statements.filter((s) => asList(s.Action).includes('iam:PassRole'));
      const env = envOf(fn);
      if (!MANAGING_ROUTES.includes(route.id)) {
        expect(scheduler, route.id).toEqual([]);
        expect(passRole, route.id).toEqual([]);
        expect(env.CELLWISE_SCHEDULE_GROUP, route.id).toBeUndefined();
        continue;
      }
      expect(scheduler.flatMap((s) => asList(s.Action)).sort(), route.id).toEqual(
        [...SCHEDULE_MANAGEMENT_ACTIONS].sort(),
      );
      const resource = JSON.stringify(scheduler[0]!.Resource);
      expect(resource).toContain(`:schedule/cellwise-${TENANT_ID}/*`);
      expect(passRole.map((s) => s.Resource)).toEqual([roleArn]);
      expect(passRole[0]!.Condition).toEqual({
        StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      });
      expect(env.CELLWISE_SCHEDULER_ROLE_ARN).toEqual(roleArn);
      expect(env.CELLWISE_SCHEDULER_TARGET_ARN).toEqual({
        'Fn::GetAtt': [logicalId(stack.schedules.fireFunction), 'Arn'],
      });
      expect(env.CELLWISE_SCHEDULE_GROUP).toBe(`cellwise-${TENANT_ID}`);
    }
  });
});
