// Reads libvirt network XML (formatnetwork) into the domain model. Elements the model has no
// place for are ignored. Errors name the offending field as a path such as "ip[1].netmask";
// indices count from 0, in document order, like the `ips` array they fill.
import type { Element } from '@xmldom/xmldom';
import { isIpv4, isIpv6, netmaskToPrefix, parseIpv4 } from '../address';
import type {
  DhcpHost,
  DhcpRange,
  DnsConfig,
  DnsHost,
  DnsSrv,
  ForwardMode,
  IpConfig,
  IpFamily,
  Nat,
  Network,
  StaticRoute,
} from '../model';
import { attribute, childElement, childElements, childText, invalidXml, parseMac, parseRootElement } from './xml-document';

/** What a network's XML says; state (active, autostart, persistent) comes from elsewhere. */
export type NetworkDefinition = Omit<Network, 'active' | 'autostart' | 'persistent'>;

// libvirt stores a network as NAME.xml in its config directory; longer names fail at define time.
export const MAX_NETWORK_NAME_BYTES = 255 - '.xml'.length;

/** libvirt's lease time units, smallest first. */
export const SECONDS_PER_LEASE_UNIT: ReadonlyMap<string, number> = new Map([
  ['seconds', 1],
  ['minutes', 60],
  ['hours', 3600],
]);

export function parseNetworkXml(xml: string): NetworkDefinition {
  const root = parseRootElement(xml, 'network');
  const name = parseName(root);
  const bridge = parseBridge(childElement(root, 'bridge'));
  const mtu = parseOptionalCount(childElement(root, 'mtu'), 'size', 'mtu.size');
  const mac = parseMac(attribute(childElement(root, 'mac'), 'address'), 'mac.address');
  const domainElement = childElement(root, 'domain');
  const domain = attribute(domainElement, 'name');
  const domainLocalOnly = parseYesNo(domainElement, 'localOnly', 'domain.localOnly');
  const virtualPortType = attribute(childElement(root, 'virtualport'), 'type');
  const dns = childElement(root, 'dns');
  return {
    name,
    uuid: parseUuid(root),
    forward: parseForward(childElement(root, 'forward')),
    ...(bridge ? { bridge } : {}),
    ...(mtu !== undefined ? { mtu } : {}),
    ...(mac ? { mac } : {}),
    ...(domain ? { domain } : {}),
    ...(domainLocalOnly !== undefined ? { domainLocalOnly } : {}),
    ...(virtualPortType ? { virtualPortType } : {}),
    ips: childElements(root, 'ip').map((ip, index) => parseIp(ip, `ip[${index}]`)),
    dnsHosts: parseDnsHosts(dns),
    dns: parseDns(dns),
    routes: childElements(root, 'route').map((route, index) => parseRoute(route, `route[${index}]`)),
  };
}

/** A yes/no attribute as a boolean; undefined when absent. */
function parseYesNo(element: Element | undefined, name: string, field: string): boolean | undefined {
  const text = attribute(element, name);
  if (text === undefined) return undefined;
  if (text !== 'yes' && text !== 'no') {
    throw invalidXml(field, `"${text}" is not a valid ${name} setting.`, `Set ${name}='yes' or ${name}='no'.`);
  }
  return text === 'yes';
}

