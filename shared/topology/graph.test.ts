import { describe, expect, it } from 'vitest';
import type { HostInterface, Lease, Network, Snapshot } from '../model';
import { buildTopologyGraph, nicAddress, type TopologyGraph } from './graph';
import type { HostTopology } from './host-topology';

function network(name: string, mode: Network['forward']['mode'], bridge: string, address: string, extra: Partial<Network> = {}): Network {
  return {
    name,
    uuid: `uuid-${name}`,
    active: true,
    autostart: true,
    persistent: true,
    forward: { mode },
    bridge: { name: bridge },
    ips: [{ family: 'ipv4', address, prefix: 24, dhcpRanges: [{ start: address.replace(/\.1$/, '.100'), end: address.replace(/\.1$/, '.200') }], dhcpHosts: [] }],
    dnsHosts: [],
    dns: { forwarders: [], txts: [], srvs: [] },
    routes: [],
    ...extra,
  };
}

const link = (name: string, kind: string, extra: Partial<HostInterface> = {}): HostInterface => ({ name, kind, operState: 'up', addresses: [], ...extra });

const lease = (mac: string, ip: string): Lease => ({ network: 'default', family: 'ipv4', ip, mac, expiresAt: 2_000_000_000, reserved: false, source: 'libvirt-status' });

// A host as seed 001 draws it: a NIC with the default route, libvirt's NAT network, an isolated
// network, docker0 with a container's veth, br0 over a second NIC, a running and a stopped VM,
// and a QEMU started by hand on the isolated network.
const snapshot: Snapshot = {
  connection: { uri: 'qemu:///system', state: 'connected' },
  networks: [
    network('default', 'nat', 'virbr0', '192.168.122.1'),
    network('lab', 'isolated', 'virbr1', '10.77.0.1'),
    network('spare', 'route', 'virbr2', '10.88.0.1', { active: false, forward: { mode: 'route', dev: 'eno2' } }),
  ],
  vms: [
    {
      name: 'web',
      uuid: 'u1',
      state: 'running',
      persistent: true,
      nics: [
        { type: 'network', mac: '52:54:00:00:00:01', model: 'virtio', network: 'default', bridge: 'virbr0', tap: 'vnet0' },
        { type: 'network', mac: '52:54:00:00:00:02', model: 'e1000e', network: 'lab', bridge: 'virbr1', tap: 'vnet1' },
      ],
    },
    { name: 'db', uuid: 'u2', state: 'shut off', persistent: true, nics: [{ type: 'network', mac: '52:54:00:00:00:03', network: 'lab' }] },
  ],
  leases: [lease('52:54:00:00:00:01', '192.168.122.50')],
  leaseProblems: [],
  hostInterfaces: [
    link('lo', 'loopback'),
    link('eno1', 'device', { mac: '3c:ec:ef:00:00:01', addresses: [{ family: 'ipv4', address: '192.0.2.10', prefix: 24 }] }),
    link('eno2', 'device', { master: 'br0' }),
    link('br0', 'bridge'),
    link('virbr0', 'bridge', { addresses: [{ family: 'ipv4', address: '192.168.122.1', prefix: 24 }] }),
    link('virbr1', 'bridge'),
    link('vnet0', 'tun', { master: 'virbr0' }),
    link('vnet1', 'tun', { master: 'virbr1' }),
    link('tap-rogue', 'tun', { master: 'virbr1' }),
    link('docker0', 'bridge', { operState: 'down' }),
    link('veth1a2b', 'veth', { master: 'docker0' }),
  ],
};

