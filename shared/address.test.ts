import { describe, expect, it } from 'vitest';
import { formatIpv4, isIpv4, isIpv6, netmaskToPrefix, normalizeMac, parseIpv4 } from './address';

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
