import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  cidrsOverlap,
  formatCidr,
  formatIpAddress,
  formatIpv4,
  formatIpv6,
  isIpv4,
  isIpv6,
  lastAddress,
  netmaskToPrefix,
  nextFreeSubnet,
  normalizeMac,
  parseCidr,
  parseIpAddress,
  parseIpv4,
  parseIpv6,
  prefixToNetmask,
  rangeInsideCidr,
  subnetOf,
  type Cidr,
  type IpAddress,
} from './address';

describe('parseIpv4 / formatIpv4', () => {
  it('reads a dotted quad as an unsigned number', () => {
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('192.168.122.1')).toBe(0xc0a87a01);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-4', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1..3.4', '2001:db8::1'])(
    'refuses %j',
    (text) => {
      expect(parseIpv4(text)).toBeUndefined();
      expect(isIpv4(text)).toBe(false);
    },
  );

  it('formats numbers back to dotted quads', () => {
    expect(formatIpv4(0xc0a87a01)).toBe('192.168.122.1');
    expect(formatIpv4(0)).toBe('0.0.0.0');
    expect(formatIpv4(0xffffffff)).toBe('255.255.255.255');
  });

  it('round-trips', () => {
    for (const text of ['10.0.0.1', '172.16.254.3', '192.168.122.254']) {
      expect(formatIpv4(parseIpv4(text) ?? -1)).toBe(text);
    }
  });

  it('rejects values that are not 32-bit addresses', () => {
    expect(() => formatIpv4(-1)).toThrow(RangeError);
    expect(() => formatIpv4(2 ** 32)).toThrow(RangeError);
    expect(() => formatIpv4(1.5)).toThrow(RangeError);
  });
});

describe('isIpv6', () => {
  it.each([
    '::',
    '::1',
    '2001:db8::1',
    '2001:db8:ac10:fd01::1:20',
    '2001:0db8:0000:0000:0000:0000:0000:0001',
    'fe80::',
    '1:2:3:4:5:6:7::',
    '::ffff:192.168.1.1',
    '64:ff9b::10.0.0.1',
    '2001:DB8::A',
  ])('accepts %j', (text) => {
    expect(isIpv6(text)).toBe(true);
  });

  it.each([
    '',
    ':',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::8',
    '12345::1',
    'g::1',
    ':1::',
    '::1:',
    '1.2.3.4',
    '::1.2.3.4:5',
    '::256.1.1.1',
    'fe80::1%eth0',
  ])('refuses %j', (text) => {
    expect(isIpv6(text)).toBe(false);
  });
});

describe('netmaskToPrefix', () => {
  it.each([
    ['0.0.0.0', 0],
    ['128.0.0.0', 1],
    ['255.0.0.0', 8],
    ['255.255.0.0', 16],
    ['255.255.255.0', 24],
    ['255.255.255.128', 25],
    ['255.255.255.252', 30],
    ['255.255.255.255', 32],
  ])('%s is /%i', (mask, prefix) => {
    expect(netmaskToPrefix(mask)).toBe(prefix);
  });

  it.each(['255.0.255.0', '255.255.255.1', '0.255.255.255', '255.255.254.255', '255.255.255', 'ffff:ff00::'])(
    'refuses %j',
    (mask) => {
      expect(netmaskToPrefix(mask)).toBeUndefined();
    },
  );
});

describe('normalizeMac', () => {
  it('lowercases a valid address', () => {
    expect(normalizeMac('52:54:00:17:3F:37')).toBe('52:54:00:17:3f:37');
    expect(normalizeMac('aa:bb:cc:dd:ee:ff')).toBe('aa:bb:cc:dd:ee:ff');
  });

  it.each(['', '52:54:00:17:3f', '52:54:00:17:3f:37:00', '52-54-00-17-3f-37', '5:54:00:17:3f:37', '52:54:00:17:3g:37', ' 52:54:00:17:3f:37'])(
    'refuses %j',
    (text) => {
      expect(normalizeMac(text)).toBeUndefined();
    },
  );
});

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`${text} is not a CIDR`);
  return parsed;
}

function address(text: string): IpAddress {
  const parsed = parseIpAddress(text);
  if (!parsed) throw new Error(`${text} is not an address`);
  return parsed;
}

