// Checks a network definition before anything is applied: the rules libvirt enforces when it
// parses, defines or starts a network, plus the clashes libvirt only finds at start (or never):
// subnets that overlap other networks, the host's LAN, container bridges or VPN routes. Each
// problem names its field as a path into the definition, e.g. "ips[0].dhcpRanges[1].end".
import {
  cidrContains,
  cidrsOverlap,
  formatCidr,
  formatIpAddress,
  lastAddress,
  nextFreeSubnet,
  normalizeMac,
  parseCidr,
  parseIpAddress,
  subnetOf,
  type Cidr,
  type IpAddress,
} from '../address';
import { SwitchyardError } from '../errors';
import { dhcpHostProblems, dnsHostProblems, isHostname } from '../leases/host-entries';
import type { DhcpHost, ErrorValue, ForwardMode, HostInterface, IpConfig, IpFamily, Network } from '../model';
import { MAX_NETWORK_NAME_BYTES, SECONDS_PER_LEASE_UNIT, type NetworkDefinition } from '../libvirt/network-xml';

export interface FieldProblem {
  /** Path into the definition, e.g. "ips[0].dhcpRanges[0].end". */
  field: string;
  message: string;
  hint: string;
  /** Errors stop an apply; warnings are shown and the user may go ahead. */
  severity: 'error' | 'warning';
}

/** A route of the host's main table, as `ip route` shows it. */
export interface HostRoute {
  /** "default" or a CIDR such as "10.8.0.0/24". */
  destination: string;
  dev?: string;
  gateway?: string;
}

export interface NetworkValidationContext {
  /** True when the definition creates a network; false when it edits an existing one. */
  isNew: boolean;
  /**
   * When editing a running network: its bridge as it is now, which exists on the host and
   * carries the network's own subnet. Any other link of the bridge's name is a clash.
   */
  runningBridge?: string;
  /** The host's other libvirt networks; an entry with the definition's own uuid is skipped. */
  otherNetworks: readonly NetworkDefinition[];
  /** The host's links and their addresses; undefined when they cannot be read (a remote host). */
  hostInterfaces?: readonly HostInterface[];
  /** The host's routes; undefined when they cannot be read. */
  hostRoutes?: readonly HostRoute[];
}

/** Modes where libvirt runs the bridge, its addresses, DHCP and DNS. */
const LIBVIRT_BRIDGE_MODES: ReadonlySet<ForwardMode> = new Set(['nat', 'route', 'open', 'isolated']);

// The kernel's IFNAMSIZ is 16 bytes including the terminating NUL.
const MAX_INTERFACE_NAME_LENGTH = 15;
// libvirt tries ids 0–256 for a "%d" bridge name template.
const LONGEST_TEMPLATE_ID = '256';

// libvirt refuses shorter leases (except 0, infinite).
const MIN_LEASE_SECONDS = 2 * (SECONDS_PER_LEASE_UNIT.get('minutes') ?? 60);

// libvirt measures a DHCP range in its last 16 bits.
const RANGE_COUNTER_BITS = 16n;

/**
 * Why Switchyard only shows (and never writes) this network: macvtap, hostdev and Open vSwitch
 * networks; undefined for the modes it edits.
 */
export function readOnlyReason(definition: NetworkDefinition): string | undefined {
  const { mode } = definition.forward;
  if (mode === 'private' || mode === 'vepa' || mode === 'passthrough') return `Switchyard shows macvtap (${mode}) networks read-only.`;
  if (mode === 'hostdev') return 'Switchyard shows hostdev (SR-IOV) networks read-only.';
  if (definition.virtualPortType === 'openvswitch') return 'Switchyard shows Open vSwitch networks read-only.';
  if (mode === 'bridge' && !definition.bridge) return 'Switchyard shows macvtap (bridge) networks read-only.';
  return undefined;
}

/** The first error among `problems` as an invalid-input error, or undefined when there is none. */
export function toSwitchyardError(problems: readonly FieldProblem[]): SwitchyardError | undefined {
  const first = problems.find((problem) => problem.severity === 'error');
  if (!first) return undefined;
  return new SwitchyardError({ code: 'invalid-input', field: first.field, message: first.message, hint: first.hint });
}

/**
 * An edit must stay the same network: libvirt matches a definition to its network by name and
 * UUID, so XML with another of either would define a second network instead. No UUID keeps the
 * network's own.
 */
export function editIdentityProblems(definition: NetworkDefinition, network: { name: string; uuid: string }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (definition.name !== network.name) {
    problems.push(error('name', `The XML names the network '${definition.name}', not '${network.name}'.`, `Keep <name>${network.name}</name>; to rename a network, create a new one and move its NICs.`));
  }
  if (definition.uuid !== '' && definition.uuid.toLowerCase() !== network.uuid.toLowerCase()) {
    problems.push(error('uuid', `The XML has the UUID ${definition.uuid}, but ${network.name} has ${network.uuid}.`, `Keep <uuid>${network.uuid}</uuid> or remove the element.`));
  }
  return problems;
}

