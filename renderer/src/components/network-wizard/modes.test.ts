import { describe, expect, it } from 'vitest';
import type { NetworkDefinition } from '../../../../shared/libvirt/network-xml';
import type { ForwardMode } from '../../../../shared/model';
import { describeHostChanges } from './modes';

function definition(mode: ForwardMode, extra: Partial<NetworkDefinition> = {}): NetworkDefinition {
  return {
    name: 'lab',
    uuid: '',
    forward: { mode },
    bridge: { name: 'virbr3' },
    ips: [{ family: 'ipv4', address: '192.168.100.1', prefix: 24, dhcpRanges: [{ start: '192.168.100.100', end: '192.168.100.200' }], dhcpHosts: [] }],
    dnsHosts: [],
    dns: { forwarders: [], txts: [], srvs: [] },
    routes: [],
    ...extra,
  };
}

const now = { start: true, autostart: false };

describe('describeHostChanges', () => {
  it('names the bridge, dnsmasq, the NAT rules and IP forwarding of a nat network', () => {
    expect(describeHostChanges(definition('nat'), { start: true, autostart: true })).toEqual([
      'Creates the bridge virbr3 with the host address 192.168.100.1/24; each VM NIC on the network becomes a tap port on it.',
      'Runs dnsmasq on virbr3 for DHCP (192.168.100.100–192.168.100.200), DNS, forwarding other queries to the host’s resolvers.',
      'Adds firewall rules: NAT (masquerade) of 192.168.100.0/24 behind the host’s address on whichever uplink the traffic leaves by, and forward rules that let guests’ connections out and only their replies back in.',
      'Turns on IP forwarding in the host kernel (net.ipv4.ip_forward), for every interface.',
      'Starts the network whenever libvirtd starts, so after every boot.',
    ]);
  });

  it('says that a nat network routes its IPv6 prefix unless told to masquerade it', () => {
    const ipv6 = { family: 'ipv6' as const, address: 'fd00:1::1', prefix: 64, dhcpRanges: [], dhcpHosts: [] };
    const base = definition('nat');
    const routed = describeHostChanges({ ...base, ips: [...base.ips, ipv6] }, now);
    expect(routed[2]).toContain('NAT (masquerade) of 192.168.100.0/24 behind');
    expect(routed[3]).toBe('Routes fd00:1::/64 without translation: machines outside need a route to it via this host.');
    const masqueraded = describeHostChanges({ ...base, forward: { mode: 'nat', nat: { ipv6: true } }, ips: [...base.ips, ipv6] }, now);
    expect(masqueraded[2]).toContain('NAT (masquerade) of 192.168.100.0/24 and fd00:1::/64 behind');
  });

  it('says a routed network needs a route back, an open one gets no rules, an isolated one no forwarding', () => {
    expect(describeHostChanges(definition('route', { forward: { mode: 'route', dev: 'eth1' } }), now)[2]).toContain('between 192.168.100.0/24 and the uplink eth1 unchanged (no NAT)');
    const open = describeHostChanges(definition('open'), now);
    expect(open[2]).toMatch(/^Adds no firewall rules/);
    expect(open[3]).toMatch(/^Turns on IP forwarding/);
    const isolated = describeHostChanges(definition('isolated'), now);
    expect(isolated[2]).toMatch(/reject all traffic/);
    expect(isolated.some((change) => change.includes('IP forwarding'))).toBe(false);
  });

  it('leaves dnsmasq out when DNS is off and nothing is served by DHCP', () => {
    const quiet = definition('isolated', {
      dns: { enable: false, forwarders: [], txts: [], srvs: [] },
      ips: [{ family: 'ipv4', address: '10.0.0.1', prefix: 24, dhcpRanges: [], dhcpHosts: [] }],
    });
    expect(describeHostChanges(quiet, now).some((change) => change.includes('dnsmasq'))).toBe(false);
  });

  it('changes nothing for a bridge network but its taps, and nothing at all before it starts', () => {
    const bridged = definition('bridge', { bridge: { name: 'br0' }, ips: [] });
    expect(describeHostChanges(bridged, now)).toEqual([
      'Nothing is created: each VM NIC on this network becomes a tap port on the existing bridge br0, and your LAN gives out the addresses.',
    ]);
    expect(describeHostChanges(bridged, { start: false, autostart: false })[0]).toMatch(/^Nothing changes on the host now/);
  });
});
