import { Aspects, type IAspect, Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * IAM actions that take no resource-level permission (AWS's Service Authorization
 * Reference): a statement for them can only name `*`.
 */
export const RESOURCE_WILDCARD_ONLY: ReadonlySet<string> = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DescribeManagedPrefixLists',
  'ecr:GetAuthorizationToken',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

/** Why a resource wildcard is the narrowest ARN there is, by what it names (the first pattern that matches). */
const RESOURCE_REASONS: readonly [RegExp, string][] = [
  [
    /^arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface\/\*$/,
    'the network interfaces Lambda makes for a VPC function get their ids when made; creating one is limited to the private subnets and the functions security group',
  ],
  [
    /^<[A-Za-z0-9]+\.Arn>\/tenants\/[0-9a-f-]{36}\/[^ ]*\*[^ ]*$/,
    "objects under the tenant's own prefix (tenants/<id>/), whose keys are made per notebook, revision, run and dataset at run time; deletes are narrowed to the kinds of object the function's job removes",
  ],
  [
    /^<[A-Za-z0-9]+\.Arn>:\*$/,
    'the function and its qualified versions and aliases (`:*`), which is how Lambda names an invoke of a version; only this one function',
  ],
  [
    /^arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule\/cellwise-[0-9a-f-]{36}\/\*$/,
    "the schedules of the tenant's own schedule group, one per notebook, named when the notebook is scheduled",
  ],
  [
    /^arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task\/<[A-Za-z0-9]+>\/\*$/,
    "the tasks of the tenant's kernel host cluster: the ECS agent sets the scale-in protection of the task it runs in, whose id exists only once the task does",
  ],
];

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/**
 * Acknowledges, on each IAM policy, the AwsSolutions-IAM5 findings that are unavoidable, each
 * with its reason: `Resource::*` only for actions that take no resource (checked against
 * `RESOURCE_WILDCARD_ONLY`, and naming them), and the resource patterns of
 * `RESOURCE_REASONS`. Any other wildcard (an action wildcard, `s3:*`, a resource nobody
 * explained) stays an error.
 */
export class WildcardAcknowledgments implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof CfnPolicy)) return;
    const findings = rules.iam.IAMNoWildcardPermissions(node);
    if (!Array.isArray(findings)) return;
    const statements = list(
      (Stack.of(node).resolve(node.policyDocument) as { Statement?: Statement[] }).Statement ?? [],
    );
    for (const finding of findings) {
      const reason = reasonFor(finding, statements);
      if (reason) Validations.of(node).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
  }
}

function reasonFor(finding: string, statements: Statement[]): string | undefined {
  if (!finding.startsWith('Resource::')) return undefined;
  const resource = finding.slice('Resource::'.length);
  if (resource === '*') {
    const actions = statements
      .filter((s) => s.Effect === 'Allow' && list(s.Resource).includes('*'))
      .flatMap((s) => list(s.Action));
    if (actions.length === 0 || !actions.every((a) => RESOURCE_WILDCARD_ONLY.has(a))) return undefined;
    return `Resource * only for ${[...new Set(actions)].sort().join(', ')}: actions that take no resource-level permission`;
  }
  const match = RESOURCE_REASONS.find(([pattern]) => pattern.test(resource));
  return match ? `${resource}: ${match[1]}` : undefined;
}

/** Applies `WildcardAcknowledgments` to every IAM policy under `scope`. */
export function acknowledgeUnavoidableWildcards(scope: IConstruct): void {
  Aspects.of(scope).add(new WildcardAcknowledgments());
}

/**
 * A dead-letter queue is the end of the line: its messages wait for an operator (an alarm
 * fires when one arrives), so it has no dead-letter queue of its own (AwsSolutions-SQS3,
 * Serverless-SQSRedrivePolicy).
 */
export function acknowledgeDeadLetterQueue(queue: IQueue, of: string): void {
  const reason = `The dead-letter queue of ${of}: its messages wait for an operator (an alarm fires when one arrives); a further queue behind it would only move them`;
  Validations.of(queue).acknowledge(
    { id: 'AwsSolutions-SQS3', reason },
    { id: 'Serverless-SQSRedrivePolicy', reason },
  );
}