export function validateNetworkDefinition(definition: NetworkDefinition, context: NetworkValidationContext): FieldProblem[] {
  const readOnly = readOnlyReason(definition);
  if (readOnly) {
    return [error('forward.mode', readOnly, 'Change it with virsh net-edit, or create a network of another mode.')];
  }
  const others = context.otherNetworks.filter((other) => definition.uuid === '' || other.uuid !== definition.uuid);
  const check = { definition, context, others };
  return [
    ...nameProblems(check),
    ...uuidProblems(definition),
    ...forwardProblems(check),
    ...bridgeProblems(check),
    ...interfaceSettingProblems(definition),
    ...definition.ips.flatMap((ip, index) => ipProblems(check, ip, `ips[${index}]`)),
    ...dhcpPerFamilyProblems(definition),
    ...staticHostProblems(definition),
    ...definition.routes.flatMap((_, index) => routeProblems(check, index)),
    ...dnsProblems(definition),
  ];
}

interface Check {
  definition: NetworkDefinition;
  context: NetworkValidationContext;
  others: readonly NetworkDefinition[];
}

function error(field: string, message: string, hint: string): FieldProblem {
  return { field, message, hint, severity: 'error' };
}

function warning(field: string, message: string, hint: string): FieldProblem {
  return { field, message, hint, severity: 'warning' };
}

function isLibvirtBridge(definition: NetworkDefinition): boolean {
  return LIBVIRT_BRIDGE_MODES.has(definition.forward.mode);
}

function nameProblems({ definition, others }: Check): FieldProblem[] {
  const { name } = definition;
  if (name.trim() === '') return [error('name', 'The network has no name.', 'Give it a short name such as lab or backend.')];
  const problems: FieldProblem[] = [];
  if (name.includes('/')) problems.push(error('name', `The name "${name}" contains "/".`, 'Choose a name without "/": libvirt stores the network as NAME.xml.'));
  if (/[\n\r]/.test(name)) problems.push(error('name', 'The name contains a line break.', 'Write the name on one line.'));
  if (name !== name.trim()) problems.push(error('name', 'The name starts or ends with a space.', 'Remove the spaces around the name.'));
  const bytes = new TextEncoder().encode(name).length;
  if (bytes > MAX_NETWORK_NAME_BYTES) {
    problems.push(error('name', `The name is ${bytes} bytes long; libvirt cannot store names over ${MAX_NETWORK_NAME_BYTES} bytes.`, `Shorten it to at most ${MAX_NETWORK_NAME_BYTES} bytes.`));
  }
  if (others.some((other) => other.name === name)) {
    problems.push(error('name', `There is already a network named '${name}'.`, 'Choose another name.'));
  }
  return problems;
}

function uuidProblems(definition: NetworkDefinition): FieldProblem[] {
  if (definition.uuid === '' || /^[0-9a-fA-F]{32}$/.test(definition.uuid.replaceAll('-', ''))) return [];
  return [error('uuid', `"${definition.uuid}" is not a UUID.`, 'Leave the UUID empty to have libvirt generate one.')];
}

/** What the host knows of a link, or why it cannot say. */
function hostLink(context: NetworkValidationContext, name: string): HostInterface | 'unknown' | undefined {
  if (!context.hostInterfaces) return 'unknown';
  return context.hostInterfaces.find((link) => link.name === name);
}

function forwardProblems({ definition, context }: Check): FieldProblem[] {
  const { mode, dev, nat } = definition.forward;
  const problems: FieldProblem[] = [];
  if ((mode === 'nat' || mode === 'route' || mode === 'open') && definition.ips.length === 0) {
    problems.push(error('ips', `A ${mode} network needs an IP address for the host on it.`, 'Add an IPv4 subnet, e.g. 192.168.100.1/24.'));
  }
  if (dev !== undefined) {
    if (mode === 'open') {
      problems.push(error('forward.dev', 'An open network cannot be restricted to one uplink.', 'Remove the uplink, or use route mode.'));
    } else if (mode === 'bridge') {
      problems.push(error('forward.dev', 'A bridge network names its bridge, not an uplink device.', 'Remove the uplink; the host bridge already has its ports.'));
    } else if (mode === 'isolated') {
      problems.push(error('forward.dev', 'An isolated network has no uplink.', 'Remove the uplink, or choose nat or route.'));
    } else {
      const link = hostLink(context, dev);
      if (link === 'unknown') {
        problems.push(warning('forward.dev', `Switchyard cannot see the host's interfaces to check that ${dev} exists.`, 'Make sure the uplink exists on the host.'));
      } else if (!link) {
        problems.push(error('forward.dev', `The host has no interface named ${dev}.`, 'Pick one of the host\'s interfaces, or leave the uplink empty to use any.'));
      }
    }
  }
  if (mode === 'nat' && nat?.addressRange) {
    const { start, end } = nat.addressRange;
    const first = parseIpAddress(start);
    const last = parseIpAddress(end);
    if (first?.family !== 'ipv4') problems.push(error('forward.nat.addressRange.start', `"${start}" is not an IPv4 address.`, 'Give the first public IPv4 address to translate to.'));
    if (last?.family !== 'ipv4') problems.push(error('forward.nat.addressRange.end', `"${end}" is not an IPv4 address.`, 'Give the last public IPv4 address to translate to.'));
    if (first?.family === 'ipv4' && last?.family === 'ipv4' && first.value > last.value) {
      problems.push(error('forward.nat.addressRange.end', `The NAT address range ends (${end}) before it starts (${start}).`, 'Swap the two addresses.'));
    }
  }
  if (mode === 'nat' && nat?.portRange) {
    const { start, end } = nat.portRange;
    for (const [key, port] of [['start', start], ['end', end]] as const) {
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        problems.push(error(`forward.nat.portRange.${key}`, `${port} is not a port number.`, 'Give a port from 0 to 65535.'));
      }
    }
    if (start > end) problems.push(error('forward.nat.portRange.end', `The NAT port range ends (${end}) before it starts (${start}).`, 'Swap the two ports.'));
  }
  return problems;
}

