import { describe, expect, it } from 'vitest';
import type { NetworkDefinition } from '../../../../shared/libvirt/network-xml';
import type { IpConfig } from '../../../../shared/model';
import {
  dhcpRangePreset,
  freeBridgeName,
  freeNetworkName,
  isUnder,
  problemAt,
  suggestedIpv4,
  suggestedIpv6,
  withIp,
  withRangesFollowingSubnet,
} from './definition';

function network(name: string, address: string, prefix: number, bridge?: string): NetworkDefinition {
  return {
    name,
    uuid: '',
    forward: { mode: 'nat' },
    ...(bridge ? { bridge: { name: bridge } } : {}),
    ips: [{ family: 'ipv4', address, prefix, dhcpRanges: [], dhcpHosts: [] }],
    dnsHosts: [],
    dns: { forwarders: [], txts: [], srvs: [] },
    routes: [],
  };
}

const ipv4 = (address: string, prefix: number, dhcpRanges: IpConfig['dhcpRanges'] = []): IpConfig => ({ family: 'ipv4', address, prefix, dhcpRanges, dhcpHosts: [] });

describe('suggestedIpv4', () => {
  it('takes the first /24 that no network, host address or route uses, host at .1, DHCP .100–.200', () => {
    const suggestion = suggestedIpv4({
      networks: [network('default', '192.168.122.1', 24), network('other', '192.168.100.1', 24)],
      hostInterfaces: [{ name: 'eth0', kind: 'device', operState: 'UP', addresses: [{ family: 'ipv4', address: '192.168.101.7', prefix: 24 }] }],
      // The default route overlaps everything and is not a clash; a VPN's /23 is.
      hostRoutes: [{ destination: 'default', gateway: '192.168.101.1' }, { destination: '0.0.0.0/0' }, { destination: '192.168.102.0/23', dev: 'tun0' }],
    });
    expect(suggestion).toEqual(ipv4('192.168.104.1', 24, [{ start: '192.168.104.100', end: '192.168.104.200' }]));
  });
});

describe('dhcpRangePreset', () => {
  it('gives .100–.200 or .2–.254 of a /24 with the host at .1', () => {
    expect(dhcpRangePreset(ipv4('10.0.5.1', 24), 'middle')).toEqual({ start: '10.0.5.100', end: '10.0.5.200' });
    expect(dhcpRangePreset(ipv4('10.0.5.1', 24), 'whole')).toEqual({ start: '10.0.5.2', end: '10.0.5.254' });
  });

  it('starts the whole range at .1 when the host is elsewhere, and has no middle in a small subnet', () => {
    expect(dhcpRangePreset(ipv4('10.0.5.254', 24), 'whole')).toEqual({ start: '10.0.5.1', end: '10.0.5.254' });
    expect(dhcpRangePreset(ipv4('10.0.5.1', 28), 'middle')).toBeUndefined();
    expect(dhcpRangePreset(ipv4('10.0.5.1', 28), 'whole')).toEqual({ start: '10.0.5.2', end: '10.0.5.14' });
  });

  it('stays within the 65535 addresses libvirt allows, in both families', () => {
    expect(dhcpRangePreset(ipv4('10.0.0.1', 8), 'whole')).toEqual({ start: '10.0.0.2', end: '10.1.0.0' });
    expect(dhcpRangePreset({ family: 'ipv6', address: 'fd00:1::1', prefix: 64 }, 'middle')).toEqual({ start: 'fd00:1::100', end: 'fd00:1::200' });
    expect(dhcpRangePreset({ family: 'ipv6', address: 'fd00:1::1', prefix: 48 }, 'whole')).toEqual({ start: 'fd00:1::2', end: 'fd00:1::1:0' });
  });
});

describe('withRangesFollowingSubnet', () => {
  it('moves a preset range to the new subnet and leaves a hand-made one', () => {
    const before = ipv4('192.168.100.1', 24, [{ start: '192.168.100.100', end: '192.168.100.200', leaseSeconds: 600 }, { start: '192.168.100.20', end: '192.168.100.30' }]);
    const after = withRangesFollowingSubnet(before, { ...before, address: '10.9.0.1' });
    expect(after.dhcpRanges).toEqual([{ start: '10.9.0.100', end: '10.9.0.200', leaseSeconds: 600 }, { start: '192.168.100.20', end: '192.168.100.30' }]);
  });
});

describe('withIp', () => {
  it('replaces, adds (IPv4 first) and removes one family', () => {
    const base = network('n', '10.0.0.1', 24);
    const ipv6: IpConfig = { family: 'ipv6', address: 'fd00::1', prefix: 64, dhcpRanges: [], dhcpHosts: [] };
    const both = withIp({ ...base, ips: [] }, 'ipv6', ipv6);
    expect(withIp(both, 'ipv4', ipv4('10.1.0.1', 24)).ips.map((ip) => ip.address)).toEqual(['10.1.0.1', 'fd00::1']);
    expect(withIp(withIp(base, 'ipv6', ipv6), 'ipv4', undefined).ips).toEqual([ipv6]);
  });
});

describe('names', () => {
  it('picks the first free virbrN and network name', () => {
    const space = {
      networks: [network('nat-net', '10.0.0.1', 24, 'virbr0')],
      hostInterfaces: [{ name: 'virbr1', kind: 'bridge', operState: 'UP', addresses: [] }],
    };
    expect(freeBridgeName(space)).toBe('virbr2');
    expect(freeNetworkName('nat-net', space.networks)).toBe('nat-net2');
    expect(freeNetworkName('open-net', space.networks)).toBe('open-net');
  });

  it('makes a unique local /64 with the host at ::1', () => {
    const fixed = (bytes: Uint8Array) => bytes.fill(0xab);
    expect(suggestedIpv6(fixed)).toMatchObject({ family: 'ipv6', address: 'fdab:abab:abab:abab::1', prefix: 64 });
  });
});

describe('problemAt', () => {
  const problems = [
    { field: 'ips[0].prefix', message: 'unusual', hint: '', severity: 'warning' as const },
    { field: 'ips[0].prefix', message: 'wrong', hint: '', severity: 'error' as const },
    { field: 'bridge.name', message: 'taken', hint: '', severity: 'error' as const },
  ];

  it('prefers an error, and counts a part only when asked', () => {
    expect(problemAt(problems, 'ips[0].prefix')?.message).toBe('wrong');
    expect(problemAt(problems, 'bridge')).toBeUndefined();
    expect(problemAt(problems, 'bridge', true)?.message).toBe('taken');
    expect(isUnder('ips[10].address', 'ips[1]')).toBe(false);
  });
});