function parseDns(dns: Element | undefined): DnsConfig {
  const enable = parseYesNo(dns, 'enable', 'dns.enable');
  const forwardPlainNames = parseYesNo(dns, 'forwardPlainNames', 'dns.forwardPlainNames');
  const children = (name: string) => (dns ? childElements(dns, name) : []);
  return {
    ...(enable !== undefined ? { enable } : {}),
    ...(forwardPlainNames !== undefined ? { forwardPlainNames } : {}),
    forwarders: children('forwarder').map((forwarder, index) => {
      const addr = attribute(forwarder, 'addr');
      const domain = attribute(forwarder, 'domain');
      const field = `dns.forwarder[${index}]`;
      if (addr !== undefined && !isIpv4(addr) && !isIpv6(addr)) {
        throw invalidXml(`${field}.addr`, `The DNS forwarder "${addr}" is not an IP address.`, 'Give the DNS server as an address, e.g. addr="8.8.8.8".');
      }
      if (addr === undefined && domain === undefined) {
        throw invalidXml(field, 'The DNS forwarder has neither addr nor domain.', 'Give addr (a DNS server), domain, or both.');
      }
      return { ...(addr !== undefined ? { addr } : {}), ...(domain !== undefined ? { domain } : {}) };
    }),
    txts: children('txt').map((txt, index) => ({
      name: requiredAttribute(txt, 'name', `dns.txt[${index}]`, 'the name the record answers for'),
      value: requiredAttribute(txt, 'value', `dns.txt[${index}]`, 'the text the record returns'),
    })),
    srvs: children('srv').map((srv, index) => parseSrv(srv, `dns.srv[${index}]`)),
  };
}

function requiredAttribute(element: Element, name: string, path: string, meaning: string): string {
  const value = attribute(element, name);
  if (value === undefined) {
    throw invalidXml(`${path}.${name}`, `<${element.nodeName}> has no ${name}.`, `Add ${name}='…', ${meaning}.`);
  }
  return value;
}

function parseSrv(srv: Element, path: string): DnsSrv {
  const optional = (name: 'domain' | 'target') => {
    const value = attribute(srv, name);
    return value !== undefined ? { [name]: value } : {};
  };
  const count = (name: 'port' | 'priority' | 'weight') => {
    const value = parseOptionalCount(srv, name, `${path}.${name}`);
    return value !== undefined ? { [name]: value } : {};
  };
  return {
    service: requiredAttribute(srv, 'service', path, 'the service name, e.g. ldap'),
    protocol: requiredAttribute(srv, 'protocol', path, 'tcp or udp'),
    ...optional('domain'),
    ...optional('target'),
    ...count('port'),
    ...count('priority'),
    ...count('weight'),
  };
}

function parseRoute(route: Element, path: string): StaticRoute {
  const family = parseFamily(route, path);
  const address = requiredAttribute(route, 'address', path, 'the destination network');
  requireAddress(address, family, `${path}.address`);
  const gateway = requiredAttribute(route, 'gateway', path, 'the guest that routes to the destination');
  requireAddress(gateway, family, `${path}.gateway`);
  const metric = parseOptionalCount(route, 'metric', `${path}.metric`);
  return {
    family,
    address,
    prefix: parsePrefix(route, family, address, path),
    gateway,
    ...(metric !== undefined ? { metric } : {}),
  };
}

function parseDnsHosts(dns: Element | undefined): DnsHost[] {
  if (!dns) return [];
  return childElements(dns, 'host').map((host, index) => {
    const field = `dns.host[${index}]`;
    const ip = attribute(host, 'ip');
    if (!ip || !(isIpv4(ip) || isIpv6(ip))) {
      throw invalidXml(`${field}.ip`, `The DNS host entry has ${ip ? `"${ip}", not an IP address` : 'no ip'}.`, 'Give the address the names should resolve to, e.g. ip="192.168.122.10".');
    }
    const hostnames = childElements(host, 'hostname')
      .map((hostname) => hostname.textContent?.trim() ?? '')
      .filter((hostname) => hostname.length > 0);
    return { ip, hostnames };
  });
}

function parseName(root: Element): string {
  const name = childText(root, 'name');
  if (name === undefined) {
    throw invalidXml('name', 'The network has no <name>.', 'Add <name>NAME</name> inside <network>.');
  }
  if (name.includes('/')) {
    throw invalidXml('name', `The network name "${name}" contains "/".`, 'Choose a name without "/".');
  }
  const bytes = new TextEncoder().encode(name).length;
  if (bytes > MAX_NETWORK_NAME_BYTES) {
    throw invalidXml(
      'name',
      `The network name is ${bytes} bytes long; libvirt cannot store names over ${MAX_NETWORK_NAME_BYTES} bytes.`,
      `Shorten the name to at most ${MAX_NETWORK_NAME_BYTES} bytes.`,
    );
  }
  return name;
}