/** Why a bridge name cannot be a kernel interface name, or undefined when it can. */
function bridgeNameFault(name: string, templateAllowed: boolean): string | undefined {
  const templates = name.split('%d').length - 1;
  if (name.replaceAll('%d', '').includes('%')) return 'contains "%" other than one "%d"';
  if (templates > 1) return 'has more than one "%d"; libvirt fills in only one';
  if (templates === 1 && !templateAllowed) return 'is a "%d" template, which only libvirt-managed bridges may use';
  const longest = name.replace('%d', LONGEST_TEMPLATE_ID);
  if (name === '' || name === '.' || name === '..') return 'is not an interface name';
  if (/[/:\s]/.test(name)) return 'contains "/", ":" or white space, which interface names cannot';
  if (longest.length > MAX_INTERFACE_NAME_LENGTH) {
    return `is longer than the kernel's ${MAX_INTERFACE_NAME_LENGTH} characters${templates ? ` once libvirt fills in "%d" (${longest})` : ''}`;
  }
  return undefined;
}

function bridgeProblems({ definition, context, others }: Check): FieldProblem[] {
  const { bridge, forward } = definition;
  if (!bridge) {
    return forward.mode === 'bridge'
      ? [error('bridge.name', 'A bridge network needs the name of an existing host bridge.', 'Pick a host bridge such as br0.')]
      : [];
  }
  const managed = isLibvirtBridge(definition);
  const fault = bridgeNameFault(bridge.name, managed);
  if (fault) return [error('bridge.name', `The bridge name "${bridge.name}" ${fault}.`, 'Use up to 15 letters, digits, "-" or "_", e.g. virbr5.')];
  const problems: FieldProblem[] = [];
  if (!managed) {
    if (bridge.stp !== undefined || bridge.delay !== undefined) {
      problems.push(error('bridge.stp', 'STP and forward delay are set on the host bridge itself, not in a bridge network.', 'Remove stp and delay.'));
    }
    const link = hostLink(context, bridge.name);
    if (link === 'unknown') {
      problems.push(warning('bridge.name', `Switchyard cannot see the host's interfaces to check that ${bridge.name} exists.`, 'Make sure the bridge exists on the host.'));
    } else if (!link) {
      problems.push(error('bridge.name', `The host has no bridge named ${bridge.name}.`, 'Create the host bridge first, or pick an existing one.'));
    } else if (link.kind !== 'bridge') {
      problems.push(error('bridge.name', `${bridge.name} is a ${link.kind} interface, not a bridge.`, 'Pick a bridge, or create one with this interface as its port.'));
    }
    return problems;
  }
  if (bridge.name.includes('%d')) return problems;
  const owner = others.find((other) => other.bridge?.name === bridge.name && isLibvirtBridge(other));
  if (owner) {
    problems.push(error('bridge.name', `Bridge ${bridge.name} already belongs to network '${owner.name}'.`, 'Choose another name, or leave it empty for libvirt to pick a free virbrN.'));
    return problems;
  }
  const link = hostLink(context, bridge.name);
  const clashes = link !== 'unknown' && link !== undefined && link.name !== ownRunningBridge(context);
  if (clashes) {
    problems.push(error('bridge.name', `The host already has an interface named ${bridge.name} (${link.kind}).`, 'Choose another name, or leave it empty for libvirt to pick a free virbrN.'));
  }
  return problems;
}

