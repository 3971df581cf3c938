// Builds the topology graph the diagram draws: uplinks → bridges and networks → ports (taps,
// veths, NICs enslaved to a bridge) → VMs and other tap-holding processes. Pure: the renderer
// only lays it out and draws it, and tests check the graph without a browser.
import { formatCidr, subnetOf } from '../address';
import type { ForwardMode, HostAddress, Lease, Network, Snapshot, VmState } from '../model';
import type { HostTopology, LinkDetail } from './host-topology';

export type IpSource = 'lease' | 'neighbour' | 'agent';

export interface TopologyNic {
  mac?: string;
  model?: string;
  network?: string;
  bridge?: string;
  tap?: string;
  ip?: string;
  /** Where the IP came from: the DHCP lease, the neighbour (ARP) table or the guest agent. */
  ipSource?: IpSource;
}

export type TopologyNodeData =
  | {
      kind: 'uplink';
      name: string;
      mac?: string;
      carrier: boolean;
      wireless: boolean;
      speedMbps?: number;
      addresses: HostAddress[];
      /** A default route leaves through this link. */
      defaultRoute: boolean;
    }
  | {
      kind: 'network';
      name: string;
      mode: ForwardMode;
      active: boolean;
      bridge?: string;
      /** Gateway address with prefix, e.g. 192.168.122.1/24. */
      gateways: string[];
      dhcpRanges: string[];
      /** A MASQUERADE rule for the network's subnet exists (only meaningful for NAT). */
      natInEffect: boolean;
      /** The host forwards IPv4 (net.ipv4.ip_forward), which NAT and routed networks need; undefined when unread. */
      ipForwarding?: boolean;
      dnsmasq?: { pid: number; confFile: string; listen: string[] };
    }
  | { kind: 'bridge'; name: string; operState: string; addresses: HostAddress[]; defaultRoute: boolean }
  | { kind: 'port'; name: string; linkKind: string; mac?: string; operState: string; portState?: string }
  | { kind: 'vm'; name: string; state: VmState; persistent: boolean; nics: TopologyNic[] }
  | { kind: 'process'; name: string; pid: number; command: string; taps: string[] };

export type TopologyNodeKind = TopologyNodeData['kind'];

export interface TopologyNode {
  /** Unique per graph and stable across rereads: "<kind>:<name>" (processes: "process:<pid>"). */
  id: string;
  data: TopologyNodeData;
  /** Not managed by libvirt: drawn dimmed. */
  dimmed: boolean;
}

export type TopologyEdgeKind = 'uplink' | 'port' | 'nic';

export interface TopologyEdge {
  id: string;
  source: string;
  target: string;
  kind: TopologyEdgeKind;
  /** uplink edges of NAT/routed networks: how traffic leaves ("NAT", "route", "open"). */
  badge?: string;
  /** nic edges: the VM NIC this edge stands for. */
  vm?: string;
  mac?: string;
  ip?: string;
  /** nic edges: the libvirt network the NIC is on. */
  network?: string;
  /** A NIC of a VM that is not running (no tap): drawn dashed. */
  inactive?: boolean;
}