/** The UUID as written, or "" when the XML has none yet (libvirt assigns one at define time). */
function parseUuid(root: Element): string {
  const uuid = childText(root, 'uuid');
  if (uuid === undefined) return '';
  if (!/^[0-9a-fA-F]{32}$/.test(uuid.replaceAll('-', ''))) {
    throw invalidXml(
      'uuid',
      `"${uuid}" is not a UUID.`,
      'Give 32 hex digits such as 81ff0d90-c91e-6742-64da-4a736edb9a9b, or remove <uuid> to have one generated.',
    );
  }
  return uuid;
}

const FORWARD_MODES = new Map<string, ForwardMode>([
  // libvirt spells "no forwarding" as mode 'none'; the model calls it isolated.
  ['none', 'isolated'],
  ['nat', 'nat'],
  ['route', 'route'],
  ['open', 'open'],
  ['bridge', 'bridge'],
  ['private', 'private'],
  ['vepa', 'vepa'],
  ['passthrough', 'passthrough'],
  ['hostdev', 'hostdev'],
]);

function parseForward(forward: Element | undefined): NetworkDefinition['forward'] {
  if (!forward) return { mode: 'isolated' };
  const modeText = attribute(forward, 'mode');
  // <forward/> without a mode means NAT.
  const mode = modeText === undefined ? 'nat' : FORWARD_MODES.get(modeText);
  if (mode === undefined) {
    throw invalidXml(
      'forward.mode',
      `"${modeText}" is not a forward mode.`,
      `Use one of: ${[...FORWARD_MODES.keys()].join(', ')}; or remove <forward> for an isolated network.`,
    );
  }
  const dev = attribute(forward, 'dev');
  const nat = childElement(forward, 'nat');
  return { mode, ...(dev ? { dev } : {}), ...(nat ? { nat: parseNat(nat) } : {}) };
}

function parseNat(nat: Element): Nat {
  const ipv6 = parseYesNo(nat, 'ipv6', 'forward.nat.ipv6');
  const address = childElement(nat, 'address');
  const port = childElement(nat, 'port');
  const addressRange = address && {
    start: requiredAttribute(address, 'start', 'forward.nat.address', 'the first public IPv4 address'),
    end: requiredAttribute(address, 'end', 'forward.nat.address', 'the last public IPv4 address'),
  };
  if (addressRange) {
    requireAddress(addressRange.start, 'ipv4', 'forward.nat.address.start');
    requireAddress(addressRange.end, 'ipv4', 'forward.nat.address.end');
  }
  const portNumber = (name: string) => {
    const value = parseOptionalCount(port, name, `forward.nat.port.${name}`);
    if (value === undefined || value > 65535) {
      throw invalidXml(`forward.nat.port.${name}`, `The NAT port range needs a ${name} port from 0 to 65535.`, `Set ${name}='…' on <port>, e.g. 1024 to 65535.`);
    }
    return value;
  };
  const portRange = port && { start: portNumber('start'), end: portNumber('end') };
  return {
    ...(addressRange ? { addressRange } : {}),
    ...(portRange ? { portRange } : {}),
    ...(ipv6 !== undefined ? { ipv6 } : {}),
  };
}

