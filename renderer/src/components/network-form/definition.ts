// Pure helpers the form sections share: one family's <ip> read and replaced in a definition, the
// problems that belong to a field, and the defaults a new network (or a newly added <ip>) starts
// from. No React here, so they are unit-tested directly.
import {
  formatIpAddress,
  formatIpv6,
  lastAddress,
  nextFreeSubnet,
  parseCidr,
  subnetOf,
  type Cidr,
} from '../../../../shared/address';
import type { NetworkDefinition } from '../../../../shared/libvirt/network-xml';
import type { DhcpRange, HostInterface, IpConfig, IpFamily } from '../../../../shared/model';
import type { FieldProblem, HostRoute } from '../../../../shared/validation/network-validation';

/** What every section takes: the whole definition, a setter for it, and all of its problems. */
export interface NetworkFormSectionProps {
  definition: NetworkDefinition;
  onChange(next: NetworkDefinition): void;
  /** Every problem of the definition (validateNetworkDefinition); a section shows its own fields'. */
  problems: readonly FieldProblem[];
  disabled?: boolean;
}

/** `object` with `key` set to `value`, or without the key when value is undefined (absent, not empty, in the XML). */
export function withOptional<T extends object, K extends keyof T>(object: T, key: K, value: T[K] | undefined): T {
  const { [key]: _old, ...rest } = object;
  return (value === undefined ? rest : { ...rest, [key]: value }) as T;
}

/** Index in `ips` of the first <ip> of `family`, or -1. */
export function ipIndexOf(definition: NetworkDefinition, family: IpFamily): number {
  return definition.ips.findIndex((ip) => ip.family === family);
}

export function ipOf(definition: NetworkDefinition, family: IpFamily): IpConfig | undefined {
  return definition.ips.find((ip) => ip.family === family);
}

/** The definition with the first <ip> of `family` replaced, added (IPv4 first) or, with undefined, removed. */
export function withIp(definition: NetworkDefinition, family: IpFamily, ip: IpConfig | undefined): NetworkDefinition {
  const index = ipIndexOf(definition, family);
  const ips = [...definition.ips];
  if (index >= 0) {
    if (ip) ips[index] = ip;
    else ips.splice(index, 1);
  } else if (ip) {
    if (family === 'ipv4') ips.unshift(ip);
    else ips.push(ip);
  }
  return { ...definition, ips };
}

/**
 * The problem to show at `field`: an error before a warning. Problems of a field's parts
 * ("ips[0].dhcpRanges[0].start" for "ips[0].dhcpRanges[0]") count only with `nested`.
 */
export function problemAt(problems: readonly FieldProblem[], field: string, nested = false): FieldProblem | undefined {
  const matching = problems.filter((problem) => problem.field === field || (nested && isUnder(problem.field, field)));
  return matching.find((problem) => problem.severity === 'error') ?? matching[0];
}

/** True when `field` is `parent` or one of its parts ("ips[0]" holds "ips[0].address", not "ips[01]"). */
export function isUnder(field: string, parent: string): boolean {
  return field === parent || field.startsWith(`${parent}.`) || field.startsWith(`${parent}[`);
}

/** What a new network's addresses must stay clear of. */
export interface AddressSpace {
  networks: readonly NetworkDefinition[];
  /** undefined where the host cannot be read. */
  hostInterfaces?: readonly HostInterface[] | undefined;
  hostRoutes?: readonly HostRoute[] | undefined;
}

/** IPv4 subnets taken by other networks, the host's addresses and its routes (the default route aside). */
export function usedIpv4Subnets(space: AddressSpace): Cidr[] {
  const networks = space.networks.flatMap((network) => network.ips.flatMap((ip) => subnetOf(ip.address, ip.prefix) ?? []));
  const links = (space.hostInterfaces ?? []).flatMap((link) => link.addresses.flatMap((address) => subnetOf(address.address, address.prefix) ?? []));
  const routes = (space.hostRoutes ?? []).flatMap((route) => parseCidr(route.destination) ?? []).filter((cidr) => cidr.prefix > 0);
  return [...networks, ...links, ...routes].filter((cidr) => cidr.family === 'ipv4');
}

export type DhcpPreset = 'middle' | 'whole';

// libvirt refuses DHCP ranges of more addresses than this, in both families.
const MAX_RANGE_SIZE = 65535n;

