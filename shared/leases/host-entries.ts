// A network's static host entries: DHCP reservations (<ip><dhcp><host mac ip name/>) and DNS host
// records (<dns><host ip><hostname/>). The checks run twice with the same functions: in the
// renderer at the field, before anything is sent, and in the core before virsh is asked.
import { formatIpv4, isIpv4, isIpv6, normalizeMac, parseIpv4 } from '../address';
import { SwitchyardError } from '../errors';
import type { DhcpHost, DnsHost, ErrorValue, IpConfig, Lease, Network } from '../model';

/** A DHCP reservation as the user gives it: a MAC gets a fixed IPv4 address (and a name). */
export interface DhcpHostInput {
  mac: string;
  ip: string;
  name?: string | undefined;
}

export interface DnsHostInput {
  ip: string;
  hostnames: string[];
}

function fieldProblem(field: string, message: string, hint: string): ErrorValue {
  return { code: 'invalid-input', field, message, hint };
}

/** The <ip> of `network` whose IPv4 subnet holds `ip`, with its index among all <ip> elements. */
export function ipv4ConfigFor(network: Network, ip: string): { config: IpConfig; index: number } | undefined {
  const value = parseIpv4(ip);
  if (value === undefined) return undefined;
  for (const [index, config] of network.ips.entries()) {
    if (config.family !== 'ipv4') continue;
    const base = parseIpv4(config.address);
    if (base !== undefined && networkBits(base, config.prefix) === networkBits(value, config.prefix)) return { config, index };
  }
  return undefined;
}

function networkBits(value: number, prefix: number): number {
  return prefix === 0 ? 0 : (value & (~0 << (32 - prefix))) >>> 0;
}

function subnetText(config: IpConfig): string {
  return `${formatIpv4(networkBits(parseIpv4(config.address) ?? 0, config.prefix))}/${config.prefix}`;
}

const HOSTNAME_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Names dnsmasq can hand out and answer for: dot-separated labels of letters, digits and '-'. */
export function isHostname(name: string): boolean {
  return name.length <= 253 && name.split('.').every((label) => HOSTNAME_LABEL.test(label));
}

const HOSTNAME_HINT = 'Use letters, digits and "-" (not at the start or end), with dots between labels, e.g. web-1 or db.lab.';

function sameDhcpHost(a: DhcpHost, b: DhcpHost): boolean {
  return a.ip === b.ip && a.mac?.toLowerCase() === b.mac?.toLowerCase() && a.name === b.name && a.id === b.id;
}

/**
 * Every problem with a reservation, at most one per field (mac, ip, name), against the network it
 * goes into. `replacing` is the entry being edited, which the new one may share values with.
 */
export function dhcpHostProblems(network: Network, host: DhcpHostInput, replacing?: DhcpHost): ErrorValue[] {
  const problems: ErrorValue[] = [];
  const others = network.ips.flatMap((config) => config.dhcpHosts).filter((h) => !(replacing && sameDhcpHost(h, replacing)));

  const mac = normalizeMac(host.mac.trim());
  if (mac === undefined) {
    problems.push(fieldProblem('mac', `"${host.mac}" is not a MAC address.`, 'Write six hex pairs separated by colons, e.g. 52:54:00:12:34:56.'));
  } else {
    const taken = others.find((h) => h.mac?.toLowerCase() === mac);
    if (taken) {
      problems.push(fieldProblem('mac', `${mac} already has a reservation (${taken.ip}).`, 'Edit that reservation instead, or give another MAC.'));
    }
  }

  const ipProblem = reservationIpProblem(network, host.ip.trim(), others);
  if (ipProblem) problems.push(ipProblem);

  const name = host.name?.trim();
  if (name) {
    if (!isHostname(name)) {
      problems.push(fieldProblem('name', `"${name}" is not a valid host name.`, HOSTNAME_HINT));
    } else {
      const taken = others.find((h) => h.name === name);
      if (taken) {
        problems.push(fieldProblem('name', `The name ${name} is already reserved for ${taken.ip}.`, 'Choose another name, or leave it empty.'));
      }
    }
  }
  return problems;
}

function reservationIpProblem(network: Network, ip: string, others: readonly DhcpHost[]): ErrorValue | undefined {
  if (!isIpv4(ip)) {
    return isIpv6(ip)
      ? fieldProblem('ip', 'Reservations by MAC address are IPv4 only.', 'Give an IPv4 address; DHCPv6 identifies hosts by DUID instead.')
      : fieldProblem('ip', `"${ip}" is not an IPv4 address.`, 'Write four numbers from 0 to 255 separated by dots, e.g. 192.168.122.50.');
  }
  const subnets = network.ips.filter((config) => config.family === 'ipv4');
  if (subnets.length === 0) {
    return fieldProblem('ip', `Network ${network.name} has no IPv4 subnet to reserve addresses in.`, 'Add an IPv4 <ip> with DHCP to the network first.');
  }
  const match = ipv4ConfigFor(network, ip);
  if (!match) {
    const list = subnets.map(subnetText).join(' or ');
    return fieldProblem('ip', `${ip} is outside the network's subnet ${list}.`, `Pick an address inside ${list}.`);
  }
  const { config } = match;
  if (ip === config.address) {
    return fieldProblem('ip', `${ip} is the host's own address on this network (the gateway).`, 'Pick another address in the subnet.');
  }
  const value = parseIpv4(ip)!;
  const base = networkBits(value, config.prefix);
  // /31 and /32 have neither a network nor a broadcast address to keep free.
  if (config.prefix <= 30) {
    const broadcast = (base + 2 ** (32 - config.prefix) - 1) >>> 0;
    if (value === base || value === broadcast) {
      return fieldProblem('ip', `${ip} is the ${value === base ? 'network' : 'broadcast'} address of ${subnetText(config)}.`, 'Pick an address between them.');
    }
  }
  const taken = others.find((h) => h.ip === ip);
  if (taken) {
    return fieldProblem('ip', `${ip} is already reserved for ${taken.mac ?? taken.name ?? taken.id}.`, 'Pick a free address, or edit that reservation.');
  }
  return undefined;
}

