// Writes a NetworkDefinition into libvirt network XML without losing what the model does not
// know. The original document is edited in place: each part the model owns is compared with
// what the original says and rewritten only when it differs, so unknown elements, attributes,
// namespaces (dnsmasq:options), comments and their order survive, and an unchanged part keeps
// its spelling (netmask or prefix, unit of a lease, case of a MAC).
import type { Element } from '@xmldom/xmldom';
import { prefixToNetmask } from '../address';
import type { DhcpHost, DhcpRange, DnsForwarder, DnsHost, DnsSrv, DnsTxt, IpConfig, IpFamily, Nat, StaticRoute } from '../model';
import { parseNetworkXml, SECONDS_PER_LEASE_UNIT, type NetworkDefinition } from './network-xml';
import { childElement, childElements, parseRootElement } from './xml-document';
import {
  createElementFor,
  createRootElement,
  insertChildElement,
  insertElementAfter,
  keepAfter,
  removeElement,
  removeIfEmpty,
  serializeDocument,
  writeAttribute,
  writeText,
} from './xml-edit';

// The order libvirt writes child elements in; new elements are placed accordingly.
const NETWORK_ORDER = [
  'name', 'uuid', 'title', 'description', 'metadata', 'forward', 'bridge', 'mtu', 'mac', 'domain', 'dns',
  'vlan', 'virtualport', 'port', 'bandwidth', 'ip', 'route', 'portgroup',
];
const FORWARD_ORDER = ['nat', 'interface', 'pf', 'address'];
const NAT_ORDER = ['address', 'port'];
const DNS_ORDER = ['forwarder', 'txt', 'srv', 'host'];
const DNS_HOST_ORDER = ['hostname'];
const IP_ORDER = ['tftp', 'dhcp'];
const DHCP_ORDER = ['range', 'host', 'bootp'];
const LEASE_ORDER = ['lease'];

/** What an empty <network/> would parse to: the starting point of a new document. */
const EMPTY_DEFINITION: NetworkDefinition = {
  name: '',
  uuid: '',
  forward: { mode: 'isolated' },
  ips: [],
  dnsHosts: [],
  dns: { forwarders: [], txts: [], srvs: [] },
  routes: [],
};

/**
 * The XML of `definition`: `originalXml` (as libvirt reported it) with the model's parts
 * brought up to date, or a new document when there is no original.
 */
export function applyNetworkDefinition(originalXml: string | undefined, definition: NetworkDefinition): string {
  const root = originalXml === undefined ? createRootElement('network') : parseRootElement(originalXml, 'network');
  const current = originalXml === undefined ? EMPTY_DEFINITION : parseNetworkXml(originalXml);
  writeNetwork(root, current, definition);
  return serializeDocument(root);
}

function writeNetwork(root: Element, current: NetworkDefinition, desired: NetworkDefinition): void {
  syncElement(root, 'name', NETWORK_ORDER, current.name || undefined, desired.name, writeText);
  syncElement(root, 'uuid', NETWORK_ORDER, current.uuid || undefined, desired.uuid || undefined, writeText);
  writeForward(root, current.forward, desired.forward);
  syncElement(root, 'bridge', NETWORK_ORDER, current.bridge, desired.bridge, (bridge, want, had) => {
    syncAttribute(bridge, 'name', had?.name, want.name);
    syncAttribute(bridge, 'stp', onOff(had?.stp), onOff(want.stp));
    syncAttribute(bridge, 'delay', had?.delay?.toString(), want.delay?.toString());
    syncAttribute(bridge, 'macTableManager', had?.macTableManager, want.macTableManager);
  });
  syncElement(root, 'mtu', NETWORK_ORDER, current.mtu, desired.mtu, (mtu, size) => writeAttribute(mtu, 'size', String(size)));
  syncElement(root, 'mac', NETWORK_ORDER, current.mac, desired.mac, (mac, address) => writeAttribute(mac, 'address', address));
  syncElement(root, 'domain', NETWORK_ORDER, domainOf(current), domainOf(desired), (domain, want, had) => {
    syncAttribute(domain, 'name', had?.name, want.name);
    syncAttribute(domain, 'localOnly', yesNo(had?.localOnly), yesNo(want.localOnly));
  });
  writeDns(root, current, desired);
  syncElement(root, 'virtualport', NETWORK_ORDER, current.virtualPortType, desired.virtualPortType, (port, type) =>
    writeAttribute(port, 'type', type),
  );
  syncChildren(root, 'ip', NETWORK_ORDER, current.ips, desired.ips, (ip) => `${ip.family} ${ip.address}`, writeIp);
  syncChildren(root, 'route', NETWORK_ORDER, current.routes, desired.routes, routeKey, writeRoute);
}

