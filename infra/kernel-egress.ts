import type { Construct } from 'constructs';

/**
 * One destination notebook code may reach from the kernel host in AWS, beyond what the kernel
 * host itself needs (`TenantNetwork`): one TCP egress rule on the kernel host's security group.
 */
export interface KernelEgressRule {
  /** An IPv4 block in CIDR notation, written as its network address (`203.0.113.0/24`; one address is `/32`). */
  cidr: string;
  /** The TCP port, 1 to 65535. */
  port: number;
  /** The rule's description on the security group (default: `Kernel egress allow-list: <cidr> port <port>`). */
  description?: string;
}

/** The CDK context key (`-c kernelEgress='[...]'`) of the allow-list, when the stack props give none. */
export const KERNEL_EGRESS_CONTEXT = 'kernelEgress';

/**
 * At most this many entries. A security group has 60 outbound rules by default; the kernel
 * host's own two (the S3 prefix list, weight 1, and the endpoints' security group) come first.
 */
export const MAX_KERNEL_EGRESS_RULES = 50;

const EXAMPLE = '[{"cidr": "203.0.113.0/24", "port": 443, "description": "Partner API"}]';
const KEYS: ReadonlySet<string> = new Set(['cidr', 'port', 'description']);
/** What EC2 accepts in a security group rule's description, up to 255 characters. */
const DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** `a.b.c.d/n` → the block's network address and prefix; throws with `what` in the message. */
function parseIpv4Cidr(value: string, what: string): { address: number; prefix: number } {
  if (value.includes(':')) {
    throw new Error(`${what} is an IPv6 block (${value}): the tenant VPC has no IPv6, give IPv4 blocks only`);
  }
  const match = IPV4_CIDR.exec(value);
  if (!match) {
    throw new Error(
      `${what} must be an IPv4 block in CIDR notation such as 203.0.113.0/24 (one address: 203.0.113.7/32), got ${JSON.stringify(value)}`,
    );
  }
  const parts = match.slice(1, 5);
  for (const part of parts) {
    if (Number(part) > 255 || (part.length > 1 && part.startsWith('0'))) {
      throw new Error(
        `${what} has an invalid address: ${JSON.stringify(value)} (each part 0 to 255, no leading zeros)`,
      );
    }
  }
  const prefix = Number(match[5]);
  if (prefix > 32 || (match[5]!.length > 1 && match[5]!.startsWith('0'))) {
    throw new Error(`${what} has an invalid prefix length: ${JSON.stringify(value)} (0 to 32)`);
  }
  const address = parts.reduce((n, part) => n * 256 + Number(part), 0);
  const size = 2 ** (32 - prefix);
  const network = address - (address % size);
  if (network !== address) {
    const canonical = `${[24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.')}/${prefix}`;
    throw new Error(
      `${what} has host bits set: ${value} is not the first address of its block; write ${canonical} (or /32 for one address)`,
    );
  }
  return { address, prefix };
}

/**
 * Validates an allow-list given as stack props or as CDK context (`source` names it in the
 * errors). Context from the command line is a JSON string; from cdk.json an array. Nothing
 * (undefined, null, an empty string) is the default: no egress beyond the kernel host's own.
 */
export function parseKernelEgress(raw: unknown, source = KERNEL_EGRESS_CONTEXT): KernelEgressRule[] {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return [];
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new Error(`${source} is not valid JSON (${(error as Error).message}); expected e.g. ${EXAMPLE}`);
    }
  }
  if (!Array.isArray(value)) {
    throw new Error(`${source} must be a list of {cidr, port, description?} entries, e.g. ${EXAMPLE}`);
  }
  if (value.length > MAX_KERNEL_EGRESS_RULES) {
    throw new Error(
      `${source} has ${value.length} entries; at most ${MAX_KERNEL_EGRESS_RULES} fit on the kernel host's security group`,
    );
  }
  const seen = new Map<string, number>();
  return value.map((entry: unknown, i): KernelEgressRule => {
    const what = `${source}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new Error(`${what} must be an object {cidr, port, description?}, got ${JSON.stringify(entry)}`);
    }
    const fields = entry as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((key) => !KEYS.has(key));
    if (unknown.length > 0) {
      throw new Error(
        `${what} has unknown field(s) ${unknown.join(', ')}; the fields are cidr, port, description`,
      );
    }
    if (typeof fields.cidr !== 'string') {
      throw new Error(
        `${what}.cidr must be a string such as "203.0.113.0/24", got ${JSON.stringify(fields.cidr)}`,
      );
    }
    const cidr = fields.cidr.trim();
    parseIpv4Cidr(cidr, `${what}.cidr`);
    const port = fields.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`${what}.port must be a whole number from 1 to 65535, got ${JSON.stringify(port)}`);
    }
    const key = `${cidr} ${port}`;
    if (seen.has(key)) {
      throw new Error(`${what} repeats ${source}[${seen.get(key)}] (${cidr} port ${port})`);
    }
    seen.set(key, i);
    if (fields.description === undefined) return { cidr, port };
    if (typeof fields.description !== 'string' || !DESCRIPTION.test(fields.description)) {
      throw new Error(
        `${what}.description must be 1 to 255 characters of letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* (what EC2 accepts), got ${JSON.stringify(fields.description)}`,
      );
    }
    return { cidr, port, description: fields.description };
  });
}

/**
 * The kernel host's egress allow-list: the stack prop when given, else the `kernelEgress`
 * context, validated either way.
 */
export function kernelEgressOf(
  scope: Construct,
  fromProps?: readonly KernelEgressRule[],
): KernelEgressRule[] {
  if (fromProps !== undefined) return parseKernelEgress(fromProps, 'TenantStack: kernelEgress');
  return parseKernelEgress(
    scope.node.tryGetContext(KERNEL_EGRESS_CONTEXT),
    `context ${KERNEL_EGRESS_CONTEXT}`,
  );
}

/** The security group rule description of an entry. */
export function kernelEgressDescription(rule: KernelEgressRule): string {
  return rule.description ?? `Kernel egress allow-list: ${rule.cidr} port ${rule.port}`;
}