function parseBridge(bridge: Element | undefined): NetworkDefinition['bridge'] {
  const name = attribute(bridge, 'name');
  // Without a name libvirt picks one (virbrN) at define time; until then there is no bridge to show.
  if (!bridge || !name) return undefined;
  const stpText = attribute(bridge, 'stp');
  if (stpText !== undefined && stpText !== 'on' && stpText !== 'off') {
    throw invalidXml('bridge.stp', `"${stpText}" is not a valid stp setting.`, "Set stp='on' or stp='off'.");
  }
  const delay = parseOptionalCount(bridge, 'delay', 'bridge.delay');
  const macTableManager = attribute(bridge, 'macTableManager');
  if (macTableManager !== undefined && macTableManager !== 'kernel' && macTableManager !== 'libvirt') {
    throw invalidXml('bridge.macTableManager', `"${macTableManager}" is not a MAC table manager.`, "Set macTableManager='kernel' or 'libvirt'.");
  }
  return {
    name,
    ...(stpText !== undefined ? { stp: stpText === 'on' } : {}),
    ...(delay !== undefined ? { delay } : {}),
    ...(macTableManager !== undefined ? { macTableManager } : {}),
  };
}

/** A non-negative decimal attribute such as mtu size or bridge delay. */
function parseOptionalCount(element: Element | undefined, name: string, field: string): number | undefined {
  const text = attribute(element, name);
  if (text === undefined) return undefined;
  const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw invalidXml(field, `"${text}" is not a whole number.`, `Give ${field} as a whole number such as 0 or 1500.`);
  }
  return value;
}

/** The family attribute of an <ip> or <route>; absent means IPv4. */
function parseFamily(element: Element, path: string): IpFamily {
  const family = attribute(element, 'family') ?? 'ipv4';
  if (family !== 'ipv4' && family !== 'ipv6') {
    throw invalidXml(`${path}.family`, `"${family}" is not an address family.`, "Use family='ipv4' or family='ipv6'.");
  }
  return family;
}

function parseIp(ip: Element, path: string): IpConfig {
  const family = parseFamily(ip, path);
  const address = attribute(ip, 'address');
  if (address === undefined) {
    throw invalidXml(`${path}.address`, 'The <ip> element has no address.', "Add address='…', the host's address on the network.");
  }
  requireAddress(address, family, `${path}.address`);
  const dhcp = childElement(ip, 'dhcp');
  const bootp = dhcp && childElement(dhcp, 'bootp');
  const bootpServer = attribute(bootp, 'server');
  const tftpRoot = attribute(childElement(ip, 'tftp'), 'root');
  return {
    family,
    address,
    prefix: parsePrefix(ip, family, address, path),
    dhcpRanges: dhcp
      ? childElements(dhcp, 'range').map((range, index) => parseRange(range, family, `${path}.dhcp.range[${index}]`))
      : [],
    dhcpHosts: dhcp
      ? childElements(dhcp, 'host').map((host, index) => parseHost(host, family, `${path}.dhcp.host[${index}]`))
      : [],
    ...(bootp
      ? {
          bootp: {
            file: requiredAttribute(bootp, 'file', `${path}.dhcp.bootp`, 'the boot image, e.g. pxelinux.0'),
            ...(bootpServer !== undefined ? { server: bootpServer } : {}),
          },
        }
      : {}),
    ...(tftpRoot !== undefined ? { tftpRoot } : {}),
  };
}

function requireAddress(address: string, family: IpFamily, field: string): void {
  if (family === 'ipv4' ? isIpv4(address) : isIpv6(address)) return;
  if (family === 'ipv4' && isIpv6(address)) {
    throw invalidXml(field, `"${address}" is an IPv6 address in an IPv4 <ip>.`, "Add family='ipv6' to the <ip> element.");
  }
  throw invalidXml(
    field,
    `"${address}" is not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address.`,
    family === 'ipv4' ? 'Give an IPv4 address such as 192.168.100.1.' : 'Give an IPv6 address such as 2001:db8::1.',
  );
}