/** <mac>, <mtu>, <domain> and <dns> only mean something on a bridge libvirt runs. */
function interfaceSettingProblems(definition: NetworkDefinition): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const { mode } = definition.forward;
  if (!isLibvirtBridge(definition)) {
    const unsupported = (field: string, what: string) =>
      problems.push(error(field, `A ${mode} network cannot have ${what}; libvirt refuses it.`, `Remove ${what}, or choose nat, route, open or isolated.`));
    if (definition.ips.length > 0) unsupported('ips', 'IP addresses');
    if (definition.mac !== undefined) unsupported('mac', 'a bridge MAC address');
    if (definition.mtu !== undefined) unsupported('mtu', 'an MTU');
    if (definition.domain !== undefined) unsupported('domain', 'a DNS domain');
    if (definition.dnsHosts.length > 0) unsupported('dnsHosts', 'DNS host entries');
    if (definition.routes.length > 0) unsupported('routes', 'static routes');
    return problems;
  }
  if (definition.mac !== undefined) {
    const mac = normalizeMac(definition.mac);
    if (mac === undefined) {
      problems.push(error('mac', `"${definition.mac}" is not a MAC address.`, 'Write six hex pairs, e.g. 52:54:00:12:34:56, or leave it empty for libvirt to pick one.'));
    } else if (parseInt(mac.slice(0, 2), 16) % 2 === 1) {
      problems.push(error('mac', `${mac} is a multicast address; a bridge needs a unicast one.`, 'Make the first byte even, e.g. 52:54:00:…'));
    }
  }
  if (definition.mtu !== undefined) {
    if (!Number.isInteger(definition.mtu) || definition.mtu < 68 || definition.mtu > 65535) {
      problems.push(error('mtu', `${definition.mtu} is not a usable MTU.`, 'Give an MTU from 68 to 65535; 1500 is the usual Ethernet size.'));
    } else if (definition.mtu < 1280 && definition.ips.some((ip) => ip.family === 'ipv6')) {
      problems.push(error('mtu', `IPv6 needs an MTU of at least 1280; ${definition.mtu} is smaller.`, 'Raise the MTU to 1280 or more.'));
    }
  }
  if (definition.domain !== undefined && !isHostname(definition.domain)) {
    problems.push(error('domain', `"${definition.domain}" is not a DNS domain name.`, 'Use labels of letters, digits and "-" separated by dots, e.g. lab.example.'));
  }
  return problems;
}

/** The subnets already in use around this network: other networks, host addresses, host routes. */
function usedSubnets({ definition, context, others }: Check): Cidr[] {
  const subnets = [...others, definition].flatMap((network) => network.ips.flatMap((ip) => subnetOf(ip.address, ip.prefix) ?? []));
  const hostAddresses = (context.hostInterfaces ?? []).flatMap((link) => link.addresses.flatMap((address) => subnetOf(address.address, address.prefix) ?? []));
  const routes = (context.hostRoutes ?? []).flatMap((route) => parseCidr(route.destination) ?? []).filter((cidr) => cidr.prefix > 0);
  return [...subnets, ...hostAddresses, ...routes];
}

function freeSubnetHint(check: Check, family: IpFamily): string {
  if (family === 'ipv6') return 'Choose another IPv6 prefix, e.g. a random fdXX:XXXX:XXXX::/48 one (RFC 4193).';
  const free = nextFreeSubnet(usedSubnets(check));
  return free ? `Choose a subnet nothing else uses, such as ${formatCidr(free)}.` : 'Choose a subnet nothing else uses.';
}

// Every IPv6 link has a link-local fe80::/64 address and route, and multicast routes
// (ff00::/8) are on every link: neither clashes with a network's subnet.
const IGNORED_HOST_SUBNETS = ['fe80::/10', 'ff00::/8'].flatMap((text) => parseCidr(text) ?? []);

function isIgnoredHostSubnet(cidr: Cidr): boolean {
  return cidr.prefix === 0 || IGNORED_HOST_SUBNETS.some((ignored) => ignored.family === cidr.family && cidr.prefix >= ignored.prefix && cidrContains(ignored, { family: cidr.family, value: cidr.address }));
}

/** The edited network's bridge on the host, which is no clash for the network itself. */
function ownRunningBridge(context: NetworkValidationContext): string | undefined {
  return context.isNew ? undefined : context.runningBridge;
}

