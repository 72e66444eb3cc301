import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Resource, Synthesized } from './synth.ts';

export type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
  Sid?: string;
};

export const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The resources of one type, as [logical id, resource]. */
export function ofType(s: Synthesized, type: string): [string, Resource][] {
  return Object.entries(s.resources).filter(([, r]) => r.Type === type);
}

/** The one element of a list (fails otherwise). */
export function only<T>(items: T[]): T {
  if (items.length !== 1) throw new Error(`expected exactly one, got ${items.length}`);
  return items[0]!;
}

/** Logical id of the CloudFormation resource behind an L2 construct (or of an L1 itself). */
export function logicalId(s: Synthesized, construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return s.stack.getLogicalId(element);
}

/** Logical id of the function serving a manifest route (or 'authorizer'). */
export function functionLogicalId(s: Synthesized, routeId: string): string {
  const fn = routeId === 'authorizer' ? s.stack.authorizerFunction : s.stack.functions.get(routeId);
  if (!fn) throw new Error(`no function for route ${routeId}`);
  return logicalId(s, fn);
}

/** Every IAM statement of a role (by logical id), from the policies attached to it. */
export function statementsOfRole(s: Synthesized, roleId: string): Statement[] {
  return ofType(s, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties!.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Statement[]);
}

/** The role (logical id) of a function (by logical id). */
export function roleOfFunction(s: Synthesized, functionId: string): string {
  return (s.resources[functionId]!.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

/** Every IAM statement of the role of a route's function (or 'authorizer'). */
export function statementsOf(s: Synthesized, routeId: string): Statement[] {
  return statementsOfRole(s, roleOfFunction(s, functionLogicalId(s, routeId)));
}

export const actionsOfStatements = (statements: Statement[]) => statements.flatMap((st) => asList(st.Action));

/** The DynamoDB and S3 actions a route's function may take. */
export function dataActionsOf(s: Synthesized, routeId: string): string[] {
  return actionsOfStatements(statementsOf(s, routeId)).filter(
    (a) => a.startsWith('dynamodb:') || a.startsWith('s3:'),
  );
}

/** Statements allowing `action`, with their resources. */
export function statementsAllowing(statements: Statement[], action: string): Statement[] {
  return statements.filter((st) => st.Effect === 'Allow' && asList(st.Action).includes(action));
}

/** A CloudFormation value with `Fn::Join`s and `Ref`s flattened to text (`<Id>`, `<Id.Attr>`). */
export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(text).join(',');
  const v = value as Record<string, any>;
  if (v?.['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(text).join(v['Fn::Join'][0]);
  if (v?.Ref) return `<${v.Ref}>`;
  if (v?.['Fn::GetAtt']) return `<${v['Fn::GetAtt'].join('.')}>`;
  return JSON.stringify(value);
}