describe('parseIpv6 / formatIpv6', () => {
  it.each([
    ['::', 0n],
    ['::1', 1n],
    ['2001:db8::1', 0x20010db8000000000000000000000001n],
    ['::ffff:192.168.1.1', 0xffffc0a80101n],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', (1n << 128n) - 1n],
    ['1:2:3:4:5:6:7::', 0x00010002000300040005000600070000n],
  ])('reads %s', (text, value) => {
    expect(parseIpv6(text)).toBe(value);
  });

  it.each(['1.2.3.4', 'fe80::1%eth0', '1::2::3', ''])('refuses %j', (text) => {
    expect(parseIpv6(text)).toBeUndefined();
  });

  it.each([
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:1:1:1:1:0:1', '2001:db8:1:1:1:1:0:1'],
    ['::', '::'],
    ['fe80::', 'fe80::'],
    ['::1', '::1'],
  ])('formats %s as %s (RFC 5952)', (text, formatted) => {
    expect(formatIpv6(parseIpv6(text) ?? -1n)).toBe(formatted);
  });

  it('rejects values that are not 128-bit addresses', () => {
    expect(() => formatIpv6(-1n)).toThrow(RangeError);
    expect(() => formatIpv6(1n << 128n)).toThrow(RangeError);
  });
});

describe('parseIpAddress / formatIpAddress', () => {
  it('tells the families apart', () => {
    expect(parseIpAddress('10.0.0.1')).toEqual({ family: 'ipv4', value: 0x0a000001n });
    expect(parseIpAddress('fd00::1')).toEqual({ family: 'ipv6', value: 0xfd000000000000000000000000000001n });
    expect(parseIpAddress('host')).toBeUndefined();
    expect(formatIpAddress(address('192.168.122.1'))).toBe('192.168.122.1');
    expect(formatIpAddress(address('FD00:0::1'))).toBe('fd00::1');
  });
});