/**
 * A DHCP range for the subnet of `ip`: "whole" is every address but the host's, the network and
 * the broadcast address (.2–.254 of a /24 whose host is .1); "middle" is .100–.200 of a /24 (the
 * same share of larger IPv4 subnets; ::100–::200 in IPv6), leaving room for addresses set by hand.
 * Both stop at the 65535 addresses libvirt allows.
 */
export function dhcpRangePreset(ip: Pick<IpConfig, 'family' | 'address' | 'prefix'>, preset: DhcpPreset): DhcpRange | undefined {
  const subnet = subnetOf(ip.address, ip.prefix);
  if (!subnet) return undefined;
  const size = lastAddress(subnet) - subnet.address + 1n;
  const range = (first: bigint, last: bigint): DhcpRange => {
    const end = last - first + 1n > MAX_RANGE_SIZE ? first + MAX_RANGE_SIZE - 1n : last;
    const at = (offset: bigint) => formatIpAddress({ family: subnet.family, value: subnet.address + offset });
    return { start: at(first), end: at(end) };
  };
  if (preset === 'middle') {
    if (size < 256n) return undefined;
    // IPv6 subnets are vast: every one larger than a /119 gets the same ::100–::200.
    if (subnet.family === 'ipv6' && size > 0x200n) return range(0x100n, 0x200n);
    return range((size * 100n) / 256n, (size * 200n) / 256n);
  }
  if (size < 4n) return undefined;
  const host = subnetOf(ip.address, familyBitsOf(ip.family));
  const hostIsFirst = host !== undefined && host.address === subnet.address + 1n;
  // IPv6 has no broadcast address, but ending one short keeps the range's look familiar.
  return range(hostIsFirst ? 2n : 1n, size - 2n);
}

function familyBitsOf(family: IpFamily): number {
  return family === 'ipv4' ? 32 : 128;
}

/**
 * `next` (an <ip> whose address or prefix changed from `previous`) with each DHCP range that was
 * one of the presets of the old subnet moved to the same preset of the new one, so that typing a
 * new subnet does not leave the range behind in the old one.
 */
export function withRangesFollowingSubnet(previous: IpConfig, next: IpConfig): IpConfig {
  const presets: DhcpPreset[] = ['middle', 'whole'];
  const dhcpRanges = next.dhcpRanges.map((range) => {
    const preset = presets.find((candidate) => {
      const old = dhcpRangePreset(previous, candidate);
      return old?.start === range.start && old.end === range.end;
    });
    const moved = preset && dhcpRangePreset(next, preset);
    return moved ? { ...range, start: moved.start, end: moved.end } : range;
  });
  return { ...next, dhcpRanges };
}

/** The first free private /24 with the host at .1 and DHCP over .100–.200; undefined when all are taken. */
export function suggestedIpv4(space: AddressSpace): IpConfig | undefined {
  const subnet = nextFreeSubnet(usedIpv4Subnets(space));
  if (!subnet) return undefined;
  const address = formatIpAddress({ family: 'ipv4', value: subnet.address + 1n });
  const range = dhcpRangePreset({ family: 'ipv4', address, prefix: subnet.prefix }, 'middle');
  return { family: 'ipv4', address, prefix: subnet.prefix, dhcpRanges: range ? [range] : [], dhcpHosts: [] };
}

/**
 * A random RFC 4193 unique local /64 (fdXX:XXXX:XXXX:YYYY::/64) with the host at ::1 and no
 * DHCPv6: guests autoconfigure (SLAAC) from the router advertisements libvirt sends.
 */
export function suggestedIpv6(random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): IpConfig {
  const bytes = random(new Uint8Array(7));
  const value = [0xfd, ...bytes].reduce((sum, byte) => (sum << 8n) | BigInt(byte), 0n) << 64n;
  return { family: 'ipv6', address: formatIpv6(value | 1n), prefix: 64, dhcpRanges: [], dhcpHosts: [] };
}

/** The first virbrN that no network names and no host link has. */
export function freeBridgeName(space: AddressSpace): string {
  const taken = new Set([
    ...space.networks.flatMap((network) => (network.bridge ? [network.bridge.name] : [])),
    ...(space.hostInterfaces ?? []).map((link) => link.name),
  ]);
  for (let index = 0; ; index += 1) if (!taken.has(`virbr${index}`)) return `virbr${index}`;
}

/** `base`, or base2, base3… when a network already has that name. */
export function freeNetworkName(base: string, networks: readonly NetworkDefinition[]): string {
  const taken = new Set(networks.map((network) => network.name));
  if (!taken.has(base)) return base;
  for (let index = 2; ; index += 1) if (!taken.has(`${base}${index}`)) return `${base}${index}`;
}