/** Overlaps of `subnet` with other networks, the host's addresses and its routes. */
function subnetClashes(check: Check, subnet: Cidr, field: string): FieldProblem[] {
  const { context, others } = check;
  const shown = formatCidr(subnet);
  const hint = freeSubnetHint(check, subnet.family);
  const problems: FieldProblem[] = [];
  for (const other of others) {
    for (const ip of other.ips) {
      const theirs = subnetOf(ip.address, ip.prefix);
      if (theirs && cidrsOverlap(subnet, theirs)) {
        const bridge = other.bridge ? ` (bridge ${other.bridge.name})` : '';
        problems.push(error(field, `${shown} overlaps ${formatCidr(theirs)} of network '${other.name}'${bridge}.`, hint));
      }
    }
  }
  // Links that are other networks' bridges were reported as those networks; this network's own
  // bridge carries its own subnet while it runs.
  const networkBridges = new Set(others.flatMap((other) => (other.bridge ? [other.bridge.name] : [])));
  const ownBridge = ownRunningBridge(context);
  const skipLink = (name: string | undefined) => name !== undefined && (name === ownBridge || networkBridges.has(name));
  const reported = new Set<string>();
  for (const link of context.hostInterfaces ?? []) {
    if (skipLink(link.name)) continue;
    for (const address of link.addresses) {
      const theirs = subnetOf(address.address, address.prefix);
      if (!theirs || isIgnoredHostSubnet(theirs) || !cidrsOverlap(subnet, theirs)) continue;
      reported.add(`${link.name} ${formatCidr(theirs)}`);
      problems.push(error(field, `${shown} overlaps ${formatCidr(theirs)} on host interface ${link.name} (${address.address}/${address.prefix}).`, hint));
    }
  }
  for (const route of context.hostRoutes ?? []) {
    const theirs = parseCidr(route.destination);
    if (!theirs || isIgnoredHostSubnet(theirs) || skipLink(route.dev) || !cidrsOverlap(subnet, theirs)) continue;
    // A link's own subnet route repeats what its address already said.
    if (reported.has(`${route.dev} ${formatCidr(theirs)}`)) continue;
    const via = route.dev ?? route.gateway ?? 'the host';
    problems.push(error(field, `${shown} overlaps the route to ${formatCidr(theirs)} via ${via}.`, hint));
  }
  return problems;
}

const IPV4_SPECIAL: readonly [string, string][] = [
  ['0.0.0.0/8', 'is in 0.0.0.0/8, which means "this host"'],
  ['127.0.0.0/8', 'is a loopback address'],
  ['169.254.0.0/16', 'is a link-local address'],
  ['224.0.0.0/4', 'is a multicast address'],
  ['240.0.0.0/4', 'is reserved'],
];
const IPV6_SPECIAL: readonly [string, string][] = [
  ['::/127', 'is the unspecified or loopback address'],
  ['fe80::/10', 'is a link-local address, which every interface makes for itself'],
  ['ff00::/8', 'is a multicast address'],
];

function specialAddressFault(address: IpAddress): string | undefined {
  const table = address.family === 'ipv4' ? IPV4_SPECIAL : IPV6_SPECIAL;
  return table.find(([cidr]) => {
    const special = parseCidr(cidr);
    return special !== undefined && cidrContains(special, address);
  })?.[1];
}

function ipProblems(check: Check, ip: IpConfig, path: string): FieldProblem[] {
  const address = parseIpAddress(ip.address);
  if (!address || address.family !== ip.family) {
    const example = ip.family === 'ipv4' ? '192.168.100.1' : 'fd00:1::1';
    return [error(`${path}.address`, `"${ip.address}" is not an ${ip.family === 'ipv4' ? 'IPv4' : 'IPv6'} address.`, `Give the host's address on the network, e.g. ${example}.`)];
  }
  const subnet = subnetOf(ip.address, ip.prefix);
  if (!subnet) return [error(`${path}.prefix`, `/${ip.prefix} is not an ${ip.family} prefix length.`, ip.family === 'ipv4' ? 'Give a prefix from 1 to 30, usually 24.' : 'Give a prefix length, usually 64.')];
  const problems: FieldProblem[] = [];
  const special = specialAddressFault(address);
  if (special) problems.push(error(`${path}.address`, `${ip.address} ${special}.`, 'Use a private subnet such as 192.168.100.0/24 or fd00:1::/64.'));
  problems.push(...prefixProblems(ip, subnet, address, path));
  problems.push(...subnetClashes(check, subnet, `${path}.address`));
  if (ip.family === 'ipv6') {
    if (ip.tftpRoot !== undefined) problems.push(error(`${path}.tftpRoot`, 'TFTP is served on IPv4 only.', 'Move the TFTP root to the IPv4 address.'));
    if (ip.bootp !== undefined) problems.push(error(`${path}.bootp`, 'BOOTP options are IPv4 only.', 'Move the boot file to the IPv4 address.'));
  }
  if (ip.tftpRoot !== undefined && !ip.tftpRoot.startsWith('/')) {
    problems.push(error(`${path}.tftpRoot`, `The TFTP root "${ip.tftpRoot}" is not an absolute path.`, 'Give a directory such as /var/lib/tftpboot.'));
  }
  if (ip.bootp !== undefined && ip.bootp.file.trim() === '') {
    problems.push(error(`${path}.bootp.file`, 'The boot file is empty.', 'Give the file PXE clients load, e.g. pxelinux.0.'));
  }
  ip.dhcpRanges.forEach((range, index) => problems.push(...rangeProblems(ip, subnet, address, range, `${path}.dhcpRanges[${index}]`)));
  return problems;
}

