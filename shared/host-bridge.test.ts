import { describe, expect, it } from 'vitest';
import { SwitchyardError } from './errors';
import { stepCommand } from './helper-protocol';
import { classifyBridgeCandidates, classifyRemovableBridges, planBridgeCreation, planBridgeRemoval, WIRELESS_REASON } from './host-bridge';
import { describeDifferences, parseLinkStates, restoreSteps, type LinkState } from './link-state';

// `ip -json -details address show` and the route listings of a host whose eno1 is on the LAN.
const FOREVER = 4294967295;
const addresses = JSON.stringify([
  { ifname: 'lo', flags: ['LOOPBACK', 'UP'], operstate: 'UNKNOWN', link_type: 'loopback', address: '00:00:00:00:00:00', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo', valid_life_time: FOREVER, preferred_life_time: FOREVER }] },
  {
    ifname: 'eno1', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], operstate: 'UP', link_type: 'ether', address: '74:d4:35:ed:79:d7',
    addr_info: [
      { family: 'inet', local: '192.168.4.7', prefixlen: 16, broadcast: '192.168.255.255', scope: 'global', label: 'eno1', valid_life_time: FOREVER, preferred_life_time: FOREVER },
      { family: 'inet', local: '192.168.9.9', prefixlen: 24, scope: 'global', label: 'eno1:1', valid_life_time: 3000, preferred_life_time: 3000 },
      { family: 'inet6', local: 'fe80::76d4:35ff:feed:79d7', prefixlen: 64, scope: 'link', valid_life_time: FOREVER, preferred_life_time: FOREVER },
    ],
  },
  { ifname: 'wlp5s0', flags: ['BROADCAST', 'MULTICAST'], operstate: 'DOWN', link_type: 'ether', address: 'd8:f2:ca:d5:8c:b6', addr_info: [] },
  { ifname: 'virbr0', flags: ['BROADCAST', 'MULTICAST', 'UP'], operstate: 'UP', link_type: 'ether', address: '52:54:00:9f:89:3a', linkinfo: { info_kind: 'bridge', info_data: { stp_state: 1 } }, addr_info: [{ family: 'inet', local: '192.168.122.1', prefixlen: 24, broadcast: '192.168.122.255', scope: 'global', label: 'virbr0' }] },
  { ifname: 'vnet0', flags: ['UP'], operstate: 'UNKNOWN', link_type: 'ether', address: 'fe:54:00:1d:1e:d7', master: 'virbr0', linkinfo: { info_kind: 'tun' }, addr_info: [] },
]);
const routes4 = JSON.stringify([
  { dst: 'default', gateway: '192.168.1.1', dev: 'eno1', protocol: 'dhcp', metric: 100, flags: [] },
  { dst: '10.9.0.0/16', gateway: '192.168.4.254', dev: 'eno1', flags: [] },
  { dst: '192.168.0.0/16', dev: 'eno1', protocol: 'kernel', scope: 'link', prefsrc: '192.168.4.7', flags: [] },
  { dst: '192.168.122.0/24', dev: 'virbr0', protocol: 'kernel', scope: 'link', prefsrc: '192.168.122.1', flags: ['linkdown'] },
  { type: 'blackhole', dst: '10.66.0.0/16', flags: [] },
]);
const routes6 = JSON.stringify([{ dst: 'fe80::/64', dev: 'eno1', protocol: 'kernel', metric: 256, pref: 'medium', flags: [] }]);
const host = parseLinkStates({ addresses, routes4, routes6 });
const eno1 = host.find((link) => link.name === 'eno1')!;

