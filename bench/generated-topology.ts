// A generated hypervisor for the rendering bench: `networkCount` libvirt networks (NAT, isolated
// and routed in turn), each with its bridge and dnsmasq, and `vmCount` running VMs spread over
// them, each with a tap on its network's bridge and a lease, behind one uplink.
import type { HostInterface, Lease, Network, Snapshot, Vm } from '../shared/model';
import type { HostTopology } from '../shared/topology/host-topology';

const MODES = ['nat', 'isolated', 'route'] as const;

const hex = (n: number) => (n & 0xff).toString(16).padStart(2, '0');

export function generatedSnapshot(networkCount: number, vmCount: number): Snapshot {
  const networks: Network[] = [];
  const vms: Vm[] = [];
  const leases: Lease[] = [];
  const hostInterfaces: HostInterface[] = [
    { name: 'eno1', kind: 'device', operState: 'up', addresses: [{ family: 'ipv4', address: '192.0.2.10', prefix: 24 }] },
  ];
  for (let n = 0; n < networkCount; n += 1) {
    const bridge = `virbr${n}`;
    const gateway = `10.${n >> 8}.${n & 0xff}.1`;
    networks.push({
      name: `net-${n}`,
      uuid: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
      active: true,
      autostart: true,
      persistent: true,
      forward: { mode: MODES[n % MODES.length]! },
      bridge: { name: bridge },
      ips: [{ family: 'ipv4', address: gateway, prefix: 24, dhcpRanges: [{ start: gateway.replace(/1$/, '100'), end: gateway.replace(/1$/, '200') }], dhcpHosts: [] }],
      dnsHosts: [],
      dns: { forwarders: [], txts: [], srvs: [] },
      routes: [],
    });
    hostInterfaces.push({ name: bridge, kind: 'bridge', operState: 'up', addresses: [{ family: 'ipv4', address: gateway, prefix: 24 }] });
  }
  for (let v = 0; v < vmCount; v += 1) {
    const n = v % networkCount;
    const mac = `52:54:00:${hex(v >> 16)}:${hex(v >> 8)}:${hex(v)}`;
    const tap = `vnet${v}`;
    vms.push({ name: `vm-${v}`, uuid: `10000000-0000-4000-8000-${v.toString(16).padStart(12, '0')}`, state: 'running', persistent: true, nics: [{ type: 'network', mac, model: 'virtio', network: `net-${n}`, bridge: `virbr${n}`, tap }] });
    hostInterfaces.push({ name: tap, kind: 'tun', master: `virbr${n}`, operState: 'unknown', addresses: [] });
    leases.push({ network: `net-${n}`, family: 'ipv4', ip: `10.${n >> 8}.${n & 0xff}.${100 + Math.floor(v / networkCount)}`, mac, expiresAt: 2_000_000_000, vm: `vm-${v}`, reserved: false, source: 'libvirt-status' });
  }
  const hostTopology: HostTopology = {
    defaultRouteDevs: ['eno1'],
    ipForwarding: true,
    links: [{ name: 'eno1', carrier: true, physical: true, wireless: false, speedMbps: 1000 }],
    neighbours: [],
    masqueradedSubnets: networks.filter((network) => network.forward.mode === 'nat').map((network) => `${network.ips[0]!.address.replace(/1$/, '0')}/24`),
    tapProcesses: [],
    dnsmasq: networks.map((network, index) => ({ pid: 1000 + index, confFile: `/var/lib/libvirt/dnsmasq/${network.name}.conf`, network: network.name, interfaces: [network.bridge!.name], listenAddresses: [] })),
    guestAgentAddresses: [],
    problems: [],
  };
  return {
    connection: { uri: 'qemu:///system', state: 'connected', lastReadAt: 0 },
    networks,
    vms,
    leases,
    leaseProblems: [],
    hostInterfaces,
    hostTopology,
  };
}