function prefixProblems(ip: IpConfig, subnet: Cidr, address: IpAddress, path: string): FieldProblem[] {
  const field = `${path}.prefix`;
  if (ip.prefix === 0) return [error(field, 'A /0 subnet would take in every address.', 'Use a prefix such as /24 (IPv4) or /64 (IPv6).')];
  if (ip.family === 'ipv4') {
    if (ip.prefix >= 31) return [error(field, `A /${ip.prefix} subnet leaves no address for guests.`, 'Use /30 or shorter, usually /24.')];
    if (address.value === subnet.address) return [error(`${path}.address`, `${ip.address} is the network address of ${formatCidr(subnet)}.`, `Give the host an address inside the subnet, e.g. ${formatIpAddress({ family: 'ipv4', value: subnet.address + 1n })}.`)];
    if (address.value === lastAddress(subnet)) return [error(`${path}.address`, `${ip.address} is the broadcast address of ${formatCidr(subnet)}.`, `Give the host an address inside the subnet, e.g. ${formatIpAddress({ family: 'ipv4', value: subnet.address + 1n })}.`)];
    return [];
  }
  if (ip.prefix === 128) return [error(field, 'A /128 subnet leaves no address for guests.', 'Use /64.')];
  if (ip.prefix !== 64) {
    return [warning(field, `Guests autoconfigure IPv6 (SLAAC) only on a /64; this is a /${ip.prefix}.`, 'Use /64 unless every guest gets its address by DHCPv6 or by hand.')];
  }
  return [];
}

function rangeProblems(ip: IpConfig, subnet: Cidr, gateway: IpAddress, range: IpConfig['dhcpRanges'][number], path: string): FieldProblem[] {
  const start = parseIpAddress(range.start);
  const end = parseIpAddress(range.end);
  const problems: FieldProblem[] = [];
  const shown = formatCidr(subnet);
  for (const [key, text, value] of [['start', range.start, start], ['end', range.end, end]] as const) {
    if (value?.family !== ip.family) {
      problems.push(error(`${path}.${key}`, `"${text}" is not an ${ip.family === 'ipv4' ? 'IPv4' : 'IPv6'} address.`, `Give an address inside ${shown}.`));
    } else if (!cidrContains(subnet, value)) {
      problems.push(error(`${path}.${key}`, `The DHCP range ${key}s at ${text}, outside ${shown}.`, `Keep the range inside ${shown}.`));
    }
  }
  if (problems.length > 0 || !start || !end) return problems;
  if (start.value > end.value) return [error(`${path}.end`, `The DHCP range ends (${range.end}) before it starts (${range.start}).`, 'Swap start and end.')];
  if (ip.family === 'ipv4') {
    if (start.value === subnet.address) problems.push(error(`${path}.start`, `The DHCP range starts at the network address ${range.start}.`, 'Start the range one address later.'));
    if (end.value === lastAddress(subnet)) problems.push(error(`${path}.end`, `The DHCP range ends at the broadcast address ${range.end}.`, 'End the range one address earlier.'));
  }
  // libvirt counts a range in 16 bits: start and end must share all but the last 16 bits
  // (the same /16, or /112 for IPv6), whatever the range's size; else "range ... is too large".
  if (start.value >> RANGE_COUNTER_BITS !== end.value >> RANGE_COUNTER_BITS) {
    const block = ip.family === 'ipv4' ? '/16' : '/112';
    problems.push(error(`${path}.end`, `libvirt refuses DHCP ranges whose ends are in different ${block} blocks (${range.start}–${range.end}).`, `Keep start and end in one ${block}: at most 65536 addresses, e.g. end the range at the last address of the start's ${block}.`));
  }
  if (gateway.value >= start.value && gateway.value <= end.value) {
    problems.push(error(`${path}.start`, `The DHCP range ${range.start}–${range.end} contains the host's own address ${ip.address}.`, 'Start the range after the host address (or end it before).'));
  }
  if (range.leaseSeconds !== undefined && range.leaseSeconds !== 0 && range.leaseSeconds < MIN_LEASE_SECONDS) {
    problems.push(error(`${path}.leaseSeconds`, `A lease of ${range.leaseSeconds} s is shorter than libvirt's minimum of 2 minutes.`, 'Give at least 2 minutes, or 0 for leases that never expire.'));
  }
  return problems;
}

function dhcpPerFamilyProblems(definition: NetworkDefinition): FieldProblem[] {
  const seen = new Set<IpFamily>();
  const problems: FieldProblem[] = [];
  definition.ips.forEach((ip, index) => {
    if (ip.dhcpRanges.length === 0 && ip.dhcpHosts.length === 0) return;
    if (seen.has(ip.family)) {
      const family = ip.family === 'ipv4' ? 'IPv4' : 'IPv6';
      problems.push(error(`ips[${index}].dhcpRanges`, `Only one ${family} address of a network can serve DHCP; an earlier one already does.`, `Remove DHCP here, or from the other ${family} address.`));
    }
    seen.add(ip.family);
  });
  const tftp = definition.ips.flatMap((ip, index) => (ip.tftpRoot !== undefined ? [index] : []));
  for (const index of tftp.slice(1)) {
    problems.push(error(`ips[${index}].tftpRoot`, 'Only one address of a network can serve TFTP.', 'Keep the TFTP root on one IPv4 address.'));
  }
  return problems;
}

