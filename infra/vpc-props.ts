import type { Construct } from 'constructs';

/**
 * An existing VPC a tenant stack runs in (instead of a VPC of its own), so many tenants share
 * one VPC and no VPC quota. Its private subnets (no route to the Internet needed) hold the
 * kernel host and the functions that reach it.
 */
export interface ExistingVpcProps {
  /** `vpc-…`. */
  vpcId: string;
  /** The VPC's IPv4 range (`10.0.0.0/16`): the kernel host's port is open to nothing else. */
  vpcCidrBlock: string;
  /** One per private subnet, in the same order (`eu-west-1a`, …). */
  availabilityZones: string[];
  /** `subnet-…`: two or more, in different availability zones. */
  privateSubnetIds: string[];
  /** `rtb-…`, one per private subnet: the S3 and DynamoDB gateway endpoints' routes go there (when this stack makes the endpoints). */
  privateSubnetRouteTableIds?: string[];
  /**
   * `sg-…` of interface endpoints the VPC already has (ECR, CloudWatch Logs, Secrets
   * Manager, Step Functions, Lambda, EventBridge Scheduler, with private DNS) and its S3 and
   * DynamoDB gateway endpoints: the stack then makes no endpoints and only opens HTTPS from
   * its security groups to this one. Without it the stack makes its own endpoints, which only
   * the first tenant in a VPC can do (private DNS names are one per VPC).
   */
  sharedEndpointsSecurityGroupId?: string;
}

/** The CDK context key of the existing VPC (`-c existingVpc='{…}'`), when the stack props give none. */
export const EXISTING_VPC_CONTEXT = 'existingVpc';

const EXAMPLE =
  '{"vpcId": "vpc-0abc…", "vpcCidrBlock": "10.0.0.0/16", "availabilityZones": ["eu-west-1a", "eu-west-1b"], "privateSubnetIds": ["subnet-0a…", "subnet-0b…"], "privateSubnetRouteTableIds": ["rtb-0a…", "rtb-0b…"]}';
const KEYS = [
  'vpcId',
  'vpcCidrBlock',
  'availabilityZones',
  'privateSubnetIds',
  'privateSubnetRouteTableIds',
  'sharedEndpointsSecurityGroupId',
];
const ID = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{8}([0-9a-f]{9})?$`);

function ids(value: unknown, what: string, prefix: string, min: number): string[] {
  if (!Array.isArray(value) || value.length < min || value.some((v) => typeof v !== 'string')) {
    throw new Error(
      `${what} must be a list of at least ${min} ${prefix} id(s), got ${JSON.stringify(value)}`,
    );
  }
  for (const id of value as string[]) {
    if (!ID(prefix).test(id))
      throw new Error(`${what} has ${JSON.stringify(id)}, which is not a ${prefix}-… id`);
  }
  if (new Set(value).size !== value.length) throw new Error(`${what} repeats an id`);
  return value as string[];
}

/** Validates an existing VPC given as props or context (`source` names it in the errors); undefined: none. */
export function parseExistingVpc(
  raw: unknown,
  source = `context ${EXISTING_VPC_CONTEXT}`,
): ExistingVpcProps | undefined {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return undefined;
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new Error(`${source} is not valid JSON (${(error as Error).message}); expected e.g. ${EXAMPLE}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${source} must be an object, e.g. ${EXAMPLE}`);
  }
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0)
    throw new Error(
      `${source} has unknown field(s) ${unknown.join(', ')}; the fields are ${KEYS.join(', ')}`,
    );
  if (typeof fields.vpcId !== 'string' || !ID('vpc').test(fields.vpcId)) {
    throw new Error(`${source}.vpcId must be a vpc-… id, got ${JSON.stringify(fields.vpcId)}`);
  }
  if (
    typeof fields.vpcCidrBlock !== 'string' ||
    !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(fields.vpcCidrBlock)
  ) {
    throw new Error(
      `${source}.vpcCidrBlock must be the VPC's IPv4 block such as 10.0.0.0/16, got ${JSON.stringify(fields.vpcCidrBlock)}`,
    );
  }
  const subnets = ids(fields.privateSubnetIds, `${source}.privateSubnetIds`, 'subnet', 2);
  const zones = fields.availabilityZones;
  if (
    !Array.isArray(zones) ||
    zones.length !== subnets.length ||
    zones.some((z) => typeof z !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/.test(z))
  ) {
    throw new Error(
      `${source}.availabilityZones must name the zone of each private subnet, in order (${subnets.length} names such as eu-west-1a), got ${JSON.stringify(zones)}`,
    );
  }
  if (new Set(zones).size < 2)
    throw new Error(
      `${source}.availabilityZones: the private subnets must span at least two availability zones`,
    );
  const shared = fields.sharedEndpointsSecurityGroupId;
  if (shared !== undefined && (typeof shared !== 'string' || !ID('sg').test(shared))) {
    throw new Error(
      `${source}.sharedEndpointsSecurityGroupId must be an sg-… id, got ${JSON.stringify(shared)}`,
    );
  }
  const tables =
    fields.privateSubnetRouteTableIds === undefined
      ? undefined
      : ids(fields.privateSubnetRouteTableIds, `${source}.privateSubnetRouteTableIds`, 'rtb', 1);
  if (tables && tables.length !== subnets.length) {
    throw new Error(
      `${source}.privateSubnetRouteTableIds must have one route table per private subnet (${subnets.length})`,
    );
  }
  if (!shared && !tables) {
    throw new Error(
      `${source}: give privateSubnetRouteTableIds (this stack then makes its S3 and DynamoDB gateway endpoints there) or sharedEndpointsSecurityGroupId (the VPC's endpoints are used)`,
    );
  }
  return {
    vpcId: fields.vpcId,
    vpcCidrBlock: fields.vpcCidrBlock,
    availabilityZones: zones as string[],
    privateSubnetIds: subnets,
    ...(tables ? { privateSubnetRouteTableIds: tables } : {}),
    ...(shared ? { sharedEndpointsSecurityGroupId: shared as string } : {}),
  };
}

/** The existing VPC: the stack prop when given, else the `existingVpc` context, validated either way. */
export function existingVpcOf(scope: Construct, fromProps?: ExistingVpcProps): ExistingVpcProps | undefined {
  if (fromProps !== undefined) return parseExistingVpc(fromProps, 'TenantStack: existingVpc');
  return parseExistingVpc(scope.node.tryGetContext(EXISTING_VPC_CONTEXT));
}