describe('parseLinkStates', () => {
  it('reads flags, master, kind, STP, addresses with what restoring them needs, and per-device routes', () => {
    expect(eno1).toEqual({
      name: 'eno1',
      kind: 'device',
      mac: '74:d4:35:ed:79:d7',
      up: true,
      operState: 'up',
      addresses: [
        { family: 'ipv4', cidr: '192.168.4.7/16', broadcast: '192.168.255.255' },
        { family: 'ipv4', cidr: '192.168.9.9/24', label: 'eno1:1', validLifetime: 3000, preferredLifetime: 3000 },
        { family: 'ipv6', cidr: 'fe80::76d4:35ff:feed:79d7/64', scope: 'link' },
      ],
      routes: [
        { family: 'ipv4', destination: 'default', gateway: '192.168.1.1', metric: 100, protocol: 'dhcp' },
        { family: 'ipv4', destination: '10.9.0.0/16', gateway: '192.168.4.254', protocol: 'boot' },
        { family: 'ipv4', destination: '192.168.0.0/16', protocol: 'kernel', scope: 'link', source: '192.168.4.7' },
        { family: 'ipv6', destination: 'fe80::/64', metric: 256, protocol: 'kernel' },
      ],
    });
    expect(host.find((l) => l.name === 'virbr0')).toMatchObject({ kind: 'bridge', stp: true });
    expect(host.find((l) => l.name === 'vnet0')).toMatchObject({ kind: 'tun', master: 'virbr0' });
  });
});

describe('bridge candidates', () => {
  it('offers wired NICs, flags the default route and says why the others cannot be ports', () => {
    const byName = Object.fromEntries(classifyBridgeCandidates(host, new Set(['wlp5s0'])).map((c) => [c.name, c]));
    expect(byName.eno1).toMatchObject({ carriesDefaultRoute: true, addresses: ['192.168.4.7/16', '192.168.9.9/24'] });
    expect(byName.eno1!.unavailableReason).toBeUndefined();
    expect(byName.wlp5s0!.unavailableReason).toBe(WIRELESS_REASON);
    expect(byName.lo!.unavailableReason).toMatch(/Loopback/);
    expect(byName.virbr0!.unavailableReason).toMatch(/Already a bridge/);
    expect(byName.vnet0!.unavailableReason).toMatch(/tap device/);
  });

  it('offers to remove only bridges with one NIC port and no VMs', () => {
    const [virbr0] = classifyRemovableBridges(host);
    expect(virbr0!.unavailableReason).toMatch(/VMs are attached \(vnet0\)/);
  });
});

const choices = { nic: 'eno1', bridge: 'br0', stp: false, addressing: 'keep' as const };

describe('planBridgeCreation', () => {
  it('is the seeds’ sequence made complete: routes and addresses move, the default route last', () => {
    const plan = planBridgeCreation(host, choices, new Set());
    expect(plan.steps.map(stepCommand)).toEqual([
      'ip -4 route delete default via 192.168.1.1 dev eno1 metric 100 proto dhcp',
      'ip -4 route delete 10.9.0.0/16 via 192.168.4.254 dev eno1 proto boot',
      'ip address delete 192.168.4.7/16 dev eno1',
      'ip address delete 192.168.9.9/24 dev eno1',
      'ip link add name br0 address 74:d4:35:ed:79:d7 type bridge stp_state 0',
      'ip link set dev eno1 master br0',
      'ip address add 192.168.4.7/16 broadcast 192.168.255.255 dev br0',
      'ip address add 192.168.9.9/24 dev br0',
      'ip link set dev eno1 up',
      'ip link set dev br0 up',
      'ip -4 route add 10.9.0.0/16 via 192.168.4.254 dev br0 proto boot',
      'ip -4 route add default via 192.168.1.1 dev br0 metric 100 proto dhcp',
    ]);
    expect(plan.interfaces).toEqual(['eno1', 'br0']);
    expect(plan.gateway).toEqual({ address: '192.168.1.1', dev: 'br0' });
    expect(plan.persistence.addressing).toEqual({
      mode: 'static',
      addresses: ['192.168.4.7/16', '192.168.9.9/24'],
      routes: eno1.routes.filter((r) => r.protocol !== 'kernel'),
    });
    expect(plan.warnings.join(' ')).toMatch(/carries the default route/);
    expect(plan.warnings.join(' ')).toMatch(/came from DHCP or SLAAC/);
  });

  it.each([
    [{ ...choices, nic: 'eth9' }, 'nic', /no interface named "eth9"/],
    [{ ...choices, nic: 'wlp5s0' }, 'nic', /Wireless/],
    [{ ...choices, nic: 'vnet0' }, 'nic', /tap device/],
    [{ ...choices, bridge: 'virbr0' }, 'bridge', /already exists/],
  ])('refuses %j naming the field', (input, field, message) => {
    try {
      planBridgeCreation(host, input, new Set(['wlp5s0']));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SwitchyardError);
      expect((error as SwitchyardError).value.field).toBe(field);
      expect((error as SwitchyardError).value.message).toMatch(message);
    }
  });
});