function onOff(value: boolean | undefined): string | undefined {
  return value === undefined ? undefined : value ? 'on' : 'off';
}

function yesNo(value: boolean | undefined): string | undefined {
  return value === undefined ? undefined : value ? 'yes' : 'no';
}

function domainOf(definition: NetworkDefinition): { name?: string; localOnly?: boolean } | undefined {
  const { domain, domainLocalOnly } = definition;
  if (domain === undefined && domainLocalOnly === undefined) return undefined;
  return { ...(domain !== undefined ? { name: domain } : {}), ...(domainLocalOnly !== undefined ? { localOnly: domainLocalOnly } : {}) };
}

/** Writes the attribute when the model's value changed; an unchanged value keeps its spelling. */
function syncAttribute(element: Element, name: string, current: string | undefined, desired: string | undefined): void {
  if (current !== desired) writeAttribute(element, name, desired);
}

/**
 * Brings the optional child <name> from `current` to `desired`: removed when desired is
 * undefined, created when missing, and left alone when the two are equal.
 */
function syncElement<T>(
  parent: Element,
  name: string,
  order: readonly string[],
  current: T | undefined,
  desired: T | undefined,
  write: (element: Element, desired: T, current: T | undefined) => void,
): void {
  if (isDeepEqual(current, desired)) return;
  const existing = childElement(parent, name);
  if (desired === undefined) {
    if (existing) removeElement(existing);
    return;
  }
  write(existing ?? insertChildElement(parent, name, order), desired, existing ? current : undefined);
}

/**
 * Brings the list of child <name> elements, whose models are `current` in document order, to
 * `desired`. Elements are matched by `key` first, then reused in document order (keeping what
 * the model does not know of them), removed when left over and created when missing; the result
 * follows the order of `desired`.
 */
function syncChildren<T>(
  parent: Element,
  name: string,
  order: readonly string[],
  current: readonly T[],
  desired: readonly T[],
  key: (item: T) => string,
  write: (element: Element, desired: T, current: T | undefined) => void,
): void {
  const unused = new Map(childElements(parent, name).map((element, index) => [element, current[index]]));
  const claim = (element: Element | undefined) => {
    if (element === undefined) return undefined;
    const model = unused.get(element);
    unused.delete(element);
    return { element, model };
  };
  const keyed = desired.map((item) =>
    claim([...unused].find(([, model]) => model !== undefined && key(model) === key(item))?.[0]),
  );
  const assigned = keyed.map((match) => match ?? claim(unused.keys().next().value));
  for (const element of unused.keys()) removeElement(element);
  let previous: Element | undefined;
  desired.forEach((item, index) => {
    const match = assigned[index];
    let element: Element;
    if (match) {
      element = match.element;
      if (previous) keepAfter(previous, element);
    } else if (previous) {
      element = createElementFor(parent, name);
      insertElementAfter(previous, element);
    } else {
      element = insertChildElement(parent, name, order);
    }
    write(element, item, match?.model);
    previous = element;
  });
}

/** Structural equality of model values, where an absent key and one set to undefined are the same. */
export function isDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  return [...new Set([...Object.keys(left), ...Object.keys(right)])].every((key) => isDeepEqual(left[key], right[key]));
}

function writeForward(root: Element, current: NetworkDefinition['forward'], desired: NetworkDefinition['forward']): void {
  if (isDeepEqual(current, desired)) return;
  const existing = childElement(root, 'forward');
  if (desired.mode === 'isolated') {
    if (existing) removeElement(existing);
    return;
  }
  const forward = existing ?? insertChildElement(root, 'forward', NETWORK_ORDER);
  const had = existing ? current : undefined;
  // <forward/> without a mode already means nat; an unchanged mode keeps that spelling.
  if (had?.mode !== desired.mode) writeAttribute(forward, 'mode', desired.mode);
  if (had?.dev !== desired.dev) {
    writeAttribute(forward, 'dev', desired.dev);
    // libvirt also lists a nat/route network's dev as its first <interface> and refuses a
    // definition where the two differ.
    const firstInterface = childElement(forward, 'interface');
    if (firstInterface && had?.dev !== undefined && firstInterface.getAttribute('dev') === had.dev) {
      if (desired.dev === undefined) removeElement(firstInterface);
      else writeAttribute(firstInterface, 'dev', desired.dev);
    }
  }
  // libvirt refuses <nat> in any mode but nat.
  const nat = desired.mode === 'nat' ? desired.nat : undefined;
  syncElement(forward, 'nat', FORWARD_ORDER, had?.nat, nat, writeNat);
}