describe('CIDR math', () => {
  it('parses subnets and clears host bits', () => {
    expect(parseCidr('192.168.122.0/24')).toEqual({ family: 'ipv4', address: 0xc0a87a00n, prefix: 24 });
    expect(formatCidr(cidr('192.168.122.1/24'))).toBe('192.168.122.0/24');
    expect(formatCidr(cidr('2001:db8:ca2:2::1/64'))).toBe('2001:db8:ca2:2::/64');
    expect(formatCidr(cidr('0.0.0.0/0'))).toBe('0.0.0.0/0');
    expect(formatCidr(cidr('10.0.0.7/32'))).toBe('10.0.0.7/32');
  });

  it.each(['192.168.122.0', '192.168.122.0/33', '192.168.122.0/-1', 'fd00::/129', '/24', 'x/24', '10.0.0.0/2a', '10.0.0.0/24/1'])(
    'refuses %j',
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );

  it('builds a subnet from an address and a prefix', () => {
    expect(subnetOf('172.17.0.1', 16)).toEqual(cidr('172.17.0.0/16'));
    expect(subnetOf('172.17.0.1', 33)).toBeUndefined();
    expect(subnetOf('172.17.0.1', 1.5)).toBeUndefined();
    expect(subnetOf('nope', 16)).toBeUndefined();
  });

  it('finds the last (broadcast) address', () => {
    expect(formatIpAddress({ family: 'ipv4', value: lastAddress(cidr('192.168.122.0/24')) })).toBe('192.168.122.255');
    expect(formatIpAddress({ family: 'ipv4', value: lastAddress(cidr('10.0.0.0/8')) })).toBe('10.255.255.255');
    expect(formatIpAddress({ family: 'ipv6', value: lastAddress(cidr('fd00::/64')) })).toBe('fd00::ffff:ffff:ffff:ffff');
  });

  it('tests containment', () => {
    expect(cidrContains(cidr('192.168.122.0/24'), address('192.168.122.0'))).toBe(true);
    expect(cidrContains(cidr('192.168.122.0/24'), address('192.168.122.255'))).toBe(true);
    expect(cidrContains(cidr('192.168.122.0/24'), address('192.168.123.0'))).toBe(false);
    expect(cidrContains(cidr('0.0.0.0/0'), address('8.8.8.8'))).toBe(true);
    expect(cidrContains(cidr('::/0'), address('8.8.8.8'))).toBe(false);
    expect(cidrContains(cidr('2001:db8::/32'), address('2001:db8:ffff::1'))).toBe(true);
  });

  it.each([
    ['192.168.122.0/24', '192.168.122.0/24', true],
    ['192.168.0.0/16', '192.168.122.0/24', true],
    ['192.168.122.0/24', '192.168.0.0/16', true],
    ['192.168.122.0/25', '192.168.122.128/25', false],
    ['10.0.0.0/8', '172.17.0.0/16', false],
    ['0.0.0.0/0', '10.8.0.0/24', true],
    ['fd00::/64', 'fd00::/48', true],
    ['fd00:1::/64', 'fd00:2::/64', false],
    ['10.0.0.0/8', '::/0', false],
  ])('%s and %s overlap: %s', (a, b, overlap) => {
    expect(cidrsOverlap(cidr(a), cidr(b))).toBe(overlap);
  });

  it('checks a range lies inside a subnet, start before end', () => {
    const subnet = cidr('192.168.122.0/24');
    expect(rangeInsideCidr(subnet, address('192.168.122.2'), address('192.168.122.254'))).toBe(true);
    expect(rangeInsideCidr(subnet, address('192.168.122.9'), address('192.168.122.9'))).toBe(true);
    expect(rangeInsideCidr(subnet, address('192.168.122.200'), address('192.168.122.100'))).toBe(false);
    expect(rangeInsideCidr(subnet, address('192.168.122.2'), address('192.168.123.1'))).toBe(false);
    expect(rangeInsideCidr(cidr('2001:db8:ca2:2::/64'), address('2001:db8:ca2:2:1::10'), address('2001:db8:ca2:2:1::ff'))).toBe(true);
  });

  it.each([
    [0, '0.0.0.0'],
    [8, '255.0.0.0'],
    [24, '255.255.255.0'],
    [25, '255.255.255.128'],
    [32, '255.255.255.255'],
  ])('writes /%i as netmask %s, the inverse of netmaskToPrefix', (prefix, netmask) => {
    expect(prefixToNetmask(prefix)).toBe(netmask);
    expect(netmaskToPrefix(netmask)).toBe(prefix);
  });

  it('refuses prefixes that are no IPv4 prefix', () => {
    expect(() => prefixToNetmask(33)).toThrow(RangeError);
    expect(() => prefixToNetmask(-1)).toThrow(RangeError);
  });
});

describe('nextFreeSubnet', () => {
  it('starts at 192.168.100.0/24', () => {
    expect(formatCidr(nextFreeSubnet([]) ?? cidr('0.0.0.0/0'))).toBe('192.168.100.0/24');
  });

  it('skips every subnet that overlaps one in use, of any size', () => {
    const used = [cidr('192.168.100.0/24'), cidr('192.168.101.0/25'), cidr('192.168.102.0/23'), cidr('fd00::/8')];
    expect(formatCidr(nextFreeSubnet(used) ?? cidr('0.0.0.0/0'))).toBe('192.168.104.0/24');
  });

  it('moves on to 10.0.0.0/8 and then 172.16.0.0/12 when 192.168 is taken', () => {
    expect(formatCidr(nextFreeSubnet([cidr('192.168.0.0/16')]) ?? cidr('0.0.0.0/0'))).toBe('10.0.0.0/24');
    expect(formatCidr(nextFreeSubnet([cidr('192.168.0.0/16'), cidr('10.0.0.0/8')]) ?? cidr('0.0.0.0/0'))).toBe('172.16.0.0/24');
    expect(nextFreeSubnet([cidr('0.0.0.0/0')])).toBeUndefined();
  });

  it('finds subnets of other sizes, aligned to their size', () => {
    expect(formatCidr(nextFreeSubnet([cidr('192.168.100.0/24')], { prefix: 22 }) ?? cidr('0.0.0.0/0'))).toBe('192.168.104.0/22');
    expect(formatCidr(nextFreeSubnet([], { prefix: 16 }) ?? cidr('0.0.0.0/0'))).toBe('10.0.0.0/16');
    expect(() => nextFreeSubnet([], { prefix: 31 })).toThrow(RangeError);
  });
});