export interface TopologyGraph {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

export const nodeId = (kind: TopologyNodeKind, name: string | number): string => `${kind}:${name}`;

const OUTBOUND_MODES: ReadonlySet<ForwardMode> = new Set(['nat', 'route', 'open']);

export function buildTopologyGraph(snapshot: Snapshot, host: HostTopology | undefined): TopologyGraph {
  const nodes: TopologyNode[] = [];
  const edges: TopologyEdge[] = [];
  const details = new Map<string, LinkDetail>((host?.links ?? []).map((link) => [link.name, link]));
  const defaultDevs = new Set(host?.defaultRouteDevs ?? []);
  // dnsmasq's interface= lines name links; it answers on their addresses ("virbr0 (192.168.122.1)").
  const withAddresses = (link: string) => {
    const addresses = (snapshot.hostInterfaces.find((candidate) => candidate.name === link)?.addresses ?? [])
      .map((a) => a.address)
      .filter((address) => !address.startsWith('fe80:'));
    return addresses.length > 0 ? `${link} (${addresses.join(', ')})` : link;
  };

  // Which node stands for each bridge: a libvirt network's bridge is drawn as the network.
  const bridgeNode = new Map<string, string>();
  for (const network of snapshot.networks) {
    if (network.bridge?.name && network.active) bridgeNode.set(network.bridge.name, nodeId('network', network.name));
  }
  for (const link of snapshot.hostInterfaces) {
    if (link.kind === 'bridge' && !bridgeNode.has(link.name)) bridgeNode.set(link.name, nodeId('bridge', link.name));
  }

  // Uplinks: hardware NICs and whatever carries a default route (unless that is a bridge, which
  // then is marked itself).
  const uplinks = snapshot.hostInterfaces.filter(
    (link) => link.kind !== 'bridge' && link.kind !== 'loopback' && (details.get(link.name)?.physical || defaultDevs.has(link.name)),
  );
  for (const link of uplinks) {
    const detail = details.get(link.name);
    nodes.push({
      id: nodeId('uplink', link.name),
      dimmed: false,
      data: {
        kind: 'uplink',
        name: link.name,
        ...(link.mac ? { mac: link.mac } : {}),
        carrier: detail?.carrier ?? link.operState === 'up',
        wireless: detail?.wireless ?? false,
        ...(detail?.speedMbps ? { speedMbps: detail.speedMbps } : {}),
        addresses: link.addresses,
        defaultRoute: defaultDevs.has(link.name),
      },
    });
  }
  const uplinkIds = new Set(uplinks.map((link) => nodeId('uplink', link.name)));
  const routeUplinks = uplinks.filter((link) => defaultDevs.has(link.name));

  for (const network of snapshot.networks) {
    const id = nodeId('network', network.name);
    const dnsmasq = host?.dnsmasq.find((process) => process.network === network.name);
    const natInEffect = network.forward.mode === 'nat' && networkSubnets(network).some((s) => host?.masqueradedSubnets.includes(s));
    nodes.push({
      id,
      dimmed: false,
      data: {
        kind: 'network',
        name: network.name,
        mode: network.forward.mode,
        active: network.active,
        ...(network.bridge?.name ? { bridge: network.bridge.name } : {}),
        gateways: network.ips.map((ip) => `${ip.address}/${ip.prefix}`),
        dhcpRanges: network.ips.flatMap((ip) => ip.dhcpRanges.map((range) => `${range.start} – ${range.end}`)),
        natInEffect,
        ...(host?.ipForwarding !== undefined ? { ipForwarding: host.ipForwarding } : {}),
        ...(dnsmasq
          ? { dnsmasq: { pid: dnsmasq.pid, confFile: dnsmasq.confFile, listen: [...dnsmasq.listenAddresses, ...dnsmasq.interfaces.map(withAddresses)] } }
          : {}),
      },
    });
    if (!OUTBOUND_MODES.has(network.forward.mode)) continue;
    // A network restricted to one uplink (<forward dev=...>) leaves through it; otherwise through
    // the default route.
    const targets = network.forward.dev
      ? [nodeId('uplink', network.forward.dev)].filter((uplink) => uplinkIds.has(uplink))
      : routeUplinks.map((link) => nodeId('uplink', link.name));
    for (const uplink of targets) {
      const badge = network.forward.mode === 'nat' ? 'NAT' : network.forward.mode;
      // Without IPv4 forwarding nothing leaves, whatever the mode says.
      edges.push({ id: `${uplink}->${id}`, source: uplink, target: id, kind: 'uplink', badge: host?.ipForwarding === false ? `${badge} (forwarding off)` : badge });
    }
  }

  for (const link of snapshot.hostInterfaces) {
    if (link.kind !== 'bridge' || bridgeNode.get(link.name) !== nodeId('bridge', link.name)) continue;
    nodes.push({
      id: nodeId('bridge', link.name),
      dimmed: true,
      data: { kind: 'bridge', name: link.name, operState: link.operState, addresses: link.addresses, defaultRoute: defaultDevs.has(link.name) },
    });
  }

  // Ports: every link enslaved to a bridge. An uplink enslaved to a bridge (br0 over eth0) is
  // drawn as the uplink feeding the bridge rather than as a port.
  for (const link of snapshot.hostInterfaces) {
    const bridge = link.master ? bridgeNode.get(link.master) : undefined;
    if (!bridge) continue;
    const uplink = nodeId('uplink', link.name);
    if (uplinkIds.has(uplink)) {
      edges.push({ id: `${uplink}->${bridge}`, source: uplink, target: bridge, kind: 'uplink' });
      continue;
    }
    const id = nodeId('port', link.name);
    const portState = details.get(link.name)?.portState;
    nodes.push({
      id,
      dimmed: bridge.startsWith('bridge:'),
      data: { kind: 'port', name: link.name, linkKind: link.kind, ...(link.mac ? { mac: link.mac } : {}), operState: link.operState, ...(portState ? { portState } : {}) },
    });
    edges.push({ id: `${bridge}->${id}`, source: bridge, target: id, kind: 'port' });
  }
  const portIds = new Set(nodes.filter((node) => node.data.kind === 'port').map((node) => node.id));

  const libvirtTaps = new Set<string>();
  for (const vm of snapshot.vms) {
    const id = nodeId('vm', vm.name);
    const nics = vm.nics.map((nic): TopologyNic => {
      const address = nic.mac ? nicAddress(nic.mac, snapshot.leases, host) : undefined;
      return { ...nic, ...(address ? { ip: address.ip, ipSource: address.source } : {}) };
    });
    nodes.push({ id, dimmed: false, data: { kind: 'vm', name: vm.name, state: vm.state, persistent: vm.persistent, nics } });
    for (const nic of nics) {
      if (nic.tap) libvirtTaps.add(nic.tap);
      const port = nic.tap ? nodeId('port', nic.tap) : undefined;
      const edge = {
        kind: 'nic' as const,
        target: id,
        vm: vm.name,
        ...(nic.mac ? { mac: nic.mac } : {}),
        ...(nic.ip ? { ip: nic.ip } : {}),
        ...(nic.network ? { network: nic.network } : {}),
      };
      if (port && portIds.has(port)) {
        edges.push({ ...edge, id: `${port}->${id}:${nic.mac ?? nic.tap}`, source: port });
        continue;
      }
      // No tap on a bridge (the VM is not running, or the host's links are unknown): tie the NIC
      // straight to its network, dashed when it has no tap at all.
      const network = nic.network ? nodeId('network', nic.network) : nic.bridge ? bridgeNode.get(nic.bridge) : undefined;
      if (network && nodes.some((node) => node.id === network)) {
        edges.push({ ...edge, id: `${network}->${id}:${nic.mac ?? ''}`, source: network, ...(nic.tap ? {} : { inactive: true }) });
      }
    }
  }

  // Tap holders libvirt does not know: QEMUs started by hand, other emulators.
  for (const process of host?.tapProcesses ?? []) {
    const foreignTaps = process.taps.filter((tap) => !libvirtTaps.has(tap));
    if (foreignTaps.length === 0) continue;
    const id = nodeId('process', process.pid);
    nodes.push({ id, dimmed: true, data: { kind: 'process', name: process.name, pid: process.pid, command: process.command, taps: foreignTaps } });
    for (const tap of foreignTaps) {
      const port = nodeId('port', tap);
      if (portIds.has(port)) edges.push({ id: `${port}->${id}`, source: port, target: id, kind: 'nic' });
    }
  }
  return { nodes, edges };
}

/** The IPv4 subnets (CIDR with the network address) of a network, as NAT rules name them. */
function networkSubnets(network: Network): string[] {
  return network.ips.flatMap((ip) => {
    const subnet = ip.family === 'ipv4' ? subnetOf(ip.address, ip.prefix) : undefined;
    return subnet ? [formatCidr(subnet)] : [];
  });
}

/** A NIC's IPv4 address: from its DHCP lease, else the neighbour table, else the guest agent. */
export function nicAddress(mac: string, leases: readonly Lease[], host: HostTopology | undefined): { ip: string; source: IpSource } | undefined {
  const wanted = mac.toLowerCase();
  const leased = leases.filter((lease) => lease.mac?.toLowerCase() === wanted);
  const lease = leased.find((l) => l.family === 'ipv4') ?? leased[0];
  if (lease) return { ip: lease.ip, source: 'lease' };
  const neighbours = (host?.neighbours ?? []).filter((entry) => entry.mac === wanted);
  const neighbour = neighbours.find((entry) => !entry.ip.includes(':')) ?? neighbours.find((entry) => !entry.ip.startsWith('fe80:'));
  if (neighbour) return { ip: neighbour.ip, source: 'neighbour' };
  const agent = host?.guestAgentAddresses.find((entry) => entry.mac === wanted);
  return agent ? { ip: agent.ip, source: 'agent' } : undefined;
}
