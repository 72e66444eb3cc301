import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  Connections,
  type GatewayVpcEndpoint,
  GatewayVpcEndpointAwsService,
  type InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  type IPeer,
  IpAddresses,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { type IRole, PolicyStatement, Role, ServicePrincipal, StarPrincipal } from 'aws-cdk-lib/aws-iam';
import { type ILogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsCustomResource, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct, DependencyGroup, type IDependable } from 'constructs';
import { type KernelEgressRule, kernelEgressDescription, parseKernelEgress } from './kernel-egress.ts';

/** The port every kernel host listens on (Jupyter Server). */
export const KERNEL_HOST_PORT = 8888;

/** Where the kernel host and the functions that reach it run: the private subnets. */
export const PRIVATE_SUBNETS: SubnetSelection = { subnetType: SubnetType.PRIVATE_WITH_EGRESS };

/** The tenant VPC's address range. */
const VPC_CIDR = '10.64.0.0/16';

/**
 * The AWS services the kernel host's task reaches through its own network interface, each
 * through an interface endpoint (private DNS) in the private subnets: ECR (`ecr.api`, the
 * registry login; `ecr.dkr`, the manifests) for the image pull, CloudWatch Logs for the
 * awslogs driver, Secrets Manager for the token ECS injects. The image layers come from S3,
 * through the gateway endpoint.
 */
export const KERNEL_HOST_INTERFACE_ENDPOINTS = {
  EcrApi: InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Logs: InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  SecretsManager: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
} as const;
export type KernelHostEndpointName = keyof typeof KERNEL_HOST_INTERFACE_ENDPOINTS;

/**
 * An AWS-managed prefix list as a security group peer whose rule stays inline in the group
 * (CDK's `Peer.prefixList` makes a separate rule resource). An inline rule keeps the group's
 * own egress list non-empty, so EC2 never gives it the default allow-all egress rule, not
 * even between the group's creation and the separate rules'.
 */
class InlinePrefixList implements IPeer {
  readonly canInlineRule = true;
  readonly connections: Connections = new Connections({ peer: this });
  constructor(
    readonly prefixListId: string,
    readonly uniqueId: string,
  ) {}
  toIngressRuleConfig() {
    return { sourcePrefixListId: this.prefixListId };
  }
  toEgressRuleConfig() {
    return { destinationPrefixListId: this.prefixListId };
  }
}

/** What the network's data perimeter allows and what the kernel host may reach besides. */
export interface TenantNetworkProps {
  /** The tenant's bucket: the only bucket of the account the S3 gateway endpoint lets through. */
  bucket: IBucket;
  /** The tenant's table: the only table the DynamoDB gateway endpoint lets through. */
  table: ITable;
  /** Extra egress of the kernel host (`kernelEgress`; validated by `parseKernelEgress`). */
  kernelEgress?: readonly KernelEgressRule[];
}

/**
 * The tenant's network: a VPC over two AZs with public subnets (the one NAT gateway) and
 * private subnets with egress (the kernel host and the functions that reach it), gateway
 * endpoints for S3 and DynamoDB and interface endpoints for what the kernel host's task needs,
 * and the security groups:
 *
 * - `functionsSg`: the Lambdas that call the kernel host (workflow tasks, reconciler, health).
 *   Outbound HTTPS (AWS APIs) and the kernel host's port; no inbound.
 * - `kernelHostSg`: the kernel host, where notebook code runs. Inbound: its port, from
 *   `functionsSg` only. Outbound: HTTPS to the S3 prefix list (the gateway endpoint) and to
 *   `endpointsSg` (the interface endpoints), and only the `kernelEgress` allow-list besides:
 *   by default nothing on the Internet.
 * - `endpointsSg`: the interface endpoints. Inbound HTTPS from the kernel host and the
 *   functions (Secrets Manager); no outbound.
 *
 * Every endpoint has a policy (a data perimeter): S3 lets through the tenant's bucket and the
 * ECR layer bucket only, DynamoDB the tenant's table; the interface endpoints only this
 * account's principals on this stack's resources. So notebook code cannot carry data out
 * through them with credentials of its own (it has none of the account's: the task role has
 * no permissions).
 */
