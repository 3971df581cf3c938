// Form sections for a libvirt network, shared by the New network wizard and the edit dialog.
//
// API: every section is controlled by a whole NetworkDefinition (shared/libvirt/network-xml.ts):
//   <XSection definition={d} onChange={(next) => setD(next)} problems={problems} disabled? />
// It edits only its own parts of `d` (immutably) and shows, at each input, the problem of that
// field out of `problems`: an error in red, a warning in amber (warnings never block). Get
// `problems` from useNetworkProblems(d, isNew, hostRoutes) — the same validateNetworkDefinition
// the core runs before applying — with hostRoutes from loadHostRoutes() (load them once, when the
// dialog opens). Serialize with applyNetworkDefinition(originalXml, d) so unknown XML survives.
//   AddressingSection  IPv4 + optional IPv6 address/prefix (ips[i].address|prefix, "ips");
//                      suggestIp(family) gives the <ip> a switched-on family starts with
//                      (suggestedIpv4(addressSpace(...)) / suggestedIpv6()). Changing the subnet
//                      moves a preset DHCP range along.
//   DhcpSection        family="ipv4"|"ipv6": DHCP on/off, ranges with lease time (minutes), and
//                      for IPv4 the static hosts (ips[i].dhcpRanges[j].*, ips[i].dhcpHosts[j].*).
//   DnsSection         DNS on/off (dns.enable), domain, upstream forwarders (dns.forwarders[j].*).
//   BridgeSection      libvirt's own bridge: name, STP, MTU (bridge.*, mtu) — nat/route/open/isolated.
//   HostBridgeSection  bridge mode: pick an existing host bridge (hostBridges() lists them from the
//                      snapshot's hostInterfaces minus libvirt's own); says how to make one.
// Inputs carry data-testid "field-PATH" and their whole field "form-PATH" (PATH = problem path).
export { AddressingSection, type AddressingSectionProps } from './AddressingSection';
export { BridgeSection } from './BridgeSection';
export {
  dhcpRangePreset,
  freeBridgeName,
  freeNetworkName,
  ipOf,
  isUnder,
  problemAt,
  suggestedIpv4,
  suggestedIpv6,
  withIp,
  type AddressSpace,
  type NetworkFormSectionProps,
} from './definition';
export { DhcpSection } from './DhcpSection';
export { DnsSection } from './DnsSection';
export { HostBridgeSection, hostBridges, type HostBridgeSectionProps } from './HostBridgeSection';
export { addressSpace, loadHostRoutes, useNetworkProblems } from './validation';