/**
 * The definition as the Network that host-entries' checks take; they read its name, ips and
 * dnsHosts only, never the state fields filled in here.
 */
function asNetwork(definition: NetworkDefinition): Network {
  return { ...definition, active: false, autostart: false, persistent: true };
}

/** An entry of host-entries' problems, moved under the host's path in the definition. */
function atPath(problem: ErrorValue, path: string, fallbackField: string): FieldProblem {
  return error(`${path}.${problem.field ?? fallbackField}`, problem.message, problem.hint ?? 'Correct the entry.');
}

/**
 * DHCP host entries: inside their subnet, not the host's own address, unique MAC, IP and name.
 * Each entry is checked against the ones before it, so a duplicate is reported where it repeats.
 */
function staticHostProblems(definition: NetworkDefinition): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const earlier: DhcpHost[][] = definition.ips.map(() => []);
  definition.ips.forEach((ip, ipIndex) => {
    ip.dhcpHosts.forEach((host, hostIndex) => {
      const path = `ips[${ipIndex}].dhcpHosts[${hostIndex}]`;
      if (ip.family === 'ipv4' && host.mac !== undefined) {
        const networkSoFar = asNetwork({
          ...definition,
          ips: definition.ips.map((config, index) => ({ ...config, dhcpHosts: earlier[index] ?? [] })),
        });
        problems.push(...dhcpHostProblems(networkSoFar, { mac: host.mac, ip: host.ip, name: host.name }).map((problem) => atPath(problem, path, 'ip')));
      } else {
        problems.push(...hostByNameOrIdProblems(ip, host, earlier.flat(), path));
      }
      earlier[ipIndex]?.push(host);
    });
  });
  return problems;
}

/**
 * The entries dhcpHostProblems does not take: IPv4 hosts known by name only, and DHCPv6 hosts,
 * which libvirt identifies by DUID (id) or name, never by MAC.
 */
function hostByNameOrIdProblems(ip: IpConfig, host: DhcpHost, earlier: readonly DhcpHost[], path: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (ip.family === 'ipv6') {
    if (host.mac !== undefined) problems.push(error(`${path}.mac`, 'DHCPv6 hosts are not identified by MAC address.', 'Give the DUID (id) or the host name instead.'));
    if (host.id === undefined && host.name === undefined) problems.push(error(`${path}.id`, 'A DHCPv6 host needs a DUID (id) or a name.', 'Give the client DUID, e.g. 0:3:0:1:52:54:0:12:34:56, or its host name.'));
    if (host.id !== undefined && !/^[0-9a-fA-F:]+$/.test(host.id)) problems.push(error(`${path}.id`, `"${host.id}" is not a DUID.`, 'Write the DUID as hex bytes separated by colons.'));
  } else if (host.name === undefined) {
    problems.push(error(`${path}.mac`, 'A DHCP host needs a MAC address or a name.', 'Give the guest NIC\'s MAC address.'));
  }
  if (host.name !== undefined && !isHostname(host.name)) problems.push(error(`${path}.name`, `"${host.name}" is not a valid host name.`, 'Use letters, digits and "-", with dots between labels.'));
  const address = parseIpAddress(host.ip);
  const subnet = subnetOf(ip.address, ip.prefix);
  if (address?.family !== ip.family) {
    problems.push(error(`${path}.ip`, `"${host.ip}" is not an ${ip.family === 'ipv4' ? 'IPv4' : 'IPv6'} address.`, 'Give the address the host should get.'));
  } else if (subnet && !cidrContains(subnet, address)) {
    problems.push(error(`${path}.ip`, `${host.ip} is outside the network's subnet ${formatCidr(subnet)}.`, `Pick an address inside ${formatCidr(subnet)}.`));
  } else if (host.ip === ip.address) {
    problems.push(error(`${path}.ip`, `${host.ip} is the host's own address on this network.`, 'Pick another address in the subnet.'));
  } else if (earlier.some((other) => other.ip === host.ip)) {
    problems.push(error(`${path}.ip`, `${host.ip} is already given to another DHCP host.`, 'Pick a free address.'));
  }
  if (host.id !== undefined && earlier.some((other) => other.id === host.id)) problems.push(error(`${path}.id`, `The DUID ${host.id} already has an entry.`, 'Edit that entry instead.'));
  if (host.name !== undefined && earlier.some((other) => other.name === host.name)) problems.push(error(`${path}.name`, `The name ${host.name} is already reserved.`, 'Choose another name.'));
  return problems;
}

