import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_WILDCARD_ONLY } from '../../infra/nag-acknowledgments.ts';
import { AUTHORIZER_ENTRY, ROUTES } from '../../infra/routes.ts';
import { TABLE_SCHEMA } from '../../infra/table-schema.ts';
import { TenantStack } from '../../infra/tenant-stack.ts';
import { WORKFLOW_TASKS } from '../../infra/workflow-tasks.ts';
import { TENANT_ID, tenantSynth } from './support/synth.ts';

type Resource = { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

let stack: TenantStack;
let template: Template;
let resources: Record<string, Resource>;

function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

function ofType(type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/** The Lambda behind the deploy-time S3 prefix-list lookup (CDK's AwsCustomResource provider). */
function prefixListLookupFunctionId(): string {
  const lookup = resources[logicalId(stack.network.s3PrefixListLookup.node.findChild('Resource'))]!;
  return (lookup.Properties!.ServiceToken as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

/** The service's own Lambdas: every function but the prefix-list lookup. */
function serviceFunctions(): [string, Resource][] {
  return ofType('AWS::Lambda::Function').filter(([id]) => id !== prefixListLookupFunctionId());
}

/** Logical id of the CloudFormation resource behind an L2 construct. */
function logicalId(construct: IConstruct): string {
  return stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
}

/** Logical id of the function serving a manifest route (or 'authorizer'). */
function functionLogicalId(routeId: string): string {
  const fn = routeId === 'authorizer' ? stack.authorizerFunction : stack.functions.get(routeId);
  if (!fn) throw new Error(`no function for route ${routeId}`);
  return logicalId(fn);
}

/** Every IAM statement attached to the execution role of a route's function. */
function statementsOf(routeId: string): Statement[] {
  return statementsOfFunction(functionLogicalId(routeId));
}

/** The statements of the role of the function with this logical id. */
function statementsOfFunction(functionId: string): Statement[] {
  const role = resources[functionId]!.Properties!.Role as { 'Fn::GetAtt': [string, string] };
  const roleId = role['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties!.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
}

function actionsOf(routeId: string): string[] {
  return statementsOf(routeId).flatMap((s) => asList(s.Action));
}

function dataActionsOf(routeId: string): string[] {
  return actionsOf(routeId).filter((a) => a.startsWith('dynamodb:') || a.startsWith('s3:'));
}

describe('TenantStack', () => {
  beforeAll(async () => {
    ({ stack, template, resources } = (await tenantSynth()).plain);
  }, 600_000);

  it('throws when the tenantId is not a GUID', () => {
    const app = new App();
    expect(() => new TenantStack(app, 'x', { tenantId: 'not-a-guid' })).toThrow(/GUID/);
    expect(() => new TenantStack(app, 'y', { tenantId: '' })).toThrow(/GUID/);
  });

  it('creates one nodejs22.x arm64 Lambda per manifest route and workflow task, plus authorizer, reconciler, queue sweep, webhook delivery and schedule fire', () => {
    // Besides: the deploy-time S3 prefix-list lookup (CDK's provider; tenant-network.test.ts).
    template.resourceCountIs('AWS::Lambda::Function', ROUTES.length + WORKFLOW_TASKS.length + 5 + 1);
    expect(serviceFunctions()).toHaveLength(ROUTES.length + WORKFLOW_TASKS.length + 5);
    for (const [, fn] of serviceFunctions()) {
      expect(fn.Properties!.Runtime).toBe('nodejs22.x');
      expect(fn.Properties!.Architectures).toEqual(['arm64']);
      expect(fn.Properties!.Handler).toBe('index.handler');
    }
    expect(stack.authorizerFunction).toBeDefined();
    expect(AUTHORIZER_ENTRY).toMatch(/authorizer\.ts$/);
  });

  it('sizes each function from the manifest when it sets memory or timeout', () => {
    for (const route of ROUTES) {
      const props = resources[functionLogicalId(route.id)]!.Properties!;
      expect(props.MemorySize, route.id).toBe(route.memoryMb ?? 512);
      expect(props.Timeout, route.id).toBe(route.timeoutSeconds ?? 29);
    }
  });

  it('gives every function the table, the bucket and the API URL in its environment', () => {
    for (const [, fn] of serviceFunctions()) {
      const variables = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.CELLWISE_TABLE_NAME).toEqual({ Ref: logicalId(stack.table) });
      expect(variables.CELLWISE_BUCKET_NAME).toEqual({
        Ref: logicalId(stack.bucket),
      });
      expect(variables.CELLWISE_PUBLIC_BASE_URL).toEqual({
        'Fn::GetAtt': [logicalId(stack.api), 'ApiEndpoint'],
      });
      expect(variables.CELLWISE_KERNELS).toBeTypeOf('string');
      expect(Number(variables.CELLWISE_MAX_UPLOAD_BYTES)).toBeGreaterThan(0);
    }
  });

  it('exposes exactly the manifest routes, each with its method and path', () => {
    const routeKeys = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties!.RouteKey);
    expect(routeKeys).toHaveLength(ROUTES.length);
    expect(new Set(routeKeys)).toEqual(new Set(ROUTES.map((r) => `${r.method} ${r.path}`)));
  });

  it('integrates each route with the function built for it', () => {
    for (const route of ROUTES) {
      const [, apiRoute] = ofType('AWS::ApiGatewayV2::Route').find(
        ([, r]) => r.Properties!.RouteKey === `${route.method} ${route.path}`,
      )!;
      const target = apiRoute.Properties!.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integration = resources[target['Fn::Join'][1][1].Ref]!;
      expect(integration.Properties!.IntegrationType).toBe('AWS_PROXY');
      expect(integration.Properties!.PayloadFormatVersion).toBe('2.0');
      expect(integration.Properties!.IntegrationUri, route.id).toEqual({
        'Fn::GetAtt': [functionLogicalId(route.id), 'Arn'],
      });
    }
  });

  it('puts the Lambda authorizer on auth routes and no authorizer on public routes', () => {
    const [authorizerId] = ofType('AWS::ApiGatewayV2::Authorizer').map(([id]) => id);
    for (const route of ROUTES) {
      const [, apiRoute] = ofType('AWS::ApiGatewayV2::Route').find(
        ([, r]) => r.Properties!.RouteKey === `${route.method} ${route.path}`,
      )!;
      if (route.auth) {
        expect(apiRoute.Properties!.AuthorizationType, route.id).toBe('CUSTOM');
        expect(apiRoute.Properties!.AuthorizerId, route.id).toEqual({ Ref: authorizerId });
      } else {
        expect(apiRoute.Properties!.AuthorizationType ?? 'NONE', route.id).toBe('NONE');
        expect(apiRoute.Properties!.AuthorizerId, route.id).toBeUndefined();
      }
    }
  });

  it('refuses a request without an Authorization header before any Lambda runs, and caches no decision (revocation)', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerUri: Match.objectLike({
        'Fn::Join': Match.arrayWith([
          Match.arrayWith([{ 'Fn::GetAtt': [functionLogicalId('authorizer'), 'Arn'] }]),
        ]),
      }),
    });
  });

  it('throttles the auto-deployed default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });

  it('builds the table from TABLE_SCHEMA, on demand, with PITR, encryption and retention', () => {
    const gsi = TABLE_SCHEMA.globalSecondaryIndexes[0];
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE_SCHEMA.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: TABLE_SCHEMA.sortKey.name, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayEquals(
          [TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey, gsi.partitionKey, gsi.sortKey].map((k) => ({
            AttributeName: k.name,
            AttributeType: k.type,
          })),
        ),
        GlobalSecondaryIndexes: [
          {
            IndexName: gsi.indexName,
            KeySchema: [
              { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' },
              { AttributeName: gsi.sortKey.name, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      },
    });
  });

  it('blocks public access to the bucket, encrypts and versions it, logs its accesses, and keeps it on stack deletion', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    expect(resources[logicalId(stack.bucket)]!.Properties!.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logicalId(stack.logBucket) },
      LogFilePrefix: 'notebooks-access/',
    });
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: Match.stringLikeRegexp('^(AES256|aws:kms)$') } },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ Status: 'Enabled', NoncurrentVersionExpiration: Match.anyValue() }),
          ]),
        },
      },
    });
  });

  it('lets pages read presigned GETs of the notebook bucket cross-origin, and nothing else', () => {
    expect(resources[logicalId(stack.bucket)]!.Properties!.CorsConfiguration).toEqual({
      CorsRules: [{ AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['*'], MaxAge: 3600 }],
    });
    expect(resources[logicalId(stack.logBucket)]!.Properties!.CorsConfiguration).toBeUndefined();
  });

  it('denies requests to the bucket that do not use TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('writes no wildcard action, and a wildcard resource only for actions that support no other', () => {
    const statements = ofType('AWS::IAM::Policy').flatMap(
      ([, p]) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(asList(statement.Action)).not.toContain('*');
      if (asList(statement.Resource).includes('*')) {
        for (const action of asList(statement.Action)) expect(RESOURCE_WILDCARD_ONLY).toContain(action);
      }
    }
  });

  it('attaches no managed policies (with their wildcard resources) to function roles', () => {
    for (const [id, role] of ofType('AWS::IAM::Role')) {
      expect(role.Properties!.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it('does not let the read-only route getNotebook write to the table or the bucket', () => {
    const actions = actionsOf('getNotebook');
    expect(actions).toContain('dynamodb:GetItem');
    expect(actions).toContain('s3:GetObject');
    for (const write of [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      's3:PutObject',
      's3:DeleteObject',
    ]) {
      expect(actions).not.toContain(write);
    }
  });

  it('lets the authorizer do nothing with the data but GetItem on the base table', () => {
    expect(dataActionsOf('authorizer')).toEqual(['dynamodb:GetItem']);
    const [statement] = statementsOf('authorizer').filter((s) =>
      asList(s.Action).includes('dynamodb:GetItem'),
    );
    expect(asList(statement!.Resource)).toEqual([{ 'Fn::GetAtt': [logicalId(stack.table), 'Arn'] }]);
  });

  it('gives the docs, OpenAPI and static routes no access to the table or the bucket', () => {
    expect(dataActionsOf('getOpenApi')).toEqual([]);
    expect(dataActionsOf('viewApiDocs')).toEqual([]);
    expect(dataActionsOf('getStaticAsset')).toEqual([]);
  });

  it('lets the viewer page only GetItem on the base table (its notebook in its investigation)', () => {
    expect(dataActionsOf('viewNotebookPage')).toEqual(['dynamodb:GetItem']);
    const [statement] = statementsOf('viewNotebookPage').filter((s) =>
      asList(s.Action).includes('dynamodb:GetItem'),
    );
    expect(asList(statement!.Resource)).toEqual([{ 'Fn::GetAtt': [logicalId(stack.table), 'Arn'] }]);
  });

  it('lets only the authorizer and the link-signing route read the notebook link signing key', () => {
    const [keyId] =
      ofType('AWS::SecretsManager::Secret').find(([id]) => id.startsWith('LinkSigningKey')) ?? [];
    expect(keyId).toBeDefined();
    const readers = [...stack.functions.keys(), 'authorizer'].filter((id) =>
      JSON.stringify(statementsOf(id)).includes(keyId!),
    );
    expect(readers.sort()).toEqual(['authorizer', 'getNotebookUrl']);
  });

  it('lets only the secrets PUT route and the RunCells task read the project secrets master key', () => {
    const [keyId] = ofType('AWS::SecretsManager::Secret').find(([id]) => id.startsWith('SecretsKey')) ?? [];
    expect(keyId).toBeDefined();
    const readers = [...stack.functions.keys(), 'authorizer'].filter((id) =>
      JSON.stringify(statementsOf(id)).includes(keyId!),
    );
    expect(readers.sort()).toEqual(['putSecret']);
    const tasks = [...stack.runs.tasks.entries()].filter(([, fn]) =>
      JSON.stringify(statementsOfFunction(logicalId(fn))).includes(keyId!),
    );
    expect(tasks.map(([state]) => state)).toEqual(['RunCells']);
  });

  it('lets health only probe the table with one read and list (HEAD) the bucket', () => {
    expect(new Set(dataActionsOf('health'))).toEqual(
      new Set(['dynamodb:GetItem', 's3:ListBucket', 's3:GetObject']),
    );
  });

  it('lets mutating routes write the table, and the notebook and dataset deletes delete objects', () => {
    for (const route of ROUTES.filter((r) => r.method !== 'GET')) {
      const actions = actionsOf(route.id);
      // The upload-URL routes only sign a PUT: they write nothing themselves.
      if (!['createDatasetUpload', 'createNotebookUpload'].includes(route.id))
        expect(actions, route.id).toContain('dynamodb:PutItem');
      if (route.method === 'DELETE') expect(actions, route.id).toContain('dynamodb:DeleteItem');
    }
    expect(actionsOf('deleteNotebook')).toContain('s3:DeleteObject');
    expect(actionsOf('deleteDataset')).toContain('s3:DeleteObject');
  });

  it('outputs the API URL, the table and bucket names, the state machine ARN, the kernel host URL, the alarm topic and the dashboard', () => {
    template.hasOutput('ApiUrl', {});
    template.hasOutput('TableName', {});
    template.hasOutput('BucketName', {});
    template.hasOutput('StateMachineArn', {});
    template.hasOutput('KernelHostUrl', {});
    template.hasOutput('AlarmTopicArn', {});
    template.hasOutput('DashboardName', {});
  });

  it('tags the stack and its resources with the tenant', () => {
    expect(stack.tags.tagValues()).toMatchObject({ 'cellwise:tenant': TENANT_ID });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      Tags: Match.arrayWith([{ Key: 'cellwise:tenant', Value: TENANT_ID }]),
    });
  });
});
