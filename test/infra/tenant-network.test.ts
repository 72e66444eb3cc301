import { App, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelEgressOf, MAX_KERNEL_EGRESS_RULES, parseKernelEgress } from '../../infra/kernel-egress.ts';
import { TenantStack } from '../../infra/tenant-stack.ts';
import { ALLOW_LIST, TENANT_ID, tenantSynth } from './support/synth.ts';

/*
 * The tenant's network as notebook code sees it: the kernel host reaches S3 (through the
 * gateway endpoint, whose policy names the tenant's bucket and ECR's layer bucket only) and the
 * interface endpoints, nothing else unless the stack's `kernelEgress` allow-list says so. On
 * the shared synthesis: the default stack and the `configured` one (with an allow-list).
 */

type Resource = { Type: string; Properties?: Record<string, any>; DependsOn?: string[] };
type Rule = Record<string, any>;
type Statement = {
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};

interface Synthesized {
  stack: TenantStack;
  resources: Record<string, Resource>;
}

let plain: Synthesized;
let allowed: Synthesized;

/** A value or list as a new list (sorting it leaves the template alone). */
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? [...value] : [value]);
const logicalId = (s: Synthesized, construct: IConstruct) =>
  s.stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
const privateSubnets = (s: Synthesized) =>
  s.stack.network.vpc
    .selectSubnets(s.stack.network.privateSubnets)
    .subnets.map((n) => ({ Ref: logicalId(s, n) }));
const ofType = (s: Synthesized, type: string) =>
  Object.entries(s.resources).filter(([, r]) => r.Type === type);
const sgId = (s: Synthesized, construct: IConstruct) => ({
  'Fn::GetAtt': [logicalId(s, construct), 'GroupId'],
});
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const only = <T>(items: T[]): T => {
  expect(items).toHaveLength(1);
  return items[0]!;
};

/** A value as text: `Fn::Join`s joined, `Ref`s and `Fn::GetAtt`s written `<…>`. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(text).join(v['Fn::Join'][0]);
  if (v.Ref) return `<${v.Ref}>`;
  if (v['Fn::GetAtt']) return `<${v['Fn::GetAtt'].join('.')}>`;
  return JSON.stringify(value);
}

/** The security group's inline egress rules and its separate AWS::EC2::SecurityGroupEgress rules. */
function egressOf(s: Synthesized, sg: IConstruct): { inline: Rule[]; separate: Rule[] } {
  const group = s.resources[logicalId(s, sg)]!.Properties!;
  const separate = ofType(s, 'AWS::EC2::SecurityGroupEgress')
    .map(([, r]) => r.Properties!)
    .filter((r) => same(r.GroupId, sgId(s, sg)));
  return { inline: group.SecurityGroupEgress ?? [], separate };
}

function ingressOf(s: Synthesized, sg: IConstruct): { inline: Rule[]; separate: Rule[] } {
  const group = s.resources[logicalId(s, sg)]!.Properties!;
  const separate = ofType(s, 'AWS::EC2::SecurityGroupIngress')
    .map(([, r]) => r.Properties!)
    .filter((r) => same(r.GroupId, sgId(s, sg)));
  return { inline: group.SecurityGroupIngress ?? [], separate };
}

/** The logical id of the deploy-time S3 prefix-list lookup (a `Custom::AWS` resource). */
const lookupId = (s: Synthesized) =>
  logicalId(s, s.stack.network.s3PrefixListLookup.node.findChild('Resource'));
const prefixListRef = (s: Synthesized) => ({ 'Fn::GetAtt': [lookupId(s), 'PrefixLists.0.PrefixListId'] });