function parsePrefix(ip: Element, family: IpFamily, address: string, path: string): number {
  const prefixText = attribute(ip, 'prefix');
  const netmask = attribute(ip, 'netmask');
  if (prefixText !== undefined && netmask !== undefined) {
    throw invalidXml(`${path}.netmask`, 'The <ip> element has both a prefix and a netmask.', 'Keep one of prefix and netmask.');
  }
  if (netmask !== undefined) {
    if (family === 'ipv6') {
      throw invalidXml(`${path}.netmask`, 'IPv6 addresses take a prefix, not a netmask.', "Replace netmask with prefix='64' (or your prefix length).");
    }
    const prefix = netmaskToPrefix(netmask);
    if (prefix === undefined) {
      throw invalidXml(
        `${path}.netmask`,
        `"${netmask}" is not a valid netmask.`,
        "Use a contiguous mask such as 255.255.255.0, or write prefix='24' instead.",
      );
    }
    return prefix;
  }
  const maxPrefix = family === 'ipv4' ? 32 : 128;
  if (prefixText !== undefined) {
    const prefix = Number(prefixText);
    if (!/^[0-9]{1,3}$/.test(prefixText) || prefix > maxPrefix) {
      throw invalidXml(`${path}.prefix`, `"${prefixText}" is not a valid ${family} prefix length.`, `Give a prefix from 0 to ${maxPrefix}.`);
    }
    return prefix;
  }
  return family === 'ipv6' ? 64 : classfulPrefix(address, path);
}

/** libvirt's default for an IPv4 <ip> or <route> with neither prefix nor netmask: the address's class. */
function classfulPrefix(address: string, path: string): number {
  const firstOctet = (parseIpv4(address) ?? 0) >>> 24;
  if (firstOctet < 128) return 8;
  if (firstOctet < 192) return 16;
  if (firstOctet < 224) return 24;
  throw invalidXml(`${path}.prefix`, `${address} has no natural prefix length.`, "Add prefix='…' to the <ip> element.");
}

function parseRange(range: Element, family: IpFamily, path: string): DhcpRange {
  const start = attribute(range, 'start');
  const end = attribute(range, 'end');
  if (start === undefined || end === undefined) {
    const missing = start === undefined ? 'start' : 'end';
    throw invalidXml(`${path}.${missing}`, `The DHCP range has no ${missing} address.`, `Add ${missing}='…' to the <range> element.`);
  }
  requireAddress(start, family, `${path}.start`);
  requireAddress(end, family, `${path}.end`);
  const leaseSeconds = parseLeaseSeconds(childElement(range, 'lease'), `${path}.lease`);
  return { start, end, ...(leaseSeconds !== undefined ? { leaseSeconds } : {}) };
}

function parseLeaseSeconds(lease: Element | undefined, path: string): number | undefined {
  // libvirt ignores a <lease> without expiry.
  const expiry = parseOptionalCount(lease, 'expiry', `${path}.expiry`);
  if (expiry === undefined) return undefined;
  // The unit defaults to minutes (virNetworkDHCPLeaseTimeDefParseXML).
  const unit = attribute(lease, 'unit') ?? 'minutes';
  const secondsPerUnit = SECONDS_PER_LEASE_UNIT.get(unit);
  if (secondsPerUnit === undefined) {
    throw invalidXml(`${path}.unit`, `"${unit}" is not a lease time unit.`, "Use unit='seconds', 'minutes' or 'hours'.");
  }
  return expiry * secondsPerUnit;
}

function parseHost(host: Element, family: IpFamily, path: string): DhcpHost {
  const ip = attribute(host, 'ip');
  if (ip === undefined) {
    throw invalidXml(`${path}.ip`, 'The DHCP host has no IP address.', "Add ip='…' to the <host> element.");
  }
  requireAddress(ip, family, `${path}.ip`);
  const mac = parseMac(attribute(host, 'mac'), `${path}.mac`);
  const id = attribute(host, 'id');
  const name = attribute(host, 'name');
  const leaseSeconds = parseLeaseSeconds(childElement(host, 'lease'), `${path}.lease`);
  return {
    ...(mac ? { mac } : {}),
    ...(id ? { id } : {}),
    ...(name ? { name } : {}),
    ip,
    ...(leaseSeconds !== undefined ? { leaseSeconds } : {}),
  };
}