/** What the kernel would report after the steps ran: the NIC enslaved, everything on the bridge. */
function bridged(): LinkState[] {
  const plan = planBridgeCreation(host, choices, new Set());
  const moved = plan.persistence.addressing.mode === 'static' ? plan.persistence.addressing : undefined;
  return [
    { ...eno1, master: 'br0', addresses: eno1.addresses.filter((a) => a.scope === 'link'), routes: eno1.routes.filter((r) => r.family === 'ipv6') },
    {
      name: 'br0', kind: 'bridge', mac: eno1.mac!, up: true, operState: 'up', stp: false,
      addresses: moved!.addresses.map((cidr) => ({ family: 'ipv4' as const, cidr, ...(cidr === '192.168.4.7/16' ? { broadcast: '192.168.255.255' } : {}) })),
      routes: [...moved!.routes, { family: 'ipv4', destination: '192.168.0.0/16', protocol: 'kernel', scope: 'link', source: '192.168.4.7' }],
    },
  ];
}

describe('planBridgeRemoval', () => {
  it('gives the NIC its addresses and routes back and deletes the bridge', () => {
    const plan = planBridgeRemoval(bridged(), 'br0');
    expect(plan.steps.map(stepCommand)).toEqual([
      'ip -4 route delete default via 192.168.1.1 dev br0 metric 100 proto dhcp',
      'ip -4 route delete 10.9.0.0/16 via 192.168.4.254 dev br0 proto boot',
      'ip address delete 192.168.4.7/16 dev br0',
      'ip address delete 192.168.9.9/24 dev br0',
      'ip link set dev eno1 nomaster',
      'ip link delete dev br0 type bridge',
      'ip address add 192.168.4.7/16 broadcast 192.168.255.255 dev eno1',
      'ip address add 192.168.9.9/24 dev eno1',
      'ip link set dev eno1 up',
      'ip -4 route add 10.9.0.0/16 via 192.168.4.254 dev eno1 proto boot',
      'ip -4 route add default via 192.168.1.1 dev eno1 metric 100 proto dhcp',
    ]);
    expect(plan.gateway).toEqual({ address: '192.168.1.1', dev: 'eno1' });
  });
});

describe('restoreSteps', () => {
  const before = host.filter((link) => link.name === 'eno1');

  it('undoes a finished bridge creation: delete the bridge, give back addresses (with lifetimes and labels) and routes', () => {
    const steps = restoreSteps(before, bridged()).map(stepCommand);
    expect(steps).toEqual([
      'ip link delete dev br0 type bridge',
      'ip link set dev eno1 nomaster',
      'ip address add 192.168.4.7/16 broadcast 192.168.255.255 dev eno1',
      'ip address add 192.168.9.9/24 label eno1:1 valid_lft 3000 preferred_lft 3000 dev eno1',
      'ip -4 route add 10.9.0.0/16 via 192.168.4.254 dev eno1 proto boot',
      'ip -4 route add default via 192.168.1.1 dev eno1 metric 100 proto dhcp',
    ]);
  });

  it('recreates a removed bridge with its MAC and STP, and has nothing to do when the state matches', () => {
    const withBridge = bridged();
    const after = [{ ...eno1, addresses: [...eno1.addresses] }];
    expect(restoreSteps(withBridge, after).slice(0, 2).map(stepCommand)).toEqual([
      'ip link add name br0 address 74:d4:35:ed:79:d7 type bridge stp_state 0',
      'ip -4 route delete default via 192.168.1.1 dev eno1 metric 100 proto dhcp',
    ]);
    expect(restoreSteps(before, before)).toEqual([]);
    expect(describeDifferences(before, before)).toEqual([]);
  });

  it('names what differs', () => {
    expect(describeDifferences(before, bridged())).toEqual([
      'br0 exists but did not before.',
      'eno1: master is br0, was none.',
      'eno1 lost address 192.168.4.7/16.',
      'eno1 lost address 192.168.9.9/24.',
      'eno1 lost route default via 192.168.1.1.',
      'eno1 lost route 10.9.0.0/16 via 192.168.4.254.',
      'eno1 lost route 192.168.0.0/16.',
    ]);
  });
});
