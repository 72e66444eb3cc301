import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { TenantStack } from '../../infra/tenant-stack.ts';
import { existingVpcOf, parseExistingVpc } from '../../infra/vpc-props.ts';
import {
  EXISTING_VPC,
  SHARED_ENDPOINTS_SG,
  type Synthesized,
  TENANT_ID,
  tenantSynth,
} from './support/synth.ts';
import { logicalId, ofType, only, text } from './support/template.ts';

/*
 * Many tenants in one account: a tenant stack in an existing VPC, either making its own
 * endpoints there (the first tenant) or sharing the VPC's (every other one).
 */

let existing: Synthesized;
let shared: Synthesized;

const subnetIds = EXISTING_VPC.privateSubnetIds;
const inVpcFunctions = (s: Synthesized) =>
  ofType(s, 'AWS::Lambda::Function').filter(([, fn]) => fn.Properties!.VpcConfig);

beforeAll(async () => {
  ({ existingVpc: existing, sharedVpc: shared } = await tenantSynth());
}, 600_000);

describe('existing VPC', () => {
  it('makes no VPC, subnet, NAT gateway or flow log of its own', () => {
    for (const s of [existing, shared]) {
      for (const type of [
        'AWS::EC2::VPC',
        'AWS::EC2::Subnet',
        'AWS::EC2::NatGateway',
        'AWS::EC2::InternetGateway',
        'AWS::EC2::FlowLog',
        'AWS::EC2::RouteTable',
      ]) {
        expect(ofType(s, type), type).toHaveLength(0);
      }
    }
  });

  it('puts the kernel host and the VPC functions in the given private subnets, with security groups in the given VPC', () => {
    for (const s of [existing, shared]) {
      const service = only(ofType(s, 'AWS::ECS::Service'))[1].Properties!;
      expect(service.NetworkConfiguration.AwsvpcConfiguration.Subnets).toEqual(subnetIds);
      expect(inVpcFunctions(s).length).toBeGreaterThan(5);
      for (const [id, fn] of inVpcFunctions(s))
        expect(fn.Properties!.VpcConfig.SubnetIds, id).toEqual(subnetIds);
      for (const [id, sg] of ofType(s, 'AWS::EC2::SecurityGroup'))
        expect(sg.Properties!.VpcId, id).toBe(EXISTING_VPC.vpcId);
    }
  });

  it('makes its endpoints in the given subnets and route tables when it does not share the VPC ones', () => {
    const gateways = ofType(existing, 'AWS::EC2::VPCEndpoint').filter(
      ([, e]) => e.Properties!.VpcEndpointType === 'Gateway',
    );
    expect(gateways).toHaveLength(2);
    for (const [, e] of gateways)
      expect(e.Properties!.RouteTableIds).toEqual(EXISTING_VPC.privateSubnetRouteTableIds);
    const interfaces = ofType(existing, 'AWS::EC2::VPCEndpoint').filter(
      ([, e]) => e.Properties!.VpcEndpointType === 'Interface',
    );
    expect(interfaces).toHaveLength(7);
    for (const [, e] of interfaces) expect(e.Properties!.SubnetIds).toEqual(subnetIds);
  });

  it("shares the VPC's endpoints: makes none, and opens HTTPS only from its own groups to the shared endpoints group", () => {
    expect(ofType(shared, 'AWS::EC2::VPCEndpoint')).toHaveLength(0);
    const network = shared.stack.network;
    const kernelHost = `<${logicalId(shared, network.kernelHostSg)}.GroupId>`;
    const functions = `<${logicalId(shared, network.functionsSg)}.GroupId>`;
    const ingress = ofType(shared, 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties!)
      .filter((r) => r.GroupId === SHARED_ENDPOINTS_SG);
    expect(ingress.map((r) => text(r.SourceSecurityGroupId)).sort()).toEqual([functions, kernelHost].sort());
    for (const r of ingress) expect(r).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
    const egress = ofType(shared, 'AWS::EC2::SecurityGroupEgress')
      .map(([, r]) => r.Properties!)
      .filter((r) => text(r.GroupId) === kernelHost);
    expect(only(egress)).toMatchObject({
      DestinationSecurityGroupId: SHARED_ENDPOINTS_SG,
      FromPort: 443,
      ToPort: 443,
    });
  });

  it('names its kernel host namespace after the tenant, so tenants in one VPC never clash', () => {
    expect(only(ofType(shared, 'AWS::ServiceDiscovery::PrivateDnsNamespace'))[1].Properties).toMatchObject({
      Name: `cellwise-${TENANT_ID}.internal`,
      Vpc: EXISTING_VPC.vpcId,
    });
  });

  it('reads the existing VPC from the props or the existingVpc context, and refuses a bad one naming the field', () => {
    expect(parseExistingVpc(undefined)).toBeUndefined();
    expect(parseExistingVpc(JSON.stringify(EXISTING_VPC))).toEqual(EXISTING_VPC);
    expect(existingVpcOf(new App({ context: { existingVpc: EXISTING_VPC } }))).toEqual(EXISTING_VPC);
    const bad: [unknown, RegExp][] = [
      ['{"vpcId": ', /^context existingVpc is not valid JSON/],
      [[], /^context existingVpc must be an object/],
      [{ ...EXISTING_VPC, vpcId: 'vpc-xyz' }, /^context existingVpc\.vpcId must be a vpc-… id/],
      [{ ...EXISTING_VPC, subnets: [] }, /unknown field\(s\) subnets/],
      [
        { ...EXISTING_VPC, privateSubnetIds: ['subnet-0123456789abcdef0'] },
        /privateSubnetIds must be a list of at least 2 subnet id/,
      ],
      [
        { ...EXISTING_VPC, availabilityZones: ['eu-west-1a'] },
        /availabilityZones must name the zone of each private subnet, in order \(2 names/,
      ],
      [
        { ...EXISTING_VPC, availabilityZones: ['eu-west-1a', 'eu-west-1a'] },
        /span at least two availability zones/,
      ],
      [
        { ...EXISTING_VPC, privateSubnetRouteTableIds: ['rtb-0123456789abcdef0'] },
        /one route table per private subnet/,
      ],
      [{ ...EXISTING_VPC, vpcCidrBlock: '10.0.0.0' }, /vpcCidrBlock must be the VPC's IPv4 block/],
      [
        { ...EXISTING_VPC, privateSubnetRouteTableIds: undefined },
        /give privateSubnetRouteTableIds .* or sharedEndpointsSecurityGroupId/,
      ],
      [
        { ...EXISTING_VPC, sharedEndpointsSecurityGroupId: 'sg-1' },
        /sharedEndpointsSecurityGroupId must be an sg-… id/,
      ],
    ];
    for (const [input, message] of bad)
      expect(() => parseExistingVpc(input), JSON.stringify(input)).toThrow(message);
    expect(
      () =>
        new TenantStack(new App(), 'x', {
          tenantId: TENANT_ID,
          existingVpc: { ...EXISTING_VPC, vpcId: 'v' },
        }),
    ).toThrow(/^TenantStack: existingVpc\.vpcId/);
  });
});