const host: HostTopology = {
  defaultRouteDevs: ['eno1'],
  ipForwarding: true,
  links: [
    { name: 'eno1', carrier: true, physical: true, wireless: false, speedMbps: 1000 },
    { name: 'eno2', carrier: true, physical: true, wireless: false },
    { name: 'vnet0', carrier: true, physical: false, wireless: false, portState: 'forwarding' },
  ],
  neighbours: [{ ip: '10.77.0.9', mac: '52:54:00:00:00:02', dev: 'virbr1' }],
  masqueradedSubnets: ['192.168.122.0/24'],
  tapProcesses: [
    { pid: 900, name: 'web', command: 'qemu-system-x86', taps: ['vnet0', 'vnet1'] },
    { pid: 1234, name: 'rogue-vm', command: 'qemu-system-x86', taps: ['tap-rogue'] },
  ],
  dnsmasq: [{ pid: 700, confFile: '/var/lib/libvirt/dnsmasq/default.conf', network: 'default', interfaces: ['virbr0'], listenAddresses: [] }],
  guestAgentAddresses: [],
  problems: [],
};

const node = (graph: TopologyGraph, id: string) => graph.nodes.find((candidate) => candidate.id === id);
const edge = (graph: TopologyGraph, source: string, target: string) =>
  graph.edges.find((candidate) => candidate.source === source && candidate.target === target);

describe('buildTopologyGraph', () => {
  const graph = buildTopologyGraph(snapshot, host);

  it('gives every node a unique id', () => {
    expect(new Set(graph.nodes.map((n) => n.id)).size).toBe(graph.nodes.length);
    expect(new Set(graph.edges.map((e) => e.id)).size).toBe(graph.edges.length);
  });

  it('draws hardware NICs as uplinks with carrier, speed and the default route', () => {
    expect(node(graph, 'uplink:eno1')?.data).toEqual({
      kind: 'uplink',
      name: 'eno1',
      mac: '3c:ec:ef:00:00:01',
      carrier: true,
      wireless: false,
      speedMbps: 1000,
      addresses: [{ family: 'ipv4', address: '192.0.2.10', prefix: 24 }],
      defaultRoute: true,
    });
    expect(node(graph, 'uplink:lo')).toBeUndefined();
  });

  it('leads NAT networks to the default route’s uplink with a NAT badge; isolated ones nowhere', () => {
    expect(edge(graph, 'uplink:eno1', 'network:default')).toMatchObject({ kind: 'uplink', badge: 'NAT' });
    expect(graph.edges.filter((e) => e.target === 'network:lab' && e.kind === 'uplink')).toEqual([]);
    // A network restricted to one uplink (<forward dev>) leads to that one.
    expect(edge(graph, 'uplink:eno2', 'network:spare')).toMatchObject({ badge: 'route' });
  });

  it('says when IPv4 forwarding is off, which stops NAT and routing', () => {
    const off = buildTopologyGraph(snapshot, { ...host, ipForwarding: false });
    expect(edge(off, 'uplink:eno1', 'network:default')?.badge).toBe('NAT (forwarding off)');
    expect(node(off, 'network:default')?.data).toMatchObject({ ipForwarding: false });
  });

  it('describes each network: mode, gateway, DHCP, NAT rule and dnsmasq with its listening address', () => {
    expect(node(graph, 'network:default')?.data).toEqual({
      kind: 'network',
      name: 'default',
      mode: 'nat',
      active: true,
      bridge: 'virbr0',
      gateways: ['192.168.122.1/24'],
      dhcpRanges: ['192.168.122.100 – 192.168.122.200'],
      natInEffect: true,
      ipForwarding: true,
      dnsmasq: { pid: 700, confFile: '/var/lib/libvirt/dnsmasq/default.conf', listen: ['virbr0 (192.168.122.1)'] },
    });
    expect(node(graph, 'network:lab')?.data).toMatchObject({ mode: 'isolated', natInEffect: false });
  });

  it('draws bridges libvirt does not own dimmed, with their ports dimmed too', () => {
    expect(node(graph, 'bridge:docker0')).toMatchObject({ dimmed: true, data: { kind: 'bridge', operState: 'down' } });
    expect(node(graph, 'port:veth1a2b')).toMatchObject({ dimmed: true, data: { kind: 'port', linkKind: 'veth' } });
    expect(edge(graph, 'bridge:docker0', 'port:veth1a2b')?.kind).toBe('port');
    // A NIC enslaved to a bridge feeds it as an uplink rather than as a port.
    expect(edge(graph, 'uplink:eno2', 'bridge:br0')?.kind).toBe('uplink');
    expect(node(graph, 'port:eno2')).toBeUndefined();
  });

  it('puts a running VM behind its taps, with MAC, network and the IP from its lease or the neighbour table', () => {
    expect(node(graph, 'port:vnet0')).toMatchObject({ dimmed: false, data: { portState: 'forwarding' } });
    expect(edge(graph, 'network:default', 'port:vnet0')?.kind).toBe('port');
    expect(edge(graph, 'port:vnet0', 'vm:web')).toMatchObject({ kind: 'nic', vm: 'web', mac: '52:54:00:00:00:01', ip: '192.168.122.50', network: 'default' });
    expect(node(graph, 'vm:web')?.data).toMatchObject({
      kind: 'vm',
      state: 'running',
      nics: [
        expect.objectContaining({ tap: 'vnet0', ip: '192.168.122.50', ipSource: 'lease' }),
        expect.objectContaining({ tap: 'vnet1', ip: '10.77.0.9', ipSource: 'neighbour' }),
      ],
    });
  });

  it('ties a stopped VM’s NIC straight to its network, marked inactive', () => {
    expect(edge(graph, 'network:lab', 'vm:db')).toMatchObject({ kind: 'nic', inactive: true, mac: '52:54:00:00:00:03' });
  });

  it('shows tap holders libvirt does not know, dimmed, by name and pid; libvirt’s own QEMUs not twice', () => {
    expect(node(graph, 'process:1234')).toEqual({
      id: 'process:1234',
      dimmed: true,
      data: { kind: 'process', name: 'rogue-vm', pid: 1234, command: 'qemu-system-x86', taps: ['tap-rogue'] },
    });
    expect(edge(graph, 'port:tap-rogue', 'process:1234')?.kind).toBe('nic');
    expect(node(graph, 'process:900')).toBeUndefined();
  });

  it('draws libvirt’s view alone when the host cannot be read', () => {
    const remote = buildTopologyGraph({ ...snapshot, hostInterfaces: [] }, undefined);
    expect(remote.nodes.map((n) => n.id).sort()).toEqual(['network:default', 'network:lab', 'network:spare', 'vm:db', 'vm:web']);
    expect(edge(remote, 'network:default', 'vm:web')).toMatchObject({ kind: 'nic', mac: '52:54:00:00:00:01' });
    expect(edge(remote, 'network:default', 'vm:web')?.inactive).toBeUndefined();
  });
});

