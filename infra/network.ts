import { Annotations, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  Connections,
  FlowLog,
  FlowLogDestination,
  FlowLogResourceType,
  FlowLogTrafficType,
  type IPeer,
  IpAddresses,
  type ISecurityGroup,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { AwsCustomResource } from 'aws-cdk-lib/custom-resources';
import { Construct, DependencyGroup, type IDependable } from 'constructs';
import { type KernelEgressRule, kernelEgressDescription, parseKernelEgress } from './kernel-egress.ts';
import { TenantEndpoints } from './network-endpoints.ts';
import { lookUpS3PrefixList } from './s3-prefix-list.ts';
import type { ExistingVpcProps } from './vpc-props.ts';

/** The port every kernel host listens on (Jupyter Server). */
export const KERNEL_HOST_PORT = 8888;

/** The address range of a VPC the stack makes. */
const VPC_CIDR = '10.64.0.0/16';

/**
 * An AWS-managed prefix list as a security group peer whose rule stays inline in the group
 * (CDK's `Peer.prefixList` makes a separate rule resource). An inline rule keeps the group's
 * own egress list non-empty, so EC2 never gives it the default allow-all egress rule.
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

/** Where the network comes from and what its data perimeter allows. */
export interface TenantNetworkProps {
  /** The tenant's bucket: the only bucket of the account the S3 gateway endpoint lets through. */
  bucket: IBucket;
  /** The tenant's table: the only table the DynamoDB gateway endpoint lets through. */
  table: ITable;
  /** Extra egress of the kernel host (`kernelEgress`; validated by `parseKernelEgress`). */
  kernelEgress?: readonly KernelEgressRule[];
  /** Run in this VPC instead of making one (validated by `parseExistingVpc`). */
  existingVpc?: ExistingVpcProps;
  /** Where the flow logs of a VPC the stack makes go (under `vpc-flow-logs/`). */
  flowLogBucket: IBucket;
}

/**
 * The tenant's network. Either a VPC of its own over two AZs, with private subnets and **no
 * NAT gateway** (isolated subnets; with a `kernelEgress` allow-list, one NAT gateway, the only
 * way to the Internet, for the kernel host's allowed destinations) and flow logs; or an
 * existing VPC's private subnets (`existingVpc`). The kernel host and the functions that reach
 * it run there and reach AWS only through VPC endpoints (`TenantEndpoints`, or the shared VPC's
 * own). Security groups:
 *
 * - `functionsSg`: the Lambdas that call the kernel host. Outbound HTTPS (the endpoints) and
 *   the kernel host's port; no inbound.
 * - `kernelHostSg`: the kernel host, where notebook code runs. Inbound: its port, from
 *   `functionsSg` only. Outbound: HTTPS to the S3 prefix list (the gateway endpoint) and to the
 *   endpoints' group, and only the `kernelEgress` allow-list besides.
 */
export class TenantNetwork extends Construct {
  readonly vpc: IVpc;
  /** The private subnets the kernel host and the VPC functions go in. */
  readonly privateSubnets: SubnetSelection;
  readonly functionsSg: SecurityGroup;
  readonly kernelHostSg: SecurityGroup;
  /** The endpoints this stack made (undefined when the existing VPC's are shared). */
  readonly endpoints: TenantEndpoints | undefined;
  /** The interface endpoints' security group (this stack's, or the shared one). */
  readonly endpointsSg: ISecurityGroup;
  /** NAT gateways this stack made: 0 unless the kernel host has an allow-list to reach. */
  readonly natGateways: number;
  readonly flowLog: FlowLog | undefined;
  /** The id (`pl-…`) of the region's S3 prefix list, looked up at deploy time. */
  readonly s3PrefixListId: string;
  readonly s3PrefixListLookup: AwsCustomResource;
  readonly kernelEgress: readonly KernelEgressRule[];
  /** What the kernel host's task needs before it starts: the endpoints and the rules to them. */
  readonly kernelHostEgressReady: IDependable;

  constructor(scope: Construct, id: string, props: TenantNetworkProps) {
    super(scope, id);
    this.kernelEgress = parseKernelEgress(props.kernelEgress ?? [], 'TenantNetwork: kernelEgress');
    const existing = props.existingVpc;
    if (existing) {
      this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: existing.vpcId,
        vpcCidrBlock: existing.vpcCidrBlock,
        availabilityZones: existing.availabilityZones,
        privateSubnetIds: existing.privateSubnetIds,
        ...(existing.privateSubnetRouteTableIds
          ? { privateSubnetRouteTableIds: existing.privateSubnetRouteTableIds }
          : {}),
      });
      this.natGateways = 0;
      this.privateSubnets = { subnetType: SubnetType.PRIVATE_WITH_EGRESS };
      if (!existing.privateSubnetRouteTableIds) {
        Annotations.of(this.vpc).acknowledgeWarning(
          '@aws-cdk/aws-ec2:noSubnetRouteTableId',
          'The VPC shares its own endpoints: this stack adds no routes, so it needs no route table ids',
        );
      }
    } else {
      // The allow-list's destinations are on the Internet: only then is a NAT gateway made.
      this.natGateways = this.kernelEgress.length > 0 ? 1 : 0;
      const privateType = this.natGateways > 0 ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PRIVATE_ISOLATED;
      const vpc = new Vpc(this, 'Vpc', {
        ipAddresses: IpAddresses.cidr(VPC_CIDR),
        maxAzs: 2,
        natGateways: this.natGateways,
        subnetConfiguration: [
          ...(this.natGateways > 0 ? [{ name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }] : []),
          { name: 'private', subnetType: privateType, cidrMask: 20 },
        ],
        // Nothing is ever placed in the default security group. Restricting it takes CDK's
        // custom resource Lambda with a managed-policy role (logs:* on every log group).
        restrictDefaultSecurityGroup: false,
      });
      this.vpc = vpc;
      this.privateSubnets = { subnetType: privateType };
      // Every flow (accepted and rejected): a notebook's attempts to get out show up here.
      this.flowLog = new FlowLog(this, 'FlowLog', {
        resourceType: FlowLogResourceType.fromVpc(vpc),
        destination: FlowLogDestination.toS3(props.flowLogBucket, 'vpc-flow-logs/'),
        trafficType: FlowLogTrafficType.ALL,
      });
    }

    if (!existing?.sharedEndpointsSecurityGroupId) {
      this.endpoints = new TenantEndpoints(this, 'Endpoints', {
        vpc: this.vpc,
        subnets: this.privateSubnets,
        bucket: props.bucket,
        table: props.table,
      });
      this.endpointsSg = this.endpoints.securityGroup;
    } else {
      this.endpointsSg = SecurityGroup.fromSecurityGroupId(
        this,
        'SharedEndpointsSg',
        existing.sharedEndpointsSecurityGroupId,
        { mutable: true, allowAllOutbound: false },
      );
    }

    this.functionsSg = new SecurityGroup(this, 'FunctionsSg', {
      vpc: this.vpc,
      description: 'Cellwise functions that reach the kernel host',
      allowAllOutbound: false,
    });
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

    const lookup = lookUpS3PrefixList(this);
    this.s3PrefixListLookup = lookup.resource;
    this.s3PrefixListId = lookup.id;
    const s3 = new InlinePrefixList(this.s3PrefixListId, 'S3PrefixList');
    this.kernelHostSg.addEgressRule(
      s3,
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
    this.functionsSg.addEgressRule(
      Peer.anyIpv4(),
      Port.tcp(443),
      'AWS APIs through the VPC endpoints (DynamoDB, S3, Secrets Manager, Step Functions, Lambda, Scheduler)',
    );
    this.endpointsSg.addIngressRule(
      this.kernelHostSg,
      Port.tcp(443),
      'HTTPS from the kernel host: image pull, awslogs, token secret',
    );
    this.endpointsSg.addIngressRule(
      this.functionsSg,
      Port.tcp(443),
      'HTTPS from the Cellwise functions in the VPC',
    );

    // The kernel host's rules (under its group), the endpoints' group and its rules, the endpoints.
    const ready = new DependencyGroup();
    ready.add(this.kernelHostSg, this.endpointsSg);
    if (this.endpoints) {
      ready.add(this.endpoints.s3, this.endpoints.dynamoDb, ...Object.values(this.endpoints.interfaces));
    }
    this.kernelHostEgressReady = ready;
  }

  /** Lets this account's principals write to `logGroup` through the Logs endpoint (the awslogs driver). */
  allowLogDelivery(logGroup: ILogGroup): void {
    this.endpoints?.allow(
      'Logs',
      'LogDelivery#',
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      [logGroup.logGroupArn],
    );
  }

  /** Lets this account's principals read `secret` through the Secrets Manager endpoint (ECS, the functions). */
  allowSecretReads(secret: ISecret): void {
    this.endpoints?.allow(
      'SecretsManager',
      'SecretRead#',
      ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      [secret.secretArn],
    );
  }

  /** Lets the VPC's functions start the run workflow through the Step Functions endpoint. */
  allowWorkflowStart(stateMachine: IStateMachine): void {
    this.endpoints?.allow(
      'StepFunctions',
      'StartRun#',
      ['states:StartExecution'],
      [stateMachine.stateMachineArn],
    );
  }

  /** Lets the VPC's functions invoke `fn` through the Lambda endpoint (the webhook kick). */
  allowInvoke(fn: IFunction): void {
    this.endpoints?.allow('Lambda', 'Invoke#', ['lambda:InvokeFunction'], [fn.functionArn]);
  }

  /** Lets the VPC's functions manage the schedules of `groupName` through the Scheduler endpoint. */
  allowScheduleManagement(groupName: string, actions: readonly string[]): void {
    const schedules = Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${groupName}/*`,
    });
    this.endpoints?.allow('Scheduler', 'Schedules#', [...actions], [schedules]);
  }

  /** The VPC placement of a function that reaches the kernel host. */
  functionPlacement() {
    return { vpc: this.vpc, vpcSubnets: this.privateSubnets, securityGroups: [this.functionsSg] };
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
          ...this.vpc.selectSubnets(this.privateSubnets).subnetIds.map((id) => ec2Arn('subnet', id)),
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