function writeNat(nat: Element, desired: Nat, current: Nat | undefined): void {
  syncAttribute(nat, 'ipv6', yesNo(current?.ipv6), yesNo(desired.ipv6));
  syncElement(nat, 'address', NAT_ORDER, current?.addressRange, desired.addressRange, writeStartEnd);
  const ports = (range: Nat['portRange']) => range && { start: String(range.start), end: String(range.end) };
  syncElement(nat, 'port', NAT_ORDER, ports(current?.portRange), ports(desired.portRange), writeStartEnd);
}

function writeStartEnd(element: Element, range: { start: string; end: string }): void {
  writeAttribute(element, 'start', range.start);
  writeAttribute(element, 'end', range.end);
}

function writeDns(root: Element, current: NetworkDefinition, desired: NetworkDefinition): void {
  if (isDeepEqual(current.dns, desired.dns) && isDeepEqual(current.dnsHosts, desired.dnsHosts)) return;
  const existing = childElement(root, 'dns');
  const { enable, forwardPlainNames, forwarders, txts, srvs } = desired.dns;
  const wanted =
    enable !== undefined || forwardPlainNames !== undefined || forwarders.length + txts.length + srvs.length + desired.dnsHosts.length > 0;
  if (!existing && !wanted) return;
  const dns = existing ?? insertChildElement(root, 'dns', NETWORK_ORDER);
  const had = existing ? current : EMPTY_DEFINITION;
  syncAttribute(dns, 'enable', yesNo(had.dns.enable), yesNo(enable));
  syncAttribute(dns, 'forwardPlainNames', yesNo(had.dns.forwardPlainNames), yesNo(forwardPlainNames));
  syncChildren(dns, 'forwarder', DNS_ORDER, had.dns.forwarders, forwarders, (f) => `${f.addr} ${f.domain}`, writeForwarder);
  syncChildren(dns, 'txt', DNS_ORDER, had.dns.txts, txts, (txt) => txt.name, writeTxt);
  syncChildren(dns, 'srv', DNS_ORDER, had.dns.srvs, srvs, srvKey, writeSrv);
  syncChildren(dns, 'host', DNS_ORDER, had.dnsHosts, desired.dnsHosts, (host) => host.ip, writeDnsHost);
  if (!wanted) removeIfEmpty(dns);
}

function writeForwarder(element: Element, desired: DnsForwarder, current: DnsForwarder | undefined): void {
  syncAttribute(element, 'domain', current?.domain, desired.domain);
  syncAttribute(element, 'addr', current?.addr, desired.addr);
}

function writeTxt(element: Element, desired: DnsTxt, current: DnsTxt | undefined): void {
  syncAttribute(element, 'name', current?.name, desired.name);
  syncAttribute(element, 'value', current?.value, desired.value);
}

function srvKey(srv: DnsSrv): string {
  return [srv.service, srv.protocol, srv.domain, srv.target, srv.port].join(' ');
}

function writeSrv(element: Element, desired: DnsSrv, current: DnsSrv | undefined): void {
  for (const name of ['service', 'protocol', 'domain', 'target'] as const) {
    syncAttribute(element, name, current?.[name], desired[name]);
  }
  for (const name of ['port', 'priority', 'weight'] as const) {
    syncAttribute(element, name, current?.[name]?.toString(), desired[name]?.toString());
  }
}

function writeDnsHost(element: Element, desired: DnsHost, current: DnsHost | undefined): void {
  syncAttribute(element, 'ip', current?.ip, desired.ip);
  // Read the names from the elements themselves: the parser skips blank <hostname>s.
  const hostnames = childElements(element, 'hostname').map((hostname) => hostname.textContent?.trim() ?? '');
  syncChildren(element, 'hostname', DNS_HOST_ORDER, hostnames, desired.hostnames, (name) => name, (hostname, name, had) => {
    if (had !== name) writeText(hostname, name);
  });
}

/** family='ipv4' is the default: it is written only for IPv6 (and kept where it was written). */
function familyAttribute(family: IpFamily | undefined): string | undefined {
  return family === 'ipv6' ? 'ipv6' : undefined;
}

