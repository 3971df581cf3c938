// Address math shared by the core and the renderer. Parsers return undefined for text that is
// not an address, so callers decide which error (and which field) to report.
import type { IpFamily } from './model';

const IPV4_OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** The IPv4 address as an unsigned 32-bit number, or undefined unless `text` is a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    // Leading zeros are refused: inet_aton would read them as octal.
    if (!IPV4_OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`${value} is not an IPv4 address value`);
  }
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join('.');
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** RFC 4291 text forms: eight groups, one "::" abbreviation, an optional dotted-quad tail. */
export function isIpv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  const last = groups[groups.length - 1];
  // A trailing IPv4 address stands for the last two groups.
  const groupCount = last !== undefined && last.includes('.') ? groups.length + 1 : groups.length;
  const groupsValid = groups.every((group, index) =>
    index === groups.length - 1 && group.includes('.') ? isIpv4(group) : IPV6_GROUP.test(group),
  );
  if (!groupsValid) return false;
  return halves.length === 2 ? groupCount <= 7 : groupCount === 8;
}

/** The prefix length of a contiguous IPv4 netmask, or undefined for anything else. */
export function netmaskToPrefix(mask: string): number | undefined {
  const value = parseIpv4(mask);
  if (value === undefined) return undefined;
  const hostBits = ~value >>> 0;
  // A contiguous mask leaves host bits of the form 0…01…1, so hostBits + 1 is a power of two
  // and the leading zeros of hostBits are the prefix.
  if ((hostBits & (hostBits + 1)) !== 0) return undefined;
  return Math.clz32(hostBits);
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** The MAC address in libvirt's lowercase form, or undefined unless it is six colon-separated hex pairs. */
export function normalizeMac(text: string): string | undefined {
  const lower = text.toLowerCase();
  return MAC.test(lower) ? lower : undefined;
}

// ---- CIDR math ----------------------------------------------------------------------------
// Both families are computed as bigint so one set of functions serves IPv4 and IPv6.

/** An address as a number: 32 bits for IPv4, 128 for IPv6. */
export interface IpAddress {
  family: IpFamily;
  value: bigint;
}

/** A subnet: `address` is its first (network) address, with the host bits cleared. */
export interface Cidr {
  family: IpFamily;
  address: bigint;
  prefix: number;
}

const FAMILY_BITS: Record<IpFamily, number> = { ipv4: 32, ipv6: 128 };

export function familyBits(family: IpFamily): number {
  return FAMILY_BITS[family];
}

/** The IPv6 address as an unsigned 128-bit number, or undefined unless `text` is an IPv6 address. */
export function parseIpv6(text: string): bigint | undefined {
  if (!isIpv6(text)) return undefined;
  const groupsOf = (half: string): number[] => {
    if (half === '') return [];
    return half.split(':').flatMap((group) => {
      if (!group.includes('.')) return [parseInt(group, 16)];
      const tail = parseIpv4(group) ?? 0;
      return [tail >>> 16, tail & 0xffff];
    });
  };
  const [head = '', tail] = text.split('::');
  const headGroups = groupsOf(head);
  const tailGroups = tail === undefined ? [] : groupsOf(tail);
  const groups = [...headGroups, ...new Array<number>(8 - headGroups.length - tailGroups.length).fill(0), ...tailGroups];
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as "::". */
export function formatIpv6(value: bigint): string {
  if (value < 0n || value >> 128n !== 0n) throw new RangeError(`${value} is not an IPv6 address value`);
  const groups = Array.from({ length: 8 }, (_, index) => Number((value >> BigInt(112 - 16 * index)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const text = groups.map((group) => group.toString(16));
  if (bestStart < 0) return text.join(':');
  return `${text.slice(0, bestStart).join(':')}::${text.slice(bestStart + bestLength).join(':')}`;
}

export function parseIpAddress(text: string): IpAddress | undefined {
  const ipv4 = parseIpv4(text);
  if (ipv4 !== undefined) return { family: 'ipv4', value: BigInt(ipv4) };
  const ipv6 = parseIpv6(text);
  return ipv6 === undefined ? undefined : { family: 'ipv6', value: ipv6 };
}

export function formatIpAddress(address: IpAddress): string {
  return address.family === 'ipv4' ? formatIpv4(Number(address.value)) : formatIpv6(address.value);
}

function hostMask(family: IpFamily, prefix: number): bigint {
  return (1n << BigInt(familyBits(family) - prefix)) - 1n;
}

/** The subnet of `address`/`prefix`, or undefined when the address or prefix is not valid. */
export function subnetOf(address: string, prefix: number): Cidr | undefined {
  const parsed = parseIpAddress(address);
  if (!parsed || !Number.isInteger(prefix) || prefix < 0 || prefix > familyBits(parsed.family)) return undefined;
  return { family: parsed.family, address: parsed.value & ~hostMask(parsed.family, prefix), prefix };
}

/** "192.168.122.0/24" or "fd00::/64"; host bits are allowed ("192.168.122.1/24") and cleared. */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/]+)\/([0-9]{1,3})$/.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  return subnetOf(match[1], Number(match[2]));
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpAddress({ family: cidr.family, value: cidr.address })}/${cidr.prefix}`;
}

/** The last address of the subnet: IPv4's broadcast address. */
export function lastAddress(cidr: Cidr): bigint {
  return cidr.address | hostMask(cidr.family, cidr.prefix);
}

export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  return address.family === cidr.family && address.value >= cidr.address && address.value <= lastAddress(cidr);
}

/** Two subnets overlap exactly when one contains the other's network address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  return cidrContains(a, { family: b.family, value: b.address }) || cidrContains(b, { family: a.family, value: a.address });
}

/** True when start ≤ end and both lie inside the subnet. */
export function rangeInsideCidr(cidr: Cidr, start: IpAddress, end: IpAddress): boolean {
  return start.value <= end.value && cidrContains(cidr, start) && cidrContains(cidr, end);
}

/** The dotted-quad netmask of an IPv4 prefix length (0–32). */
export function prefixToNetmask(prefix: number): string {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new RangeError(`${prefix} is not an IPv4 prefix length`);
  return formatIpv4(Number(0xffffffffn ^ hostMask('ipv4', prefix)));
}

/**
 * Where nextFreeSubnet looks, in order: 192.168.100.0–192.168.254.255 first (home routers
 * use the low 192.168.x networks; libvirt's default is 192.168.122.0/24), then 10.0.0.0/8,
 * then 172.16.0.0/12 last, because Docker and Podman take their bridges from 172.17 upwards.
 */
const FREE_SUBNET_POOLS: readonly (readonly [string, string])[] = [
  ['192.168.100.0', '192.168.254.255'],
  ['10.0.0.0', '10.255.255.255'],
  ['172.16.0.0', '172.31.255.255'],
];

/** The first private IPv4 subnet of `prefix` length (default /24) that overlaps none of `used`. */
export function nextFreeSubnet(used: readonly Cidr[], options: { prefix?: number } = {}): Cidr | undefined {
  const prefix = options.prefix ?? 24;
  if (!Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new RangeError(`${prefix} is not a usable subnet prefix length`);
  const size = 1n << BigInt(32 - prefix);
  for (const [first, last] of FREE_SUBNET_POOLS) {
    const poolStart = BigInt(parseIpv4(first) ?? 0);
    const poolEnd = BigInt(parseIpv4(last) ?? 0);
    // Candidates are aligned to their size, as a subnet's network address must be.
    for (let address = ((poolStart + size - 1n) / size) * size; address + size - 1n <= poolEnd; address += size) {
      const candidate: Cidr = { family: 'ipv4', address, prefix };
      if (!used.some((cidr) => cidrsOverlap(cidr, candidate))) return candidate;
    }
  }
  return undefined;
}
