// Decides how an edit of a network reaches a running network. libvirt can change a running
// network's DHCP ranges, DHCP hosts and DNS hosts in place (`virsh net-update --live`: it
// rewrites dnsmasq's files and signals or restarts dnsmasq, guests keep their link); anything
// else only takes effect when the network is destroyed and started again, which cuts every
// guest on it off for a moment.
import { dhcpHostXml, dnsHostXml } from '../leases/host-entries';
import type { DhcpRange, DnsHost } from '../model';
import { applyNetworkDefinition, isDeepEqual } from './network-xml-edit';
import { parseNetworkXml, type NetworkDefinition } from './network-xml';
import { canonicalXml } from './xml-canonical';

export type NetUpdateSection = 'ip-dhcp-range' | 'ip-dhcp-host' | 'dns-host';

/** One `virsh net-update NET COMMAND SECTION XML [--parent-index N]`. */
export interface NetUpdateCommand {
  command: 'add' | 'delete';
  section: NetUpdateSection;
  xml: string;
  /** The <ip> element (counting all of them from 0) a DHCP change belongs to. */
  parentIndex?: number;
}

export type NetworkUpdatePlan =
  /** Apply these in order to the running network; an empty list means nothing changed. */
  | { restart: false; live: NetUpdateCommand[] }
  /** The change needs the network destroyed and started again, for these reasons. */
  | { restart: true; reasons: string[] };

/** The command that takes `command` back. */
export function undoNetUpdate(command: NetUpdateCommand): NetUpdateCommand {
  return { ...command, command: command.command === 'add' ? 'delete' : 'add' };
}

// What else can change, each with the words a user reads before agreeing to a restart.
const RESTART_REASONS: readonly (readonly [string, (definition: NetworkDefinition) => unknown])[] = [
  ['the name changed', (d) => d.name],
  ['the forward mode or its uplink changed', (d) => d.forward],
  ['the bridge changed', (d) => d.bridge],
  ['the MTU changed', (d) => d.mtu],
  ['the bridge MAC address changed', (d) => d.mac],
  ['the DNS domain changed', (d) => [d.domain, d.domainLocalOnly]],
  ['the DNS server settings (forwarders, TXT or SRV records) changed', (d) => d.dns],
  ['the virtual port type changed', (d) => d.virtualPortType],
  ['the IP addresses or subnets changed', (d) => d.ips.map((ip) => [ip.family, ip.address, ip.prefix])],
  ['the PXE boot or TFTP settings changed', (d) => d.ips.map((ip) => [ip.bootp, ip.tftpRoot])],
  ['the static routes changed', (d) => d.routes],
];

/**
 * How to bring a running network from `before` to `after`: live net-update commands when only
 * DHCP ranges, DHCP hosts and DNS hosts differ, otherwise a restart with the reasons.
 */
export function planNetworkUpdate(before: NetworkDefinition, after: NetworkDefinition): NetworkUpdatePlan {
  const reasons = RESTART_REASONS.filter(([, part]) => !isDeepEqual(part(before), part(after))).map(([reason]) => reason);
  // net-update's host XML has no <lease>: a host with its own lease time cannot go in live.
  const changedHosts = after.ips.flatMap((ip, index) => difference(ip.dhcpHosts, before.ips[index]?.dhcpHosts ?? []));
  if (changedHosts.some((host) => host.leaseSeconds !== undefined)) reasons.push('a DHCP host with its own lease time changed');
  if (reasons.length > 0) return { restart: true, reasons };

  const live: NetUpdateCommand[] = [];
  // Deletions first: a changed range or host must leave before its successor, which may overlap it.
  for (const phase of ['delete', 'add'] as const) {
    const [from, to] = phase === 'delete' ? [after, before] : [before, after];
    to.ips.forEach((ip, parentIndex) => {
      const other = from.ips[parentIndex];
      for (const range of difference(ip.dhcpRanges, other?.dhcpRanges ?? [])) {
        live.push({ command: phase, section: 'ip-dhcp-range', xml: dhcpRangeXml(range), parentIndex });
      }
      for (const host of difference(ip.dhcpHosts, other?.dhcpHosts ?? [])) {
        live.push({ command: phase, section: 'ip-dhcp-host', xml: dhcpHostXml(host), parentIndex });
      }
    });
    for (const host of difference<DnsHost>(to.dnsHosts, from.dnsHosts)) {
      live.push({ command: phase, section: 'dns-host', xml: dnsHostXml(host) });
    }
  }
  return { restart: false, live };
}

/**
 * planNetworkUpdate for two XML documents, which also catches what the model does not see: when
 * the new XML differs from the old one outside the modelled parts (an unknown element, a
 * dnsmasq option), only a restart applies it.
 */
export function planNetworkXmlUpdate(beforeXml: string, afterXml: string): NetworkUpdatePlan {
  const before = parseNetworkXml(beforeXml);
  const after = parseNetworkXml(afterXml);
  const plan = planNetworkUpdate(before, after);
  if (plan.restart) return plan;
  // The old document with only the modelled changes applied must read like the new one.
  const expected = applyNetworkDefinition(beforeXml, after);
  if (canonicalXml(expected) === canonicalXml(afterXml)) return plan;
  return { restart: true, reasons: ['parts of the XML that can only change with a restart were edited'] };
}

/** What an edit does to a network, decided the same way in the edit dialog and in the core. */
export type NetworkEditPlan =
  | { kind: 'unchanged' }
  /** Only the stored definition changes: the network is stopped, or nothing live differs. */
  | { kind: 'stored' }
  /** The running network gets these net-update commands; guests keep their link. */
  | { kind: 'live'; live: NetUpdateCommand[] }
  /** The running network must be stopped and started again, for these reasons. */
  | { kind: 'restart'; reasons: string[] };

/**
 * What replacing the stored definition `storedXml` with `afterXml` does to the network, which is
 * running when `active`. Planned against the stored definition, which is what the user edited:
 * the live XML also carries what libvirt fills in at start (NAT ports, connections), no edit.
 */
export function planNetworkEdit(storedXml: string, afterXml: string, active: boolean): NetworkEditPlan {
  if (canonicalXml(storedXml) === canonicalXml(afterXml)) return { kind: 'unchanged' };
  if (!active) return { kind: 'stored' };
  const plan = planNetworkXmlUpdate(storedXml, afterXml);
  if (plan.restart) return { kind: 'restart', reasons: plan.reasons };
  return plan.live.length > 0 ? { kind: 'live', live: plan.live } : { kind: 'stored' };
}

/** The items of `items` that `others` lacks (by value). */
function difference<T>(items: readonly T[], others: readonly T[]): T[] {
  return items.filter((item) => !others.some((other) => isDeepEqual(item, other)));
}

function dhcpRangeXml(range: DhcpRange): string {
  const lease = range.leaseSeconds === undefined ? '' : `<lease expiry='${range.leaseSeconds}' unit='seconds'/>`;
  return `<range start='${range.start}' end='${range.end}'>${lease}</range>`;
}