function writeIp(ip: Element, desired: IpConfig, current: IpConfig | undefined): void {
  syncAttribute(ip, 'family', familyAttribute(current?.family), familyAttribute(desired.family));
  syncAttribute(ip, 'address', current?.address, desired.address);
  syncPrefix(ip, desired, current);
  syncElement(ip, 'tftp', IP_ORDER, current?.tftpRoot, desired.tftpRoot, (tftp, root) => writeAttribute(tftp, 'root', root));
  writeDhcp(ip, desired, current);
}

/**
 * Writes the prefix when it changed, as a netmask where the element used one. Without either
 * attribute the prefix is implied by the address's class, so a new address needs it written.
 */
function syncPrefix(element: Element, desired: IpConfig | StaticRoute, current: IpConfig | StaticRoute | undefined): void {
  const explicit = element.hasAttribute('prefix') || element.hasAttribute('netmask');
  const unchanged =
    current !== undefined &&
    current.prefix === desired.prefix &&
    current.family === desired.family &&
    (explicit || current.address === desired.address);
  if (unchanged) return;
  if (desired.family === 'ipv4' && element.hasAttribute('netmask')) {
    writeAttribute(element, 'netmask', prefixToNetmask(desired.prefix));
  } else {
    writeAttribute(element, 'netmask', undefined);
    writeAttribute(element, 'prefix', String(desired.prefix));
  }
}

function writeDhcp(ip: Element, desired: IpConfig, current: IpConfig | undefined): void {
  const existing = childElement(ip, 'dhcp');
  const wanted = desired.dhcpRanges.length > 0 || desired.dhcpHosts.length > 0 || desired.bootp !== undefined;
  if (!existing && !wanted) return;
  const dhcp = existing ?? insertChildElement(ip, 'dhcp', IP_ORDER);
  const had = existing ? current : undefined;
  syncChildren(dhcp, 'range', DHCP_ORDER, had?.dhcpRanges ?? [], desired.dhcpRanges, (range) => `${range.start} ${range.end}`, writeRange);
  syncChildren(dhcp, 'host', DHCP_ORDER, had?.dhcpHosts ?? [], desired.dhcpHosts, dhcpHostKey, writeDhcpHost);
  syncElement(dhcp, 'bootp', DHCP_ORDER, had?.bootp, desired.bootp, (bootp, want, previous) => {
    syncAttribute(bootp, 'file', previous?.file, want.file);
    syncAttribute(bootp, 'server', previous?.server, want.server);
  });
  // An emptied <dhcp> goes, unless it still holds something the model does not know (<option>).
  if (!wanted) removeIfEmpty(dhcp);
}

function writeRange(range: Element, desired: DhcpRange, current: DhcpRange | undefined): void {
  syncAttribute(range, 'start', current?.start, desired.start);
  syncAttribute(range, 'end', current?.end, desired.end);
  syncElement(range, 'lease', LEASE_ORDER, current?.leaseSeconds, desired.leaseSeconds, writeLease);
}

function dhcpHostKey(host: DhcpHost): string {
  return host.mac ?? host.id ?? host.name ?? host.ip;
}

function writeDhcpHost(host: Element, desired: DhcpHost, current: DhcpHost | undefined): void {
  syncAttribute(host, 'mac', current?.mac, desired.mac);
  syncAttribute(host, 'id', current?.id, desired.id);
  syncAttribute(host, 'name', current?.name, desired.name);
  syncAttribute(host, 'ip', current?.ip, desired.ip);
  syncElement(host, 'lease', LEASE_ORDER, current?.leaseSeconds, desired.leaseSeconds, writeLease);
}

/** A lease time in the largest unit that divides it exactly; 0 (infinite) has no unit. */
function writeLease(lease: Element, seconds: number): void {
  const [unit, perUnit] =
    seconds === 0 ? [undefined, 1] : [...SECONDS_PER_LEASE_UNIT].reverse().find(([, size]) => seconds % size === 0) ?? ['seconds', 1];
  writeAttribute(lease, 'expiry', String(seconds / perUnit));
  writeAttribute(lease, 'unit', unit);
}

function routeKey(route: StaticRoute): string {
  return `${route.family} ${route.address}/${route.prefix}`;
}

function writeRoute(route: Element, desired: StaticRoute, current: StaticRoute | undefined): void {
  syncAttribute(route, 'family', familyAttribute(current?.family), familyAttribute(desired.family));
  syncAttribute(route, 'address', current?.address, desired.address);
  syncPrefix(route, desired, current);
  syncAttribute(route, 'gateway', current?.gateway, desired.gateway);
  syncAttribute(route, 'metric', current?.metric?.toString(), desired.metric?.toString());
}