/** The kernel host's own egress: HTTPS to the S3 prefix list (inline) and to the endpoints SG. */
function expectOwnEgress(s: Synthesized, inline: Rule[], separate: Rule[]) {
  expect(inline[0]).toMatchObject({
    IpProtocol: 'tcp',
    FromPort: 443,
    ToPort: 443,
    DestinationPrefixListId: prefixListRef(s),
  });
  expect(only(separate)).toMatchObject({
    IpProtocol: 'tcp',
    FromPort: 443,
    ToPort: 443,
    DestinationSecurityGroupId: sgId(s, s.stack.network.endpointsSg),
  });
}

function endpointOf(s: Synthesized, suffix: string): Record<string, any> {
  return only(
    ofType(s, 'AWS::EC2::VPCEndpoint')
      .map(([, e]) => e.Properties!)
      .filter((e) => text(e.ServiceName) === `com.amazonaws.<AWS::Region>.${suffix}`),
  );
}

const statementsOf = (endpoint: Record<string, any>) => endpoint.PolicyDocument.Statement as Statement[];
/** ECR (api, dkr), CloudWatch Logs, Secrets Manager; Step Functions, Lambda, EventBridge Scheduler. */
const INTERFACE_SUFFIXES = ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'states', 'lambda', 'scheduler'];
const thisAccountOnly = { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } };

describe('TenantStack network', () => {
  beforeAll(async () => {
    const synth = await tenantSynth();
    plain = synth.plain;
    allowed = synth.configured;
  }, 600_000);

  it('gives the kernel host SG egress only to the S3 prefix list and the endpoints SG: nothing to 0.0.0.0/0 or ::/0', () => {
    const { inline, separate } = egressOf(plain, plain.stack.network.kernelHostSg);
    expect(inline).toHaveLength(1);
    expectOwnEgress(plain, inline, separate);
    for (const rule of [...inline, ...separate]) {
      expect(rule.CidrIp).toBeUndefined();
      expect(rule.CidrIpv6).toBeUndefined();
      expect(rule.IpProtocol).toBe('tcp');
    }
  });

  it('looks the S3 prefix list up by name at deploy time, so synthesis needs no credentials', () => {
    const lookup = plain.resources[lookupId(plain)]!;
    expect(lookup.Type).toBe('Custom::AWS');
    const call = JSON.parse(text(lookup.Properties!.Create));
    expect(call).toMatchObject({
      service: 'EC2',
      action: 'DescribeManagedPrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.<AWS::Region>.s3'] }] },
      outputPaths: ['PrefixLists.0.PrefixListId'],
    });
    expect(JSON.parse(text(lookup.Properties!.Update))).toEqual(call);
    expect(lookup.Properties!.InstallLatestAwsSdk).toBe(false);

    // Its Lambda runs outside the VPC with a role that may describe prefix lists and write its own logs.
    const fn = plain.resources[lookup.Properties!.ServiceToken['Fn::GetAtt'][0]]!.Properties!;
    expect(fn.VpcConfig).toBeUndefined();
    const role = fn.Role['Fn::GetAtt'][0] as string;
    expect(plain.resources[role]!.Properties!.ManagedPolicyArns).toBeUndefined();
    const statements = ofType(plain, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties!.Roles as { Ref: string }[]).some((r) => r.Ref === role))
      .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Statement[]);
    expect(statements.flatMap((s) => asList(s.Action)).sort()).toEqual([
      'ec2:DescribeManagedPrefixLists',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
    const logGroup = fn.LoggingConfig.LogGroup.Ref as string;
    expect(plain.resources[logGroup]!.Properties!.RetentionInDays).toBeGreaterThan(0);
  });

  it('adds the interface endpoints the kernel host and the VPC functions need, with private DNS behind the endpoints SG', () => {
    const interfaces = ofType(plain, 'AWS::EC2::VPCEndpoint').filter(
      ([, e]) => e.Properties!.VpcEndpointType === 'Interface',
    );
    expect(interfaces).toHaveLength(INTERFACE_SUFFIXES.length);
    for (const suffix of INTERFACE_SUFFIXES) {
      const endpoint = endpointOf(plain, suffix);
      expect(endpoint.VpcEndpointType, suffix).toBe('Interface');
      expect(endpoint.PrivateDnsEnabled, suffix).toBe(true);
      expect(endpoint.SubnetIds, suffix).toEqual(privateSubnets(plain));
      expect(endpoint.SecurityGroupIds, suffix).toEqual([sgId(plain, plain.stack.network.endpointsSg)]);
    }
  });

  it('lets only the kernel host and the functions reach the endpoints (HTTPS), and the endpoints reach nothing', () => {
    const network = plain.stack.network;
    const { inline, separate } = ingressOf(plain, network.endpointsSg);
    expect(inline).toEqual([]);
    expect(separate).toHaveLength(2);
    for (const from of [network.kernelHostSg, network.functionsSg]) {
      expect(separate.filter((r) => same(r.SourceSecurityGroupId, sgId(plain, from)))).toEqual([
        expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
      ]);
    }
    const egress = egressOf(plain, network.endpointsSg);
    expect(egress.separate).toEqual([]);
    // CDK's placeholder that matches no traffic (so EC2 adds no allow-all rule).
    expect(egress.inline).toEqual([
      expect.objectContaining({ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp' }),
    ]);
  });

  it('lets through the S3 gateway endpoint only the tenant bucket and (read-only) ECR layer bucket', () => {
    const bucket = logicalId(plain, plain.stack.bucket);
    const statements = statementsOf(endpointOf(plain, 's3'));
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Principal).toBe('*');
    }
    expect(statements.flatMap((s) => asList(s.Resource).map(text)).sort()).toEqual(
      [
        `<${bucket}.Arn>`,
        `<${bucket}.Arn>/*`,
        'arn:<AWS::Partition>:s3:::prod-<AWS::Region>-starport-layer-bucket/*',
      ].sort(),
    );
    const layers = only(statements.filter((s) => text(s.Resource).includes('starport-layer-bucket')));
    expect(asList(layers.Action)).toEqual(['s3:GetObject']);
  });

  it('lets through the DynamoDB gateway endpoint only the tenant table and its indexes', () => {
    const table = logicalId(plain, plain.stack.table);
    const statement = only(statementsOf(endpointOf(plain, 'dynamodb')));
    expect(statement).toMatchObject({ Effect: 'Allow', Principal: '*' });
    expect(asList(statement.Resource).map(text)).toEqual([`<${table}.Arn>`, `<${table}.Arn>/index/*`]);
  });

  it("lets through the interface endpoints only this account's principals on the image repositories, the kernel host's log group and its token", () => {
    const repositories = 'arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/*';
    for (const suffix of ['ecr.api', 'ecr.dkr']) {
      const statements = statementsOf(endpointOf(plain, suffix));
      expect(
        statements.map((s) => ({
          actions: asList(s.Action).sort(),
          resources: asList(s.Resource).map(text),
        })),
        suffix,
      ).toEqual([
        { actions: ['ecr:GetAuthorizationToken'], resources: ['*'] },
        {
          actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          resources: [repositories],
        },
      ]);
      for (const s of statements) expect(s.Condition, suffix).toEqual(thisAccountOnly);
    }
    const logs = only(statementsOf(endpointOf(plain, 'logs')));
    expect(asList(logs.Action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(logs.Resource).toEqual({
      'Fn::GetAtt': [logicalId(plain, plain.stack.kernelHost.node.findChild('Logs')), 'Arn'],
    });
    expect(logs.Condition).toEqual(thisAccountOnly);
    // The awslogs driver writes to the log group this statement names.
    const container = only(ofType(plain, 'AWS::ECS::TaskDefinition'))[1].Properties!.ContainerDefinitions[0];
    expect(container.LogConfiguration.Options['awslogs-group']).toEqual({
      Ref: logicalId(plain, plain.stack.kernelHost.node.findChild('Logs')),
    });

    const secrets = only(statementsOf(endpointOf(plain, 'secretsmanager')));
    expect(asList(secrets.Action).sort()).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
    expect(secrets.Resource).toEqual({ Ref: logicalId(plain, plain.stack.kernelHost.token) });
    expect(secrets.Condition).toEqual(thisAccountOnly);
  });

  it('starts the kernel host only once the endpoints and the security group rules to them exist', () => {
    const network = plain.stack.network;
    const service = only(ofType(plain, 'AWS::ECS::Service'))[1];
    const needed = [
      ...Object.values(network.endpoints!.interfaces).map((e) => logicalId(plain, e)),
      logicalId(plain, network.endpoints!.s3),
      logicalId(plain, network.endpoints!.dynamoDb),
      logicalId(plain, network.kernelHostSg),
      // The separate rules: kernel host → endpoints SG, endpoints SG ← kernel host.
      ...ofType(plain, 'AWS::EC2::SecurityGroupEgress')
        .filter(([, r]) => same(r.Properties!.GroupId, sgId(plain, network.kernelHostSg)))
        .map(([id]) => id),
      ...ofType(plain, 'AWS::EC2::SecurityGroupIngress')
        .filter(([, r]) => same(r.Properties!.GroupId, sgId(plain, network.endpointsSg)))
        .map(([id]) => id),
    ];
    expect(needed).toHaveLength(7 + 2 + 1 + 1 + 2);
    expect(service.DependsOn).toEqual(expect.arrayContaining(needed));
  });

  it('adds exactly one TCP egress rule to the kernel host SG per allow-list entry, and changes nothing else', () => {
    const { inline, separate } = egressOf(allowed, allowed.stack.network.kernelHostSg);
    expectOwnEgress(allowed, inline, separate);
    expect(inline.slice(1)).toEqual([
      { CidrIp: '203.0.113.0/24', Description: 'Partner API', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 },
      {
        CidrIp: '198.51.100.7/32',
        Description: 'Kernel egress allow-list: 198.51.100.7/32 port 5432',
        FromPort: 5432,
        IpProtocol: 'tcp',
        ToPort: 5432,
      },
    ]);
    expect(allowed.stack.network.kernelEgress).toEqual(ALLOW_LIST);
    // The same network otherwise: the other groups' rules and the endpoints are the default stack's.
    // (Rule resources are compared by content: their logical ids embed the stack's name.)
    const rules = (s: Synthesized) => {
      const contents = (type: string) => ofType(s, type).map(([, r]) => JSON.stringify(r.Properties));
      return JSON.stringify({
        groups: ofType(s, 'AWS::EC2::SecurityGroup')
          .filter(([id]) => id !== logicalId(s, s.stack.network.kernelHostSg))
          .map(([id, r]) => [id, r.Properties]),
        egress: contents('AWS::EC2::SecurityGroupEgress').sort(),
        ingress: contents('AWS::EC2::SecurityGroupIngress').sort(),
        endpoints: ofType(s, 'AWS::EC2::VPCEndpoint'),
      }).replaceAll(s.stack.stackName, '<stack>');
    };
    expect(rules(allowed)).toBe(rules(plain));
  });

  it('makes no NAT gateway, Internet gateway or public subnet by default, and one NAT gateway for an allow-list', () => {
    for (const type of ['AWS::EC2::NatGateway', 'AWS::EC2::InternetGateway', 'AWS::EC2::EIP']) {
      expect(ofType(plain, type), type).toHaveLength(0);
      expect(ofType(allowed, type), type).toHaveLength(1);
    }
    expect(plain.stack.network.natGateways).toBe(0);
    expect(plain.stack.network.vpc.publicSubnets).toHaveLength(0);
    expect(plain.stack.network.vpc.isolatedSubnets).toHaveLength(2);
    // No route of the default VPC leads anywhere but the VPC and the gateway endpoints.
    for (const [id, route] of ofType(plain, 'AWS::EC2::Route')) {
      expect(route.Properties!.DestinationCidrBlock, id).not.toBe('0.0.0.0/0');
    }
    // With the allow-list: the private subnets' default route goes to the NAT gateway.
    const nat = only(ofType(allowed, 'AWS::EC2::NatGateway'))[0];
    const defaults = ofType(allowed, 'AWS::EC2::Route').filter(
      ([, r]) => r.Properties!.DestinationCidrBlock === '0.0.0.0/0' && r.Properties!.NatGatewayId,
    );
    expect(defaults).toHaveLength(2);
    for (const [, route] of defaults) expect(route.Properties!.NatGatewayId).toEqual({ Ref: nat });
  });

  it('writes the VPC flow logs, every flow, to the log bucket', () => {
    const flowLog = only(ofType(plain, 'AWS::EC2::FlowLog'))[1].Properties!;
    expect(flowLog).toMatchObject({
      ResourceId: { Ref: logicalId(plain, plain.stack.network.vpc) },
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 's3',
    });
    expect(text(flowLog.LogDestination)).toBe(
      `<${logicalId(plain, plain.stack.logBucket)}.Arn>/vpc-flow-logs/`,
    );
  });

  it("lets the VPC functions start only this run workflow, invoke only the webhook worker and manage only the tenant's schedules through the endpoints", () => {
    const statement = (suffix: string) => only(statementsOf(endpointOf(plain, suffix)));
    const states = statement('states');
    expect(asList(states.Action)).toEqual(['states:StartExecution']);
    expect(states.Resource).toEqual({ Ref: logicalId(plain, plain.stack.runs.workflow.stateMachine) });
    const lambda = statement('lambda');
    expect(asList(lambda.Action)).toEqual(['lambda:InvokeFunction']);
    expect(lambda.Resource).toEqual({
      'Fn::GetAtt': [logicalId(plain, plain.stack.webhooks.function), 'Arn'],
    });
    const scheduler = statement('scheduler');
    expect(text(scheduler.Resource)).toBe(
      `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/cellwise-${TENANT_ID}/*`,
    );
    for (const s of [states, lambda, scheduler]) expect(s.Condition).toEqual(thisAccountOnly);
  });

  it('reads the allow-list from the kernelEgress context (a JSON string or a list) when the props give none', () => {
    const asJson = new App({ context: { kernelEgress: JSON.stringify(ALLOW_LIST) } });
    expect(kernelEgressOf(asJson)).toEqual(ALLOW_LIST);
    expect(kernelEgressOf(new App({ context: { kernelEgress: ALLOW_LIST } }))).toEqual(ALLOW_LIST);
    expect(kernelEgressOf(new App())).toEqual([]);
    expect(kernelEgressOf(new App({ context: { kernelEgress: '' } }))).toEqual([]);
    // Props win over context.
    expect(kernelEgressOf(asJson, [])).toEqual([]);
    expect(
      () =>
        new TenantStack(new App({ context: { kernelEgress: '[{"cidr": "10.0.0.0/8"}]' } }), 'x', {
          tenantId: TENANT_ID,
        }),
    ).toThrow(/^context kernelEgress\[0\]\.port must be a whole number from 1 to 65535, got undefined$/);
  });

  it('refuses a bad allow-list with an error that names the entry and the field', () => {
    const bad: [unknown, RegExp][] = [
      [
        '[{"cidr": "203.0.113.0/24", "port": 443',
        /^kernelEgress is not valid JSON \(.*\); expected e\.g\. \[\{"cidr"/,
      ],
      [
        { cidr: '203.0.113.0/24', port: 443 },
        /^kernelEgress must be a list of \{cidr, port, description\?\} entries/,
      ],
      [['203.0.113.0/24'], /^kernelEgress\[0\] must be an object/],
      [
        [{ cidr: '203.0.113.0', port: 443 }],
        /^kernelEgress\[0\]\.cidr must be an IPv4 block in CIDR notation/,
      ],
      [[{ cidr: 'example.com/32', port: 443 }], /^kernelEgress\[0\]\.cidr must be an IPv4 block/],
      [[{ cidr: '203.0.113.256/32', port: 443 }], /^kernelEgress\[0\]\.cidr has an invalid address/],
      [[{ cidr: '203.0.113.0/33', port: 443 }], /^kernelEgress\[0\]\.cidr has an invalid prefix length/],
      [
        [{ cidr: '203.0.113.9/24', port: 443 }],
        /^kernelEgress\[0\]\.cidr has host bits set: .* write 203\.0\.113\.0\/24/,
      ],
      [[{ cidr: '2001:db8::/32', port: 443 }], /^kernelEgress\[0\]\.cidr is an IPv6 block .*no IPv6/],
      [[{ cidr: 203, port: 443 }], /^kernelEgress\[0\]\.cidr must be a string/],
      [
        [{ cidr: '203.0.113.0/24', port: 0 }],
        /^kernelEgress\[0\]\.port must be a whole number from 1 to 65535, got 0$/,
      ],
      [[{ cidr: '203.0.113.0/24', port: 65536 }], /port must be a whole number from 1 to 65535, got 65536$/],
      [[{ cidr: '203.0.113.0/24', port: '443' }], /port must be a whole number from 1 to 65535, got "443"$/],
      [[{ cidr: '203.0.113.0/24', port: 44.3 }], /port must be a whole number/],
      [
        [{ cidr: '203.0.113.0/24', ports: 443 }],
        /^kernelEgress\[0\] has unknown field\(s\) ports; the fields are cidr, port, description$/,
      ],
      [
        [{ cidr: '203.0.113.0/24', port: 443, description: "Bob's API" }],
        /^kernelEgress\[0\]\.description must be 1 to 255 characters/,
      ],
      [[{ cidr: '203.0.113.0/24', port: 443, description: 'x'.repeat(256) }], /description must be 1 to 255/],
      [
        [
          { cidr: '203.0.113.0/24', port: 443 },
          { cidr: '198.51.100.0/24', port: 443 },
          { cidr: '203.0.113.0/24', port: 443, description: 'again' },
        ],
        /^kernelEgress\[2\] repeats kernelEgress\[0\] \(203\.0\.113\.0\/24 port 443\)$/,
      ],
      [
        Array.from({ length: MAX_KERNEL_EGRESS_RULES + 1 }, (_, i) => ({
          cidr: `203.0.${i}.0/24`,
          port: 443,
        })),
        new RegExp(
          `^kernelEgress has ${MAX_KERNEL_EGRESS_RULES + 1} entries; at most ${MAX_KERNEL_EGRESS_RULES}`,
        ),
      ],
    ];
    for (const [input, message] of bad) {
      expect(() => parseKernelEgress(input), JSON.stringify(input).slice(0, 80)).toThrow(message);
    }
    // The edges that are fine.
    expect(
      parseKernelEgress([
        { cidr: '0.0.0.0/0', port: 1 },
        { cidr: '203.0.113.7/32', port: 65535, description: 'Vendor (prod) #1: https://api.example.com/v2' },
      ]),
    ).toHaveLength(2);
    expect(
      parseKernelEgress(
        Array.from({ length: MAX_KERNEL_EGRESS_RULES }, (_, i) => ({ cidr: `203.0.${i}.0/24`, port: 443 })),
      ),
    ).toHaveLength(MAX_KERNEL_EGRESS_RULES);
    // Through the stack: it fails before building anything, naming the prop.
    expect(
      () =>
        new TenantStack(new App(), 'x', {
          tenantId: TENANT_ID,
          kernelEgress: [{ cidr: '203.0.113.0/24', port: 70000 }],
        }),
    ).toThrow(/^TenantStack: kernelEgress\[0\]\.port must be a whole number from 1 to 65535, got 70000$/);
  });

  it("stays under CloudFormation's 500 resources per stack", () => {
    expect(Object.keys(plain.resources).length).toBeLessThan(500);
  });
});
