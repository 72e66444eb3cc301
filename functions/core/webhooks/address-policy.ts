import { isIP } from 'node:net';

/** A parsed address: its family and its value as a 32- or 128-bit integer. */
interface Address {
  family: 4 | 6;
  value: bigint;
}

/** An address block: `base/prefix` of one family. */
export interface Cidr {
  family: 4 | 6;
  base: bigint;
  prefix: number;
  text: string;
}

/** Why an address is refused, by the block it falls in. */
const REFUSED_V4: ReadonlyArray<[string, string]> = [
  ['0.0.0.0/8', 'this-network'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', '6to4 relay'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

const REFUSED_V6: ReadonlyArray<[string, string]> = [
  ['::1/128', 'loopback'],
  ['::/128', 'unspecified'],
  ['::/96', 'IPv4-compatible'],
  ['100::/64', 'discard-only'],
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'unique local (private)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
];

/** IPv6 blocks that carry an IPv4 address in their last 32 bits: judged by that address. */
const EMBEDS_V4: readonly string[] = ['::ffff:0:0/96', '64:ff9b::/96'];

function parseV4(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function parseV6(text: string): bigint {
  let body = text.split('%')[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (dotted) {
    const v4 = parseV4(dotted[1]!);
    body = `${body.slice(0, -dotted[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = body.includes('::') ? body.split('::') : [body, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g || '0', 16)), 0n);
}

/** Parses an IP literal (IPv6 with or without brackets); undefined when it is not one. */
export function parseAddress(text: string): Address | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(bare);
  if (family === 4) return { family: 4, value: parseV4(bare) };
  if (family === 6) return { family: 6, value: parseV6(bare) };
  return undefined;
}

/** Parses `a.b.c.d/n` or `x::y/n`; throws on anything else. */
export function parseCidr(text: string): Cidr {
  const [address, bits] = text.trim().split('/');
  const parsed = address ? parseAddress(address) : undefined;
  const width = parsed?.family === 4 ? 32 : 128;
  const prefix = bits === undefined ? width : Number(bits);
  if (!parsed || !Number.isInteger(prefix) || prefix < 0 || prefix > width) {
    throw new Error(`not a CIDR block: ${JSON.stringify(text)}`);
  }
  return { family: parsed.family, base: mask(parsed.value, prefix, width), prefix, text: text.trim() };
}

function mask(value: bigint, prefix: number, width: number): bigint {
  const host = BigInt(width - prefix);
  return (value >> host) << host;
}

function contains(cidr: Cidr, address: Address): boolean {
  if (cidr.family !== address.family) return false;
  const width = address.family === 4 ? 32 : 128;
  return mask(address.value, cidr.prefix, width) === cidr.base;
}

const refusedV4 = REFUSED_V4.map(([c, why]) => [parseCidr(c), why] as const);
const refusedV6 = REFUSED_V6.map(([c, why]) => [parseCidr(c), why] as const);
const embedsV4 = EMBEDS_V4.map(parseCidr);

/**
 * Why webhooks may not be sent to `address` (an IP literal), or null when they may: loopback,
 * private, link-local (the cloud metadata endpoint), carrier-grade NAT, this-network,
 * documentation, multicast and reserved blocks of both families are refused; IPv4-mapped and
 * NAT64 IPv6 addresses are judged by the IPv4 address they carry. `allowed` blocks (the
 * deployment's `CELLWISE_WEBHOOK_ALLOW_CIDRS`) override the refusal.
 */
export function addressRefusal(address: string, allowed: readonly Cidr[] = []): string | null {
  const parsed = parseAddress(address);
  if (!parsed) return `${address} is not an IP address`;
  const candidates = [parsed];
  if (parsed.family === 6 && embedsV4.some((c) => contains(c, parsed))) {
    candidates.push({ family: 4, value: parsed.value & 0xffffffffn });
  }
  if (candidates.some((a) => allowed.some((c) => contains(c, a)))) return null;
  const v4 = candidates.find((a) => a.family === 4);
  const table = v4 ? refusedV4 : refusedV6;
  const hit = table.find(([cidr]) => contains(cidr, v4 ?? parsed));
  return hit ? `${address} is a ${hit[1]} address` : null;
}

/** Parses a comma-separated list of CIDR blocks (empty or unset: none). */
export function parseCidrList(text: string | undefined): Cidr[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseCidr);
}
