import { Aws, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  type GatewayVpcEndpoint,
  GatewayVpcEndpointAwsService,
  type InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  type IVpc,
  SecurityGroup,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, StarPrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The interface endpoints of a tenant VPC without a NAT gateway: what the kernel host's task
 * needs (ECR `api` and `dkr` for the image pull, CloudWatch Logs for the awslogs driver,
 * Secrets Manager for its token) and what the functions in the VPC call besides DynamoDB and
 * S3 (the gateway endpoints): Secrets Manager (the kernel host token), Step Functions
 * (resume starts a run's workflow), Lambda (Finalize, the reconciler and resume kick the
 * webhook worker) and EventBridge Scheduler (the notebook writes that mirror schedules).
 */
export const INTERFACE_ENDPOINTS = {
  EcrApi: InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Logs: InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  SecretsManager: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  StepFunctions: InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
  Lambda: InterfaceVpcEndpointAwsService.LAMBDA,
  Scheduler: new InterfaceVpcEndpointAwsService('scheduler'),
} as const;
export type EndpointName = keyof typeof INTERFACE_ENDPOINTS;

/** What the endpoints are made in, and the data perimeter of the gateway endpoints. */
export interface TenantEndpointsProps {
  vpc: IVpc;
  subnets: SubnetSelection;
  bucket: IBucket;
  table: ITable;
}

/**
 * The tenant's VPC endpoints, each with a policy (a data perimeter): S3 lets through the
 * tenant's bucket and ECR's layer bucket only, DynamoDB the tenant's table; each interface
 * endpoint only this account's principals on this stack's resources, added as the resources
 * are made (`allow…`). A synth fails while an endpoint has no statement (it would allow
 * everything). Their security group takes HTTPS from the groups `allowFrom` names.
 */
export class TenantEndpoints extends Construct {
  readonly securityGroup: SecurityGroup;
  readonly s3: GatewayVpcEndpoint;
  readonly dynamoDb: GatewayVpcEndpoint;
  readonly interfaces: Readonly<Record<EndpointName, InterfaceVpcEndpoint>>;
  private readonly statements = new Map<EndpointName, number>();

  constructor(scope: Construct, id: string, props: TenantEndpointsProps) {
    super(scope, id);
    const { vpc, subnets, bucket, table } = props;
    const anyone = [new StarPrincipal()];
    this.s3 = vpc.addGatewayEndpoint('S3', { service: GatewayVpcEndpointAwsService.S3, subnets: [subnets] });
    // The functions (the tenant's bucket), the kernel host's dataset downloads (presigned URLs
    // of that bucket) and the image pull's layers (ECR's bucket, through presigned URLs).
    this.s3.addToPolicy(
      new PolicyStatement({
        sid: 'TenantBucket',
        principals: anyone,
        actions: ['s3:*'],
        resources: [bucket.bucketArn, bucket.arnForObjects('*')],
      }),
    );
    this.s3.addToPolicy(
      new PolicyStatement({
        sid: 'EcrImageLayers',
        principals: anyone,
        actions: ['s3:GetObject'],
        resources: [`arn:${Aws.PARTITION}:s3:::prod-${Aws.REGION}-starport-layer-bucket/*`],
      }),
    );
    this.dynamoDb = vpc.addGatewayEndpoint('DynamoDB', {
      service: GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [subnets],
    });
    // Only the functions use DynamoDB from the VPC (the kernel host has no route to it).
    this.dynamoDb.addToPolicy(
      new PolicyStatement({
        sid: 'TenantTable',
        principals: anyone,
        actions: ['dynamodb:*'],
        resources: [table.tableArn, `${table.tableArn}/index/*`],
      }),
    );

    this.securityGroup = new SecurityGroup(this, 'Sg', {
      vpc,
      description:
        'Cellwise interface endpoints: ECR, Logs, Secrets Manager, Step Functions, Lambda, Scheduler',
      allowAllOutbound: false,
    });
    const interfaces = {} as Record<EndpointName, InterfaceVpcEndpoint>;
    for (const [name, service] of Object.entries(INTERFACE_ENDPOINTS)) {
      interfaces[name as EndpointName] = vpc.addInterfaceEndpoint(name, {
        service,
        subnets,
        privateDnsEnabled: true,
        securityGroups: [this.securityGroup],
        // No ingress from the whole VPC: only the groups named by `allowFrom`.
        open: false,
      });
    }
    this.interfaces = interfaces;
    // The image pull: the registry login and pulls from this account's repositories (the CDK
    // asset repository) by this account's principals (the task's execution role).
    for (const name of ['EcrApi', 'EcrDocker'] as const) {
      this.allow(name, 'RegistryLogin', ['ecr:GetAuthorizationToken'], ['*']);
      this.allow(
        name,
        'ImagePull',
        ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        [Stack.of(this).formatArn({ service: 'ecr', resource: 'repository', resourceName: '*' })],
      );
    }
    this.node.addValidation({
      validate: () =>
        Object.keys(INTERFACE_ENDPOINTS)
          .filter((name) => !this.statements.has(name as EndpointName))
          .map(
            (name) =>
              `TenantEndpoints: the ${name} endpoint has no policy statement, so it would allow everything (call its allow… method)`,
          ),
    });
  }

  /**
   * Adds a statement for this account's principals to an interface endpoint's policy; `sid`
   * ends in `#` to be numbered (`SecretRead0`, `SecretRead1`…).
   */
  allow(name: EndpointName, sid: string, actions: string[], resources: string[]): void {
    const n = this.statements.get(name) ?? 0;
    this.interfaces[name].addToPolicy(
      new PolicyStatement({
        sid: sid.endsWith('#') ? `${sid.slice(0, -1)}${n}` : sid,
        principals: [new StarPrincipal()],
        actions,
        resources,
        conditions: { StringEquals: { 'aws:PrincipalAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.statements.set(name, n + 1);
  }
}