export class TenantNetwork extends Construct {
  readonly vpc: Vpc;
  readonly functionsSg: SecurityGroup;
  readonly kernelHostSg: SecurityGroup;
  readonly endpointsSg: SecurityGroup;
  readonly s3Endpoint: GatewayVpcEndpoint;
  readonly dynamoDbEndpoint: GatewayVpcEndpoint;
  readonly interfaceEndpoints: Readonly<Record<KernelHostEndpointName, InterfaceVpcEndpoint>>;
  /** The id (`pl-…`) of the region's S3 prefix list, looked up at deploy time. */
  readonly s3PrefixListId: string;
  /** The custom resource that looks the S3 prefix list up (`ec2:DescribeManagedPrefixLists`). */
  readonly s3PrefixListLookup: AwsCustomResource;
  /** The kernel host's extra egress, as given. */
  readonly kernelEgress: readonly KernelEgressRule[];
  /**
   * What the kernel host's task needs before it starts: the endpoints and the security group
   * rules to them (a task started earlier would fail its image pull).
   */
  readonly kernelHostEgressReady: IDependable;
  private readonly endpointStatements = new Map<KernelHostEndpointName, number>();

  constructor(scope: Construct, id: string, props: TenantNetworkProps) {
    super(scope, id);
    const { bucket, table } = props;
    this.kernelEgress = parseKernelEgress(props.kernelEgress ?? [], 'TenantNetwork: kernelEgress');
    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(VPC_CIDR),
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      // Nothing is ever placed in the default security group. Restricting it takes CDK's
      // custom resource Lambda with a managed-policy role (logs:* on every log group).
      restrictDefaultSecurityGroup: false,
    });

    // --- Gateway endpoints, each with a data perimeter -------------------------------------
    // (Construct ids as the Vpc's `gatewayEndpoints` option gave them: the same resources.)
    this.s3Endpoint = this.vpc.addGatewayEndpoint('S3', {
      service: GatewayVpcEndpointAwsService.S3,
      subnets: [PRIVATE_SUBNETS],
    });
    // Everything in the private subnets reaches S3 only through here: the functions (the
    // tenant's bucket), the kernel host's dataset downloads (presigned URLs of that bucket) and
    // the image pull's layers (ECR's bucket, through presigned URLs ECR hands out).
    this.s3Endpoint.addToPolicy(
      new PolicyStatement({
        sid: 'TenantBucket',
        principals: [new StarPrincipal()],
        actions: ['s3:*'],
        resources: [bucket.bucketArn, bucket.arnForObjects('*')],
      }),
    );
    this.s3Endpoint.addToPolicy(
      new PolicyStatement({
        sid: 'EcrImageLayers',
        principals: [new StarPrincipal()],
        actions: ['s3:GetObject'],
        resources: [`arn:${Aws.PARTITION}:s3:::prod-${Aws.REGION}-starport-layer-bucket/*`],
      }),
    );
    this.dynamoDbEndpoint = this.vpc.addGatewayEndpoint('DynamoDB', {
      service: GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [PRIVATE_SUBNETS],
    });
    // Only the functions use DynamoDB from the VPC (the kernel host has no route to it).
    this.dynamoDbEndpoint.addToPolicy(
      new PolicyStatement({
        sid: 'TenantTable',
        principals: [new StarPrincipal()],
        actions: ['dynamodb:*'],
        resources: [table.tableArn, `${table.tableArn}/index/*`],
      }),
    );

    // --- Security groups ----------------------------------------------------------------------
    this.functionsSg = new SecurityGroup(this, 'FunctionsSg', {
      vpc: this.vpc,
      description: 'Cellwise functions that reach the kernel host',
      allowAllOutbound: false,
    });
    this.functionsSg.addEgressRule(
      Peer.anyIpv4(),
      Port.tcp(443),
      'AWS APIs: through the VPC endpoints (S3, DynamoDB, Secrets Manager) or over the NAT',
    );

    this.kernelHostSg = new SecurityGroup(this, 'KernelHostSg', {
      vpc: this.vpc,
      description: 'Cellwise kernel host: Jupyter Server, reachable from the functions only',
      allowAllOutbound: false,
    });
    // Adds the ingress rule to the kernel host and the matching egress rule to the functions.
    this.kernelHostSg.connections.allowFrom(
      this.functionsSg,
      Port.tcp(KERNEL_HOST_PORT),
      'Jupyter Server API and kernel websockets, from the Cellwise functions',
    );

    this.endpointsSg = new SecurityGroup(this, 'EndpointsSg', {
      vpc: this.vpc,
      description: 'Cellwise interface endpoints: ECR, CloudWatch Logs, Secrets Manager',
      allowAllOutbound: false,
    });
    this.endpointsSg.addIngressRule(
      this.kernelHostSg,
      Port.tcp(443),
      'HTTPS from the kernel host: image pull, awslogs, token secret',
    );
    this.endpointsSg.addIngressRule(
      this.functionsSg,
      Port.tcp(443),
      'HTTPS from the Cellwise functions: Secrets Manager',
    );

    // --- The kernel host's egress ---------------------------------------------------------------
    // S3's prefix list id differs per region and CloudFormation has no attribute for it (the
    // gateway endpoint does not return it): a custom resource looks it up at deploy time, so
    // synth needs no credentials and no context lookup. Its Lambda runs outside the VPC.
    const lookupRole = new Role(this, 'S3PrefixListLookupRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Cellwise: looks up the S3 prefix list id at deploy time',
    });
    const lookupLogs = new LogGroup(this, 'S3PrefixListLookupLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    lookupLogs.grantWrite(lookupRole);
    // A List/Describe action: no resource-level permissions.
    lookupRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['ec2:DescribeManagedPrefixLists'], resources: ['*'] }),
    );
    const s3PrefixListName = GatewayVpcEndpointAwsService.S3.name; // com.amazonaws.<region>.s3
    this.s3PrefixListLookup = new AwsCustomResource(this, 'S3PrefixList', {
      onUpdate: {
        service: 'EC2',
        action: 'DescribeManagedPrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: [s3PrefixListName] }] },
        physicalResourceId: PhysicalResourceId.fromResponse('PrefixLists.0.PrefixListId'),
        outputPaths: ['PrefixLists.0.PrefixListId'],
      },
      role: lookupRole,
      logGroup: lookupLogs,
      installLatestAwsSdk: false,
    });
    this.s3PrefixListId = this.s3PrefixListLookup.getResponseField('PrefixLists.0.PrefixListId');
    this.kernelHostSg.addEgressRule(
      new InlinePrefixList(this.s3PrefixListId, 'S3PrefixList'),
      Port.tcp(443),
      'S3 through the gateway endpoint: the tenant bucket and ECR image layers only (endpoint policy)',
    );
    this.kernelHostSg.addEgressRule(
      this.endpointsSg,
      Port.tcp(443),
      'ECR, CloudWatch Logs and Secrets Manager through the interface endpoints',
    );
    for (const rule of this.kernelEgress) {
      this.kernelHostSg.addEgressRule(
        Peer.ipv4(rule.cidr),
        Port.tcp(rule.port),
        kernelEgressDescription(rule),
      );
    }

    // --- Interface endpoints --------------------------------------------------------------------
    const endpoints = {} as Record<KernelHostEndpointName, InterfaceVpcEndpoint>;
    for (const [name, service] of Object.entries(KERNEL_HOST_INTERFACE_ENDPOINTS)) {
      endpoints[name as KernelHostEndpointName] = this.vpc.addInterfaceEndpoint(name, {
        service,
        subnets: PRIVATE_SUBNETS,
        privateDnsEnabled: true,
        securityGroups: [this.endpointsSg],
        // No ingress from the whole VPC: only the rules above.
        open: false,
      });
    }
    this.interfaceEndpoints = endpoints;
    // The image pull: the registry login and pulls from this account's repositories (the CDK
    // asset repository) by this account's principals (the task's execution role). Nothing can
    // be pushed, and nobody else's credentials get through.
    const thisAccount = { StringEquals: { 'aws:PrincipalAccount': Aws.ACCOUNT_ID } };
    for (const name of ['EcrApi', 'EcrDocker'] as const) {
      this.addEndpointStatement(
        name,
        new PolicyStatement({
          sid: 'RegistryLogin',
          principals: [new StarPrincipal()],
          actions: ['ecr:GetAuthorizationToken'],
          resources: ['*'],
          conditions: thisAccount,
        }),
      );
      this.addEndpointStatement(
        name,
        new PolicyStatement({
          sid: 'ImagePull',
          principals: [new StarPrincipal()],
          actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
          resources: [
            Stack.of(this).formatArn({ service: 'ecr', resource: 'repository', resourceName: '*' }),
          ],
          conditions: thisAccount,
        }),
      );
    }
    this.node.addValidation({
      validate: () =>
        Object.keys(KERNEL_HOST_INTERFACE_ENDPOINTS)
          .filter((name) => !this.endpointStatements.has(name as KernelHostEndpointName))
          .map(
            (name) =>
              `TenantNetwork: the ${name} endpoint has no policy statement, so it would allow everything (allowLogDelivery / allowSecretReads)`,
          ),
    });

    const ready = new DependencyGroup();
    ready.add(this.s3Endpoint, this.kernelHostSg, this.endpointsSg, ...Object.values(endpoints));
    this.kernelHostEgressReady = ready;
  }

  /** Lets this account's principals write to `logGroup` through the Logs endpoint (the awslogs driver). */
  allowLogDelivery(logGroup: ILogGroup): void {
    this.addEndpointStatement(
      'Logs',
      new PolicyStatement({
        sid: `LogDelivery${this.endpointStatements.get('Logs') ?? 0}`,
        principals: [new StarPrincipal()],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
        conditions: { StringEquals: { 'aws:PrincipalAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }

  /** Lets this account's principals read `secret` through the Secrets Manager endpoint (ECS, the functions). */
  allowSecretReads(secret: ISecret): void {
    this.addEndpointStatement(
      'SecretsManager',
      new PolicyStatement({
        sid: `SecretRead${this.endpointStatements.get('SecretsManager') ?? 0}`,
        principals: [new StarPrincipal()],
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [secret.secretArn],
        conditions: { StringEquals: { 'aws:PrincipalAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }

  private addEndpointStatement(name: KernelHostEndpointName, statement: PolicyStatement): void {
    this.interfaceEndpoints[name].addToPolicy(statement);
    this.endpointStatements.set(name, (this.endpointStatements.get(name) ?? 0) + 1);
  }

  /** The VPC placement of a function that reaches the kernel host. */
  functionPlacement() {
    return { vpc: this.vpc, vpcSubnets: PRIVATE_SUBNETS, securityGroups: [this.functionsSg] };
  }

  /**
   * What Lambda needs to attach a function to the private subnets, granted to its own role
   * instead of AWSLambdaVPCAccessExecutionRole (every ENI action on `*`): network interfaces
   * may be created only in the private subnets with the functions' security group. The two
   * Describe actions support no resource-level permissions, so they stay on `*`.
   */
  grantFunctionNetworking(role: IRole): void {
    const ec2Arn = (resource: string, name: string) =>
      Stack.of(this).formatArn({ service: 'ec2', resource, resourceName: name });
    const networkInterfaces = ec2Arn('network-interface', '*');
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
        resources: ['*'],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ec2:CreateNetworkInterface'],
        resources: [
          networkInterfaces,
          ec2Arn('security-group', this.functionsSg.securityGroupId),
          ...this.vpc.selectSubnets(PRIVATE_SUBNETS).subnetIds.map((id) => ec2Arn('subnet', id)),
        ],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: [networkInterfaces],
      }),
    );
  }
}