function routeProblems(check: Check, index: number): FieldProblem[] {
  const { definition } = check;
  const route = definition.routes[index];
  if (!route) return [];
  const path = `routes[${index}]`;
  const family = route.family === 'ipv4' ? 'IPv4' : 'IPv6';
  const destination = subnetOf(route.address, route.prefix);
  const gateway = parseIpAddress(route.gateway);
  const problems: FieldProblem[] = [];
  if (parseIpAddress(route.address)?.family !== route.family) {
    problems.push(error(`${path}.address`, `"${route.address}" is not an ${family} address.`, 'Give the network behind the guest, e.g. 192.168.222.0.'));
  } else if (!destination) {
    problems.push(error(`${path}.prefix`, `/${route.prefix} is not an ${family} prefix length.`, 'Give the prefix length of the network behind the guest.'));
  } else {
    problems.push(...subnetClashes(check, destination, `${path}.address`));
  }
  if (gateway?.family !== route.family) {
    problems.push(error(`${path}.gateway`, `"${route.gateway}" is not an ${family} address.`, 'Give the address of the guest that routes there.'));
  } else if (!definition.ips.some((ip) => { const subnet = subnetOf(ip.address, ip.prefix); return subnet !== undefined && cidrContains(subnet, gateway); })) {
    problems.push(error(`${path}.gateway`, `The gateway ${route.gateway} is not inside any subnet of this network, so the host cannot reach it.`, 'Give the address of a guest on this network.'));
  }
  return problems;
}

const SRV_SERVICE = /^[A-Za-z0-9_+/*-]+$/;
const SRV_PROTOCOL = /^[A-Za-z0-9+/-]+$/;

function dnsProblems(definition: NetworkDefinition): FieldProblem[] {
  const { dns, dnsHosts } = definition;
  const problems: FieldProblem[] = [];
  const hasRecords = dns.forwarders.length + dns.txts.length + dns.srvs.length + dnsHosts.length > 0;
  if (dns.enable === false && hasRecords) {
    problems.push(error('dns.enable', 'DNS is turned off, but the network still has DNS records or forwarders.', 'Remove them, or turn DNS on.'));
  }
  dns.forwarders.forEach((forwarder, index) => {
    const path = `dns.forwarders[${index}]`;
    if (forwarder.addr === undefined && forwarder.domain === undefined) problems.push(error(`${path}.addr`, 'The forwarder has neither an address nor a domain.', 'Give the DNS server address, the domain, or both.'));
    if (forwarder.addr !== undefined && !parseIpAddress(forwarder.addr)) problems.push(error(`${path}.addr`, `"${forwarder.addr}" is not an IP address.`, 'Give the DNS server as an address, e.g. 9.9.9.9.'));
  });
  dns.txts.forEach((txt, index) => {
    const path = `dns.txts[${index}]`;
    if (txt.name === '' || /[\s,]/.test(txt.name)) problems.push(error(`${path}.name`, `"${txt.name}" cannot name a TXT record.`, 'Use a name without spaces or commas.'));
    if (txt.value === '') problems.push(error(`${path}.value`, 'The TXT record has no value.', 'Give the text the record returns.'));
  });
  dns.srvs.forEach((srv, index) => {
    const path = `dns.srvs[${index}]`;
    if (!SRV_SERVICE.test(srv.service)) problems.push(error(`${path}.service`, `"${srv.service}" is not a service name.`, 'Use letters, digits, "_", "-", "+", "/" or "*", e.g. ldap.'));
    if (!SRV_PROTOCOL.test(srv.protocol)) problems.push(error(`${path}.protocol`, `"${srv.protocol}" is not a protocol name.`, 'Use tcp or udp.'));
    if (srv.port !== undefined && (srv.port < 1 || srv.port > 65535)) problems.push(error(`${path}.port`, `${srv.port} is not a port number.`, 'Give a port from 1 to 65535.'));
    for (const key of ['priority', 'weight'] as const) {
      const value = srv[key];
      if (value !== undefined && (value < 0 || value > 65535)) problems.push(error(`${path}.${key}`, `The ${key} ${value} is out of range.`, 'Give a number from 0 to 65535.'));
    }
    if (srv.target === undefined && (srv.port !== undefined || srv.priority !== undefined || srv.weight !== undefined)) {
      problems.push(error(`${path}.target`, 'Port, priority and weight need a target host.', 'Give the target host, or remove them.'));
    }
  });
  dnsHosts.forEach((host, index) => {
    // Each entry meets the ones before it.
    const networkSoFar = asNetwork({ ...definition, dnsHosts: dnsHosts.slice(0, index) });
    problems.push(...dnsHostProblems(networkSoFar, host).map((problem) => atPath(problem, `dnsHosts[${index}]`, 'ip')));
  });
  return problems;
}
