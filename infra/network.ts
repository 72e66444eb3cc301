import { Stack } from 'aws-cdk-lib';
import {
  GatewayVpcEndpointAwsService,
  IpAddresses,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The port every kernel host listens on (Jupyter Server). */
export const KERNEL_HOST_PORT = 8888;

/** Where the kernel host and the functions that reach it run: the private subnets. */
export const PRIVATE_SUBNETS: SubnetSelection = { subnetType: SubnetType.PRIVATE_WITH_EGRESS };

/**
 * The tenant's network: a VPC over two AZs with public subnets (the one NAT gateway) and
 * private subnets with egress (the kernel host and the functions that reach it), gateway
 * endpoints so S3 and DynamoDB traffic stays off the NAT, and the security groups:
 *
 * - `functionsSg`: the Lambdas that call the kernel host (workflow tasks, reconciler, health).
 *   Outbound HTTPS (AWS APIs) and the kernel host's port; no inbound.
 * - `kernelHostSg`: the kernel host. Inbound: its port, from `functionsSg` only. Outbound:
 *   HTTPS only (image pulls, logs; what notebook code may fetch).
 */
export class TenantNetwork extends Construct {
  readonly vpc: Vpc;
  readonly functionsSg: SecurityGroup;
  readonly kernelHostSg: SecurityGroup;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr('10.64.0.0/16'),
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      gatewayEndpoints: {
        S3: { service: GatewayVpcEndpointAwsService.S3, subnets: [PRIVATE_SUBNETS] },
        DynamoDB: { service: GatewayVpcEndpointAwsService.DYNAMODB, subnets: [PRIVATE_SUBNETS] },
      },
      // Nothing is ever placed in the default security group. Restricting it takes a custom
      // resource Lambda (with a managed-policy role) that this stack otherwise avoids.
      restrictDefaultSecurityGroup: false,
    });

    this.functionsSg = new SecurityGroup(this, 'FunctionsSg', {
      vpc: this.vpc,
      description: 'Cellwise functions that reach the kernel host',
      allowAllOutbound: false,
    });
    this.functionsSg.addEgressRule(
      Peer.anyIpv4(),
      Port.tcp(443),
      'AWS APIs (Secrets Manager over the NAT; S3 and DynamoDB through the gateway endpoints)',
    );

    this.kernelHostSg = new SecurityGroup(this, 'KernelHostSg', {
      vpc: this.vpc,
      description: 'Cellwise kernel host: Jupyter Server, reachable from the functions only',
      allowAllOutbound: false,
    });
    this.kernelHostSg.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS: image pulls, logs, packages');
    // Adds the ingress rule to the kernel host and the matching egress rule to the functions.
    this.kernelHostSg.connections.allowFrom(
      this.functionsSg,
      Port.tcp(KERNEL_HOST_PORT),
      'Jupyter Server API and kernel websockets, from the Cellwise functions',
    );
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
