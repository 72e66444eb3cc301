import { describe, expect, it } from 'vitest';
import { addressRefusal, parseCidr, parseCidrList } from '../../functions/core/webhooks/address-policy.ts';

const refused: Array<[string, string]> = [
  ['0.0.0.0', 'this-network'],
  ['0.1.2.3', 'this-network'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['100.127.255.254', 'carrier-grade NAT'],
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.8', 'IETF protocol assignments'],
  ['192.0.2.10', 'documentation'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'benchmarking'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.5', 'documentation'],
  ['224.0.0.251', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['::127.0.0.1', 'IPv4-compatible'],
  ['fc00::1', 'unique local'],
  ['fd12:3456:789a::1', 'unique local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fec0::1', 'site-local'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['100::1', 'discard-only'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:a9fe:a9fe', 'link-local'],
  ['::ffff:192.168.0.1', 'private'],
  ['64:ff9b::169.254.169.254', 'link-local'],
  ['[::1]', 'loopback'],
];

const allowed = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '100.63.255.255',
  '100.128.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '169.253.255.255',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2a00:1450:4001:80b::200e',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  'fbff:ffff::1',
  'fe7f::1',
];

describe('unit: webhook address policy', () => {
  it.each(refused)('refuses %s as %s', (address, why) => {
    expect(addressRefusal(address)).toContain(why);
  });

  it.each(allowed.map((a) => [a]))('allows the public address %s', (address) => {
    expect(addressRefusal(address)).toBeNull();
  });

  it('lets allowed blocks override the refusal, and only those blocks', () => {
    const allow = parseCidrList('127.0.0.0/8, fd00::/8');
    expect(addressRefusal('127.0.0.1', allow)).toBeNull();
    expect(addressRefusal('::ffff:127.0.0.1', allow)).toBeNull();
    expect(addressRefusal('fd00::5', allow)).toBeNull();
    expect(addressRefusal('10.0.0.1', allow)).toContain('private');
    expect(addressRefusal('169.254.169.254', allow)).toContain('link-local');
    expect(addressRefusal('192.168.0.1', allow)).toContain('private');
    expect(addressRefusal('::1', allow)).toContain('loopback');
  });

  it('refuses what is not an IP address', () => {
    expect(addressRefusal('example.com')).toContain('not an IP address');
  });

  it('parses CIDR blocks and rejects malformed ones', () => {
    expect(parseCidr('10.1.2.3/8').prefix).toBe(8);
    expect(parseCidr('::1').prefix).toBe(128);
    expect(parseCidrList('')).toEqual([]);
    expect(() => parseCidr('10.0.0.0/33')).toThrow(/CIDR/);
    expect(() => parseCidr('nonsense/8')).toThrow(/CIDR/);
    expect(() => parseCidr('::/129')).toThrow(/CIDR/);
  });
});
