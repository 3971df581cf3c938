// What each kind of network is, in words for someone who has never written libvirt network XML,
// and what creating a given definition will change on the host.
import { formatCidr, subnetOf } from '../../../../shared/address';
import type { NetworkDefinition } from '../../../../shared/libvirt/network-xml';
import type { IpConfig } from '../../../../shared/model';

export const WIZARD_MODES = ['nat', 'route', 'isolated', 'open', 'bridge'] as const;
export type WizardMode = (typeof WIZARD_MODES)[number];

export const MODE_INFO: Record<WizardMode, { title: string; tagline: string; explanation: string }> = {
  nat: {
    title: 'NAT',
    tagline: 'Private subnet, outbound access',
    explanation:
      'Guests get private addresses on a bridge of their own. The host masquerades their traffic behind its own address on the uplink, so guests reach the LAN and the internet, but nothing outside can open a connection to them. The right choice for most VMs; libvirt’s own “default” network is one.',
  },
  route: {
    title: 'Routed',
    tagline: 'Own subnet, reachable from the LAN',
    explanation:
      'Guests get addresses in a subnet of their own that the host routes, without translation: they reach the outside with their real addresses, and other machines can reach them once your router has a route to this subnet via the host. For servers that must be reachable.',
  },
  isolated: {
    title: 'Isolated',
    tagline: 'Guests and host only',
    explanation:
      'Guests reach each other and the host, and nothing else: the host rejects any traffic between this network and the outside. DHCP and DNS still work. For test labs, internal back ends and untrusted VMs.',
  },
  open: {
    title: 'Open',
    tagline: 'Routed, firewall left to you',
    explanation:
      'Like routed, but libvirt adds no firewall rules at all: what may pass between the guests and the outside is decided by the host’s own firewall alone. For hosts whose firewall you manage yourself (firewalld zones, your own nftables rules).',
  },
  bridge: {
    title: 'Bridged',
    tagline: 'Guests directly on your LAN',
    explanation:
      'Guests plug into an existing host bridge (such as br0, with your wired NIC as its port), so they sit on your LAN like any other machine and get their addresses from its DHCP server. libvirt runs no DHCP, DNS or firewall rules for it.',
  },
};

export function isWizardMode(mode: string): mode is WizardMode {
  return (WIZARD_MODES as readonly string[]).includes(mode);
}

function subnetText(ip: IpConfig): string {
  const subnet = subnetOf(ip.address, ip.prefix);
  return subnet ? formatCidr(subnet) : `${ip.address}/${ip.prefix}`;
}

/**
 * What defining (and starting, and autostarting) `definition` does to the host, in plain words,
 * one change per entry, in the order libvirt makes them.
 */
export function describeHostChanges(definition: NetworkDefinition, options: { start: boolean; autostart: boolean }): string[] {
  const { mode } = definition.forward;
  const changes: string[] = [];
  if (!options.start) changes.push('Nothing changes on the host now: libvirt only stores the definition until the network is started. Once started:');
  if (mode === 'bridge') {
    const bridge = definition.bridge?.name ?? 'the host bridge';
    changes.push(`Nothing is created: each VM NIC on this network becomes a tap port on the existing bridge ${bridge}, and your LAN gives out the addresses.`);
  } else {
    const bridge = definition.bridge?.name || 'a new virbrN (libvirt picks a free number)';
    const addresses = definition.ips.map((ip) => `${ip.address}/${ip.prefix}`);
    changes.push(
      `Creates the bridge ${bridge}${addresses.length ? ` with the host address ${addresses.join(' and ')}` : ' without a host address'}; each VM NIC on the network becomes a tap port on it.`,
    );
    const dnsmasq = dnsmasqDuties(definition);
    if (dnsmasq.length > 0) changes.push(`Runs dnsmasq on ${definition.bridge?.name || 'the bridge'} for ${dnsmasq.join(', ')}.`);
    changes.push(...forwardingChanges(definition));
  }
  if (options.autostart) changes.push('Starts the network whenever libvirtd starts, so after every boot.');
  return changes;
}

function dnsmasqDuties(definition: NetworkDefinition): string[] {
  const duties = definition.ips.flatMap((ip) => {
    const family = ip.family === 'ipv4' ? 'DHCP' : 'DHCPv6';
    const ranges = ip.dhcpRanges.map((range) => `${range.start}–${range.end}`);
    const hosts = ip.dhcpHosts.length ? [`${ip.dhcpHosts.length} static host${ip.dhcpHosts.length === 1 ? '' : 's'}`] : [];
    const parts = [...ranges, ...hosts];
    return parts.length ? [`${family} (${parts.join(', ')})`] : [];
  });
  if (definition.dns.enable !== false && definition.ips.length > 0) {
    const upstream = definition.dns.forwarders.flatMap((forwarder) => forwarder.addr ?? []);
    duties.push(`DNS${definition.domain ? ` of the domain ${definition.domain}` : ''}, forwarding other queries to ${upstream.length ? upstream.join(', ') : 'the host’s resolvers'}`);
  }
  return duties;
}

function forwardingChanges(definition: NetworkDefinition): string[] {
  const { mode, dev } = definition.forward;
  const subnets = definition.ips.map(subnetText).join(' and ');
  const uplink = dev ? `the uplink ${dev}` : 'whichever uplink the traffic leaves by';
  const ipv6 = definition.ips.some((ip) => ip.family === 'ipv6');
  const forwarding = `Turns on IP forwarding in the host kernel (net.ipv4.ip_forward${ipv6 ? ' and net.ipv6.conf.all.forwarding' : ''}), for every interface.`;
  switch (mode) {
    case 'nat': {
      // libvirt masquerades IPv6 only with <nat ipv6='yes'>; otherwise it routes it.
      const translated = definition.ips.filter((ip) => ip.family === 'ipv4' || definition.forward.nat?.ipv6 === true);
      const routed = definition.ips.filter((ip) => !translated.includes(ip));
      return [
        `Adds firewall rules: NAT (masquerade) of ${translated.map(subnetText).join(' and ')} behind the host’s address on ${uplink}, and forward rules that let guests’ connections out and only their replies back in.`,
        ...(routed.length ? [`Routes ${routed.map(subnetText).join(' and ')} without translation: machines outside need a route to it via this host.`] : []),
        forwarding,
      ];
    }
    case 'route':
      return [
        `Adds firewall rules that forward traffic between ${subnets} and ${uplink} unchanged (no NAT). Machines outside need a route to ${subnets} via this host to answer.`,
        forwarding,
      ];
    case 'open':
      return ['Adds no firewall rules: the host’s own firewall alone decides what passes between the guests and the outside.', forwarding];
    default:
      return ['Adds firewall rules that reject all traffic between the network and anywhere else; guests reach only each other and the host.'];
  }
}