describe('nicAddress', () => {
  const vmHost: HostTopology = {
    ...host,
    neighbours: [
      { ip: 'fe80::1', mac: '52:54:00:00:00:07', dev: 'br0' },
      { ip: '2001:db8::7', mac: '52:54:00:00:00:07', dev: 'br0' },
      { ip: '192.0.2.8', mac: '52:54:00:00:00:08', dev: 'br0' },
    ],
    guestAgentAddresses: [
      { vm: 'x', mac: '52:54:00:00:00:08', ip: '192.0.2.99' },
      { vm: 'x', mac: '52:54:00:00:00:09', ip: '192.0.2.9' },
    ],
  };

  it('prefers the lease, then the neighbour table, then the guest agent', () => {
    expect(nicAddress('52:54:00:00:00:01', snapshot.leases, vmHost)).toEqual({ ip: '192.168.122.50', source: 'lease' });
    expect(nicAddress('52:54:00:00:00:08', [], vmHost)).toEqual({ ip: '192.0.2.8', source: 'neighbour' });
    expect(nicAddress('52:54:00:00:00:09', [], vmHost)).toEqual({ ip: '192.0.2.9', source: 'agent' });
    expect(nicAddress('52:54:00:00:00:0a', [], vmHost)).toBeUndefined();
  });

  it('matches MACs case-insensitively and prefers a global address to a link-local one', () => {
    expect(nicAddress('52:54:00:00:00:07', [], vmHost)).toEqual({ ip: '2001:db8::7', source: 'neighbour' });
    expect(nicAddress('52:54:00:00:00:01'.toUpperCase(), snapshot.leases, vmHost)?.source).toBe('lease');
  });
});