/** Every problem with a DNS host record: the address (ip) and its names (hostnames). */
export function dnsHostProblems(network: Network, host: DnsHostInput, replacing?: DnsHost): ErrorValue[] {
  const problems: ErrorValue[] = [];
  const others = network.dnsHosts.filter(
    (h) => !(replacing && h.ip === replacing.ip && h.hostnames.join(' ') === replacing.hostnames.join(' ')),
  );
  const ip = host.ip.trim();
  if (!isIpv4(ip) && !isIpv6(ip)) {
    problems.push(fieldProblem('ip', `"${host.ip}" is not an IP address.`, 'Give the address the names resolve to, e.g. 192.168.122.10.'));
  } else if (others.some((h) => h.ip === ip)) {
    problems.push(fieldProblem('ip', `There is already a DNS entry for ${ip}.`, 'Edit that entry to add names to it.'));
  }
  const hostnames = host.hostnames.map((name) => name.trim()).filter((name) => name !== '');
  const invalid = hostnames.find((name) => !isHostname(name));
  const taken = hostnames.find((name) => others.some((h) => h.hostnames.includes(name)));
  const repeated = hostnames.find((name, index) => hostnames.indexOf(name) !== index);
  if (hostnames.length === 0) {
    problems.push(fieldProblem('hostnames', 'A DNS entry needs at least one name.', 'Give one or more names, separated by spaces.'));
  } else if (invalid !== undefined) {
    problems.push(fieldProblem('hostnames', `"${invalid}" is not a valid host name.`, HOSTNAME_HINT));
  } else if (taken !== undefined) {
    problems.push(fieldProblem('hostnames', `${taken} already has a DNS entry on this network.`, 'Remove it here, or edit the entry that has it.'));
  } else if (repeated !== undefined) {
    problems.push(fieldProblem('hostnames', `${repeated} is listed twice.`, 'Give each name once.'));
  }
  return problems;
}

/** The first problem as a thrown error: the core's last check before it asks libvirt. */
export function throwFirstProblem(problems: readonly ErrorValue[]): void {
  const first = problems[0];
  if (first) throw new SwitchyardError(first);
}

/** The entry exactly as written, with a normalized MAC and the name only when there is one. */
export function normalizeDhcpHost(host: DhcpHostInput): DhcpHost {
  const name = host.name?.trim();
  return { mac: normalizeMac(host.mac.trim()) ?? host.mac.trim(), ip: host.ip.trim(), ...(name ? { name } : {}) };
}

export function normalizeDnsHost(host: DnsHostInput): DnsHost {
  return { ip: host.ip.trim(), hostnames: host.hostnames.map((name) => name.trim()).filter((name) => name !== '') };
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The <host> element `virsh net-update ... ip-dhcp-host` takes. */
export function dhcpHostXml(host: DhcpHost): string {
  const attributes = [
    host.mac !== undefined ? ['mac', host.mac] : undefined,
    host.id !== undefined ? ['id', host.id] : undefined,
    host.name !== undefined ? ['name', host.name] : undefined,
    ['ip', host.ip],
  ].filter((pair): pair is string[] => pair !== undefined);
  return `<host ${attributes.map(([key, value]) => `${key}='${escapeXml(value!)}'`).join(' ')}/>`;
}

/** The <host> element `virsh net-update ... dns-host` takes. */
export function dnsHostXml(host: DnsHost): string {
  const names = host.hostnames.map((name) => `<hostname>${escapeXml(name)}</hostname>`).join('');
  return `<host ip='${escapeXml(host.ip)}'>${names}</host>`;
}

/** Marks each lease that a DHCP host entry of its network pins to its address. */
export function markReservedLeases(leases: readonly Lease[], networks: readonly Network[]): Lease[] {
  const byName = new Map(networks.map((n) => [n.name, n]));
  return leases.map((lease) => {
    const network = byName.get(lease.network);
    const reserved = network !== undefined && findReservation(network, lease) !== undefined;
    return reserved === lease.reserved ? lease : { ...lease, reserved };
  });
}

/** The network's DHCP host entry that pins this lease: same address, and the same MAC, client id or name. */
export function findReservation(network: Network, lease: Lease): DhcpHost | undefined {
  return network.ips
    .flatMap((config) => config.dhcpHosts)
    .find(
      (host) =>
        host.ip === lease.ip &&
        (host.mac !== undefined
          ? host.mac.toLowerCase() === lease.mac
          : host.id !== undefined
            ? host.id === lease.clientId
            : host.name !== undefined && host.name === lease.hostname),
    );
}
