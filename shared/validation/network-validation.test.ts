import { describe, expect, it } from 'vitest';
import { parseNetworkXml, type NetworkDefinition } from '../libvirt/network-xml';
import { readFixture } from '../libvirt/test-support';
import type { HostInterface, IpConfig } from '../model';
import {
  editIdentityProblems,
  readOnlyReason,
  toSwitchyardError,
  validateNetworkDefinition,
  type FieldProblem,
  type HostRoute,
  type NetworkValidationContext,
} from './network-validation';

const defaultNetwork = parseNetworkXml(readFixture('network/default-live.xml'));

function link(name: string, kind: string, ...addresses: string[]): HostInterface {
  return {
    name,
    kind,
    operState: 'up',
    addresses: addresses.map((cidr) => {
      const [address = '', prefix = '0'] = cidr.split('/');
      return { family: address.includes(':') ? 'ipv6' : 'ipv4', address, prefix: Number(prefix) };
    }),
  };
}

const hostInterfaces: HostInterface[] = [
  link('lo', 'loopback', '127.0.0.1/8', '::1/128'),
  link('eth0', 'device', '192.168.1.23/24', 'fe80::5054:ff:fe12:3456/64'),
  link('br0', 'bridge', '10.1.0.5/24'),
  link('docker0', 'bridge', '172.17.0.1/16'),
  link('tun0', 'tun', '10.8.0.2/24'),
  link('virbr0', 'bridge', '192.168.122.1/24'),
];

const hostRoutes: HostRoute[] = [
  { destination: 'default', gateway: '192.168.1.1', dev: 'eth0' },
  { destination: '0.0.0.0/0', gateway: '192.168.1.1', dev: 'eth0' },
  { destination: '192.168.1.0/24', dev: 'eth0' },
  { destination: '10.1.0.0/24', dev: 'br0' },
  { destination: '172.17.0.0/16', dev: 'docker0' },
  { destination: '10.8.0.0/24', dev: 'tun0' },
  { destination: '10.200.0.0/16', gateway: '10.8.0.1', dev: 'tun0' },
  { destination: '192.168.122.0/24', dev: 'virbr0' },
  { destination: 'fe80::/64', dev: 'eth0' },
  { destination: 'ff00::/8', dev: 'eth0' },
];

const context: NetworkValidationContext = { isNew: true, otherNetworks: [defaultNetwork], hostInterfaces, hostRoutes };

function ipv4(address: string, prefix = 24, extra: Partial<IpConfig> = {}): IpConfig {
  return { family: 'ipv4', address, prefix, dhcpRanges: [], dhcpHosts: [], ...extra };
}

/** A new NAT network on 192.168.100.0/24 with DHCP, which clashes with nothing in `context`. */
function natNetwork(overrides: Partial<NetworkDefinition> = {}): NetworkDefinition {
  return {
    name: 'lab',
    uuid: '',
    forward: { mode: 'nat' },
    bridge: { name: 'virbr5', stp: true, delay: 0 },
    ips: [ipv4('192.168.100.1', 24, { dhcpRanges: [{ start: '192.168.100.2', end: '192.168.100.254' }] })],
    dnsHosts: [],
    dns: { forwarders: [], txts: [], srvs: [] },
    routes: [],
    ...overrides,
  };
}

function errors(problems: FieldProblem[]): FieldProblem[] {
  return problems.filter((problem) => problem.severity === 'error');
}

function fieldsOf(problems: FieldProblem[]): string[] {
  return problems.map((problem) => problem.field);
}

describe('validateNetworkDefinition accepts each mode', () => {
  it.each<[string, Partial<NetworkDefinition>]>([
    ['nat', {}],
    ['nat with a NAT address and port range', { forward: { mode: 'nat', nat: { addressRange: { start: '203.0.113.1', end: '203.0.113.4' }, portRange: { start: 1024, end: 65535 }, ipv6: true } } }],
    ['route restricted to an uplink', { forward: { mode: 'route', dev: 'eth0' } }],
    ['open', { forward: { mode: 'open' } }],
    ['isolated', { forward: { mode: 'isolated' } }],
    ['isolated without addresses', { forward: { mode: 'isolated' }, ips: [] }],
    ['IPv6 only', { ips: [{ family: 'ipv6', address: 'fd00:1::1', prefix: 64, dhcpRanges: [{ start: 'fd00:1::100', end: 'fd00:1::1ff' }], dhcpHosts: [] }] }],
    ['a bridge name template', { bridge: { name: 'virbr%d' } }],
    ['no bridge name (libvirt picks one)', { bridge: undefined }],
    ['an existing host bridge', { forward: { mode: 'bridge' }, bridge: { name: 'br0' }, ips: [] }],
  ])('%s', (_, overrides) => {
    expect(validateNetworkDefinition(natNetwork(overrides), context)).toEqual([]);
  });

  it('accepts the full set of DHCP, DNS and route settings', () => {
    const definition = natNetwork({
      mtu: 9000,
      mac: '52:54:00:12:34:56',
      domain: 'lab.example',
      domainLocalOnly: true,
      ips: [
        ipv4('192.168.100.1', 24, {
          dhcpRanges: [{ start: '192.168.100.100', end: '192.168.100.199', leaseSeconds: 3600 }],
          dhcpHosts: [
            { mac: '52:54:00:00:00:01', name: 'web', ip: '192.168.100.10' },
            { name: 'db', ip: '192.168.100.11' },
          ],
          bootp: { file: 'pxelinux.0' },
          tftpRoot: '/srv/tftp',
        }),
        { family: 'ipv6', address: 'fd00:1::1', prefix: 64, dhcpRanges: [], dhcpHosts: [{ id: '0:3:0:1:52:54:0:0:0:1', ip: 'fd00:1::10' }] },
      ],
      dnsHosts: [{ ip: '192.168.100.10', hostnames: ['web', 'www'] }],
      dns: {
        forwardPlainNames: false,
        forwarders: [{ addr: '9.9.9.9' }, { domain: 'corp.example', addr: '10.8.0.53' }],
        txts: [{ name: 'owner', value: 'lab team' }],
        srvs: [{ service: 'ldap', protocol: 'tcp', target: 'dc.lab.example', port: 389 }],
      },
      routes: [{ family: 'ipv4', address: '192.168.222.0', prefix: 24, gateway: '192.168.100.2', metric: 1 }],
    });
    expect(validateNetworkDefinition(definition, context)).toEqual([]);
  });

  it('accepts an edit of the running default network, whose own bridge and subnet are on the host', () => {
    const edit = { ...defaultNetwork, mtu: 1400 };
    expect(validateNetworkDefinition(edit, { ...context, isNew: false, runningBridge: 'virbr0' })).toEqual([]);
  });

  it('refuses an edit that renames the bridge to another host bridge, and keeps its own subnet on the old one', () => {
    const edit = { ...defaultNetwork, bridge: { name: 'br0' } };
    expect(fieldsOf(errors(validateNetworkDefinition(edit, { ...context, isNew: false, runningBridge: 'virbr0' })))).toEqual(['bridge.name']);
  });

  it('refuses an edit of a stopped network whose bridge name a host link has taken meanwhile', () => {
    const edit = { ...defaultNetwork, mtu: 1400 };
    expect(fieldsOf(errors(validateNetworkDefinition(edit, { ...context, isNew: false })))).toEqual(['bridge.name', 'ips[0].address']);
  });
});

describe('validateNetworkDefinition finds subnet clashes', () => {
  it('names the network a subnet clashes with: the classic 192.168.122.0/24', () => {
    const problems = validateNetworkDefinition(natNetwork({ ips: [ipv4('192.168.122.1')] }), context);
    expect(problems).toEqual([
      {
        field: 'ips[0].address',
        message: "192.168.122.0/24 overlaps 192.168.122.0/24 of network 'default' (bridge virbr0).",
        hint: 'Choose a subnet nothing else uses, such as 192.168.100.0/24.',
        severity: 'error',
      },
    ]);
  });

  it('finds the clash with a host LAN on 192.168.122.0/24 before libvirt fails at start', () => {
    const lan = [link('eth0', 'device', '192.168.122.50/24')];
    const routes = [{ destination: '192.168.122.0/24', dev: 'eth0' }];
    const problems = validateNetworkDefinition(defaultNetwork, { isNew: true, otherNetworks: [], hostInterfaces: lan, hostRoutes: routes });
    expect(problems).toEqual([
      expect.objectContaining({
        field: 'ips[0].address',
        message: '192.168.122.0/24 overlaps 192.168.122.0/24 on host interface eth0 (192.168.122.50/24).',
        severity: 'error',
      }),
    ]);
  });

  it('finds Docker\'s 172.17.0.0/16 once, by its bridge', () => {
    const problems = validateNetworkDefinition(natNetwork({ ips: [ipv4('172.17.5.1')] }), context);
    expect(problems.map((problem) => problem.message)).toEqual([
      '172.17.5.0/24 overlaps 172.17.0.0/16 on host interface docker0 (172.17.0.1/16).',
    ]);
  });

  it('finds a VPN route', () => {
    const problems = validateNetworkDefinition(natNetwork({ ips: [ipv4('10.200.3.1')] }), context);
    expect(problems).toEqual([
      expect.objectContaining({ field: 'ips[0].address', message: '10.200.3.0/24 overlaps the route to 10.200.0.0/16 via tun0.' }),
    ]);
  });

  it('finds a subnet that contains the host LAN', () => {
    const problems = validateNetworkDefinition(natNetwork({ ips: [ipv4('192.168.0.1', 16)] }), context);
    expect(problems.map((problem) => problem.message)).toEqual([
      "192.168.0.0/16 overlaps 192.168.122.0/24 of network 'default' (bridge virbr0).",
      '192.168.0.0/16 overlaps 192.168.1.0/24 on host interface eth0 (192.168.1.23/24).',
    ]);
  });

  it('never counts the default route, link-local or multicast routes', () => {
    const ipv6 = natNetwork({ ips: [{ family: 'ipv6', address: 'fd00:9::1', prefix: 64, dhcpRanges: [], dhcpHosts: [] }] });
    expect(validateNetworkDefinition(ipv6, context)).toEqual([]);
  });

  it('checks static routes against the host too', () => {
    const problems = validateNetworkDefinition(
      natNetwork({ routes: [{ family: 'ipv4', address: '10.8.0.0', prefix: 24, gateway: '192.168.100.2' }] }),
      context,
    );
    expect(problems).toEqual([expect.objectContaining({ field: 'routes[0].address', message: '10.8.0.0/24 overlaps 10.8.0.0/24 on host interface tun0 (10.8.0.2/24).' })]);
  });

  it('suggests the next free subnet', () => {
    const taken = [0, 1, 2].map((third) => parseNetworkXml(`<network><name>n${third}</name><ip address='192.168.10${third}.1' prefix='24'/></network>`));
    const problems = validateNetworkDefinition(natNetwork(), { ...context, otherNetworks: [defaultNetwork, ...taken] });
    expect(problems[0]?.hint).toBe('Choose a subnet nothing else uses, such as 192.168.103.0/24.');
  });
});

describe('validateNetworkDefinition names the field of each problem', () => {
  const withIp = (extra: Partial<IpConfig>, address = '192.168.100.1', prefix = 24) => natNetwork({ ips: [ipv4(address, prefix, extra)] });
  it.each<[string, NetworkDefinition, string]>([
    ['an empty name', natNetwork({ name: '' }), 'name'],
    ['a name with "/"', natNetwork({ name: 'a/b' }), 'name'],
    ['a name with a line break', natNetwork({ name: 'a\nb' }), 'name'],
    ['a name with spaces around it', natNetwork({ name: ' lab ' }), 'name'],
    ['a name over 251 bytes', natNetwork({ name: 'é'.repeat(126) }), 'name'],
    ['a name another network has', natNetwork({ name: 'default' }), 'name'],
    ['a malformed uuid', natNetwork({ uuid: 'nope' }), 'uuid'],
    ['a bridge name over 15 characters', natNetwork({ bridge: { name: 'virbr-much-too-long' } }), 'bridge.name'],
    ['a template that grows over 15 characters', natNetwork({ bridge: { name: 'virbr-longest%d' } }), 'bridge.name'],
    ['a bridge name with ":"', natNetwork({ bridge: { name: 'br:0' } }), 'bridge.name'],
    ['a bridge name with a space', natNetwork({ bridge: { name: 'br 0' } }), 'bridge.name'],
    ['a bridge name with "/"', natNetwork({ bridge: { name: 'br/0' } }), 'bridge.name'],
    ['the bridge name "."', natNetwork({ bridge: { name: '.' } }), 'bridge.name'],
    ['two templates', natNetwork({ bridge: { name: 'br%d%d' } }), 'bridge.name'],
    ['a stray "%"', natNetwork({ bridge: { name: 'br%s' } }), 'bridge.name'],
    ['another network\'s bridge', natNetwork({ bridge: { name: 'virbr0' } }), 'bridge.name'],
    ['an existing host device', natNetwork({ bridge: { name: 'eth0' } }), 'bridge.name'],
    ['a template on a host bridge network', natNetwork({ forward: { mode: 'bridge' }, bridge: { name: 'br%d' }, ips: [] }), 'bridge.name'],
    ['a missing host bridge', natNetwork({ forward: { mode: 'bridge' }, bridge: { name: 'br9' }, ips: [] }), 'bridge.name'],
    ['a host bridge that is no bridge', natNetwork({ forward: { mode: 'bridge' }, bridge: { name: 'eth0' }, ips: [] }), 'bridge.name'],
    ['stp on a host bridge network', natNetwork({ forward: { mode: 'bridge' }, bridge: { name: 'br0', stp: true }, ips: [] }), 'bridge.stp'],
    ['addresses on a host bridge network', natNetwork({ forward: { mode: 'bridge' }, bridge: { name: 'br0' } }), 'ips'],
    ['an MTU on a host bridge network', natNetwork({ forward: { mode: 'bridge' }, bridge: { name: 'br0' }, ips: [], mtu: 9000 }), 'mtu'],
    ['a missing forward dev', natNetwork({ forward: { mode: 'nat', dev: 'eth9' } }), 'forward.dev'],
    ['a forward dev on an open network', natNetwork({ forward: { mode: 'open', dev: 'eth0' } }), 'forward.dev'],
    ['a nat network without addresses', natNetwork({ ips: [] }), 'ips'],
    ['a reversed NAT address range', natNetwork({ forward: { mode: 'nat', nat: { addressRange: { start: '203.0.113.9', end: '203.0.113.1' } } } }), 'forward.nat.addressRange.end'],
    ['an IPv6 NAT address', natNetwork({ forward: { mode: 'nat', nat: { addressRange: { start: 'fd00::1', end: '203.0.113.1' } } } }), 'forward.nat.addressRange.start'],
    ['a NAT port over 65535', natNetwork({ forward: { mode: 'nat', nat: { portRange: { start: 1024, end: 70000 } } } }), 'forward.nat.portRange.end'],
    ['a multicast bridge MAC', natNetwork({ mac: '01:00:5e:00:00:01' }), 'mac'],
    ['a malformed bridge MAC', natNetwork({ mac: '52:54:00' }), 'mac'],
    ['an MTU below 68', natNetwork({ mtu: 60 }), 'mtu'],
    ['a small MTU with IPv6', natNetwork({ mtu: 1200, ips: [{ family: 'ipv6', address: 'fd00:1::1', prefix: 64, dhcpRanges: [], dhcpHosts: [] }] }), 'mtu'],
    ['a bad DNS domain', natNetwork({ domain: 'not a domain' }), 'domain'],
    ['an address that is no address', withIp({}, '192.168.100'), 'ips[0].address'],
    ['the network address as gateway', withIp({ dhcpRanges: [] }, '192.168.100.0'), 'ips[0].address'],
    ['the broadcast address as gateway', withIp({ dhcpRanges: [] }, '192.168.100.255'), 'ips[0].address'],
    ['a loopback address', withIp({}, '127.0.0.1', 8), 'ips[0].address'],
    ['a /32', withIp({}, '192.168.100.1', 32), 'ips[0].prefix'],
    ['a /0', withIp({}, '192.168.100.1', 0), 'ips[0].prefix'],
    ['a prefix over 32', withIp({}, '192.168.100.1', 33), 'ips[0].prefix'],
    ['a DHCP range outside the subnet', withIp({ dhcpRanges: [{ start: '192.168.100.2', end: '192.168.101.9' }] }), 'ips[0].dhcpRanges[0].end'],
    ['a reversed DHCP range', withIp({ dhcpRanges: [{ start: '192.168.100.90', end: '192.168.100.10' }] }), 'ips[0].dhcpRanges[0].end'],
    ['a DHCP range holding the gateway', withIp({ dhcpRanges: [{ start: '192.168.100.1', end: '192.168.100.9' }] }), 'ips[0].dhcpRanges[0].start'],
    ['a DHCP range ending at the broadcast address', withIp({ dhcpRanges: [{ start: '192.168.100.2', end: '192.168.100.255' }] }), 'ips[0].dhcpRanges[0].end'],
    ['a DHCP range starting at the network address', withIp({ dhcpRanges: [{ start: '192.168.100.0', end: '192.168.100.0' }] }, '192.168.100.1', 24), 'ips[0].dhcpRanges[0].start'],
    ['a DHCP range of the wrong family', withIp({ dhcpRanges: [{ start: 'fd00::2', end: '192.168.100.9' }] }), 'ips[0].dhcpRanges[0].start'],
    ['a DHCP range over 65535 addresses', withIp({ dhcpRanges: [{ start: '10.99.0.2', end: '10.100.0.9' }] }, '10.99.0.1', 8), 'ips[0].dhcpRanges[0].end'],
    ['a short DHCP range across a /16 boundary', withIp({ dhcpRanges: [{ start: '10.99.255.250', end: '10.100.0.5' }] }, '10.99.0.1', 8), 'ips[0].dhcpRanges[0].end'],
    ['a DHCPv6 range across a /112 boundary', natNetwork({ ips: [{ family: 'ipv6', address: 'fd00:1::1', prefix: 64, dhcpRanges: [{ start: 'fd00:1::ff00', end: 'fd00:1::1:10' }], dhcpHosts: [] }] }), 'ips[0].dhcpRanges[0].end'],
    ['a lease under 2 minutes', withIp({ dhcpRanges: [{ start: '192.168.100.2', end: '192.168.100.9', leaseSeconds: 60 }] }), 'ips[0].dhcpRanges[0].leaseSeconds'],
    ['a static host outside the subnet', withIp({ dhcpHosts: [{ mac: '52:54:00:00:00:01', ip: '192.168.7.10' }] }), 'ips[0].dhcpHosts[0].ip'],
    ['a static host on the gateway address', withIp({ dhcpHosts: [{ mac: '52:54:00:00:00:01', ip: '192.168.100.1' }] }), 'ips[0].dhcpHosts[0].ip'],
    ['a static host without MAC or name', withIp({ dhcpHosts: [{ ip: '192.168.100.10' }] }), 'ips[0].dhcpHosts[0].mac'],
    ['a static host with a bad name', withIp({ dhcpHosts: [{ name: '-web', ip: '192.168.100.10' }] }), 'ips[0].dhcpHosts[0].name'],
    ['a DHCPv6 host with a MAC', natNetwork({ ips: [{ family: 'ipv6', address: 'fd00:1::1', prefix: 64, dhcpRanges: [], dhcpHosts: [{ mac: '52:54:00:00:00:01', name: 'a', ip: 'fd00:1::9' }] }] }), 'ips[0].dhcpHosts[0].mac'],
    ['a DHCPv6 host without id or name', natNetwork({ ips: [{ family: 'ipv6', address: 'fd00:1::1', prefix: 64, dhcpRanges: [], dhcpHosts: [{ ip: 'fd00:1::9' }] }] }), 'ips[0].dhcpHosts[0].id'],
    ['a DHCPv6 host with a malformed DUID', natNetwork({ ips: [{ family: 'ipv6', address: 'fd00:1::1', prefix: 64, dhcpRanges: [], dhcpHosts: [{ id: 'xyz', ip: 'fd00:1::9' }] }] }), 'ips[0].dhcpHosts[0].id'],
    ['a DHCPv6 host outside the subnet', natNetwork({ ips: [{ family: 'ipv6', address: 'fd00:1::1', prefix: 64, dhcpRanges: [], dhcpHosts: [{ name: 'a', ip: 'fd00:2::9' }] }] }), 'ips[0].dhcpHosts[0].ip'],
    ['a link-local IPv6 address', natNetwork({ ips: [{ family: 'ipv6', address: 'fe80::1', prefix: 64, dhcpRanges: [], dhcpHosts: [] }] }), 'ips[0].address'],
    ['an IPv6 /128', natNetwork({ ips: [{ family: 'ipv6', address: 'fd00:1::1', prefix: 128, dhcpRanges: [], dhcpHosts: [] }] }), 'ips[0].prefix'],
    ['TFTP on IPv6', natNetwork({ ips: [{ family: 'ipv6', address: 'fd00:1::1', prefix: 64, dhcpRanges: [], dhcpHosts: [], tftpRoot: '/srv' }] }), 'ips[0].tftpRoot'],
    ['a relative TFTP root', withIp({ tftpRoot: 'srv/tftp' }), 'ips[0].tftpRoot'],
    ['an empty boot file', withIp({ bootp: { file: ' ' } }), 'ips[0].bootp.file'],
    ['two IPv4 addresses serving DHCP', natNetwork({ ips: [ipv4('192.168.100.1', 24, { dhcpRanges: [{ start: '192.168.100.2', end: '192.168.100.9' }] }), ipv4('192.168.101.1', 24, { dhcpRanges: [{ start: '192.168.101.2', end: '192.168.101.9' }] })] }), 'ips[1].dhcpRanges'],
    ['two addresses serving TFTP', natNetwork({ ips: [ipv4('192.168.100.1', 24, { tftpRoot: '/a' }), ipv4('192.168.101.1', 24, { tftpRoot: '/b' })] }), 'ips[1].tftpRoot'],
    ['an unreachable route gateway', natNetwork({ routes: [{ family: 'ipv4', address: '192.168.222.0', prefix: 24, gateway: '192.168.5.2' }] }), 'routes[0].gateway'],
    ['a route gateway of the wrong family', natNetwork({ routes: [{ family: 'ipv4', address: '192.168.222.0', prefix: 24, gateway: 'fd00::2' }] }), 'routes[0].gateway'],
    ['a route to a bad address', natNetwork({ routes: [{ family: 'ipv4', address: 'nowhere', prefix: 24, gateway: '192.168.100.2' }] }), 'routes[0].address'],
    ['a route with a bad prefix', natNetwork({ routes: [{ family: 'ipv4', address: '192.168.222.0', prefix: 40, gateway: '192.168.100.2' }] }), 'routes[0].prefix'],
    ['DNS records while DNS is off', natNetwork({ dns: { enable: false, forwarders: [{ addr: '9.9.9.9' }], txts: [], srvs: [] } }), 'dns.enable'],
    ['a forwarder that is no address', natNetwork({ dns: { forwarders: [{ addr: 'dns.example' }], txts: [], srvs: [] } }), 'dns.forwarders[0].addr'],
    ['an empty forwarder', natNetwork({ dns: { forwarders: [{}], txts: [], srvs: [] } }), 'dns.forwarders[0].addr'],
    ['a TXT name with a comma', natNetwork({ dns: { forwarders: [], txts: [{ name: 'a,b', value: 'x' }], srvs: [] } }), 'dns.txts[0].name'],
    ['an empty TXT value', natNetwork({ dns: { forwarders: [], txts: [{ name: 'a', value: '' }], srvs: [] } }), 'dns.txts[0].value'],
    ['an SRV service with a space', natNetwork({ dns: { forwarders: [], txts: [], srvs: [{ service: 'my service', protocol: 'tcp' }] } }), 'dns.srvs[0].service'],
    ['an SRV protocol with a dot', natNetwork({ dns: { forwarders: [], txts: [], srvs: [{ service: 'ldap', protocol: 't.cp' }] } }), 'dns.srvs[0].protocol'],
    ['an SRV port 0', natNetwork({ dns: { forwarders: [], txts: [], srvs: [{ service: 'ldap', protocol: 'tcp', target: 'dc', port: 0 }] } }), 'dns.srvs[0].port'],
    ['an SRV weight over 65535', natNetwork({ dns: { forwarders: [], txts: [], srvs: [{ service: 'ldap', protocol: 'tcp', target: 'dc', weight: 70000 }] } }), 'dns.srvs[0].weight'],
    ['an SRV port without target', natNetwork({ dns: { forwarders: [], txts: [], srvs: [{ service: 'ldap', protocol: 'tcp', port: 389 }] } }), 'dns.srvs[0].target'],
    ['a DNS host without names', natNetwork({ dnsHosts: [{ ip: '192.168.100.5', hostnames: [] }] }), 'dnsHosts[0].hostnames'],
    ['a DNS host that is no address', natNetwork({ dnsHosts: [{ ip: 'web', hostnames: ['web'] }] }), 'dnsHosts[0].ip'],
  ])('%s', (_, definition, field) => {
    expect(fieldsOf(errors(validateNetworkDefinition(definition, context)))).toContain(field);
  });

  it('reports duplicate MAC, IP and name on the entry that repeats them', () => {
    const hosts = [
      { mac: '52:54:00:00:00:01', name: 'web', ip: '192.168.100.10' },
      { mac: '52:54:00:00:00:01', name: 'db', ip: '192.168.100.11' },
      { mac: '52:54:00:00:00:03', name: 'web', ip: '192.168.100.12' },
      { mac: '52:54:00:00:00:04', name: 'cache', ip: '192.168.100.10' },
      { name: 'db', ip: '192.168.100.13' },
    ];
    const problems = validateNetworkDefinition(natNetwork({ ips: [ipv4('192.168.100.1', 24, { dhcpHosts: hosts })] }), context);
    expect(fieldsOf(problems)).toEqual([
      'ips[0].dhcpHosts[1].mac',
      'ips[0].dhcpHosts[2].name',
      'ips[0].dhcpHosts[3].ip',
      'ips[0].dhcpHosts[4].name',
    ]);
  });

  it('reports duplicate DHCPv6 ids and addresses', () => {
    const hosts = [
      { id: '0:3:0:1:52:54:0:0:0:1', ip: 'fd00:1::10' },
      { id: '0:3:0:1:52:54:0:0:0:1', ip: 'fd00:1::10' },
    ];
    const definition = natNetwork({ ips: [{ family: 'ipv6', address: 'fd00:1::1', prefix: 64, dhcpRanges: [], dhcpHosts: hosts }] });
    expect(fieldsOf(validateNetworkDefinition(definition, context))).toEqual(['ips[0].dhcpHosts[1].ip', 'ips[0].dhcpHosts[1].id']);
  });

  it('reports a repeated DNS host address', () => {
    const definition = natNetwork({ dnsHosts: [{ ip: '192.168.100.5', hostnames: ['a'] }, { ip: '192.168.100.5', hostnames: ['b'] }] });
    expect(fieldsOf(validateNetworkDefinition(definition, context))).toEqual(['dnsHosts[1].ip']);
  });

  it('flags the IPv6 example of libvirt\'s documentation whose range leaves its subnet', () => {
    const net7 = parseNetworkXml(readFixture('network/docs-net7.xml'));
    expect(fieldsOf(errors(validateNetworkDefinition(net7, { isNew: true, otherNetworks: [] })))).toEqual([
      'ips[0].dhcpRanges[0].end',
      'ips[0].dhcpHosts[0].ip',
    ]);
  });
});

describe('validateNetworkDefinition warnings', () => {
  it('warns about an IPv6 prefix other than /64', () => {
    const definition = natNetwork({ ips: [{ family: 'ipv6', address: 'fd00:1::1', prefix: 56, dhcpRanges: [], dhcpHosts: [] }] });
    expect(validateNetworkDefinition(definition, context)).toEqual([expect.objectContaining({ field: 'ips[0].prefix', severity: 'warning' })]);
  });

  it('warns when the host interfaces are unknown', () => {
    const remote = { isNew: true, otherNetworks: [defaultNetwork] };
    expect(validateNetworkDefinition(natNetwork({ forward: { mode: 'route', dev: 'eth0' } }), remote)).toEqual([
      expect.objectContaining({ field: 'forward.dev', severity: 'warning' }),
    ]);
    expect(validateNetworkDefinition(natNetwork({ forward: { mode: 'bridge' }, bridge: { name: 'br0' }, ips: [] }), remote)).toEqual([
      expect.objectContaining({ field: 'bridge.name', severity: 'warning' }),
    ]);
  });
});

describe('read-only networks', () => {
  it.each([
    ['vepa-net.xml', 'Switchyard shows macvtap (vepa) networks read-only.'],
    ['8021Qbh-net.xml', 'Switchyard shows macvtap (private) networks read-only.'],
    ['passthrough-pf.xml', 'Switchyard shows macvtap (passthrough) networks read-only.'],
    ['docs-direct-macvtap.xml', 'Switchyard shows macvtap (bridge) networks read-only.'],
    ['hostdev.xml', 'Switchyard shows hostdev (SR-IOV) networks read-only.'],
    ['openvswitch-net.xml', 'Switchyard shows Open vSwitch networks read-only.'],
    ['docs-ovs-net.xml', 'Switchyard shows Open vSwitch networks read-only.'],
  ])('%s is read-only and cannot be applied', (path, reason) => {
    const definition = parseNetworkXml(readFixture(`network/${path}`));
    expect(readOnlyReason(definition)).toBe(reason);
    expect(validateNetworkDefinition(definition, context)).toEqual([expect.objectContaining({ field: 'forward.mode', message: reason })]);
  });

  it.each(['default-live.xml', 'host-bridge-net.xml', 'isolated-network.xml', 'open-network.xml', 'routed-network.xml'])('%s is editable', (path) => {
    expect(readOnlyReason(parseNetworkXml(readFixture(`network/${path}`)))).toBeUndefined();
  });
});

describe('toSwitchyardError', () => {
  it('turns the first error into an invalid-input error, skipping warnings', () => {
    const problems: FieldProblem[] = [
      { field: 'ips[0].prefix', message: 'warned', hint: 'h1', severity: 'warning' },
      { field: 'name', message: 'The network has no name.', hint: 'Give it a name.', severity: 'error' },
      { field: 'mtu', message: 'second', hint: 'h2', severity: 'error' },
    ];
    expect(toSwitchyardError(problems)?.value).toEqual({ code: 'invalid-input', field: 'name', message: 'The network has no name.', hint: 'Give it a name.' });
  });

  it('has nothing to say without errors', () => {
    expect(toSwitchyardError([{ field: 'ips[0].prefix', message: 'w', hint: 'h', severity: 'warning' }])).toBeUndefined();
    expect(toSwitchyardError([])).toBeUndefined();
  });
});

describe('editIdentityProblems', () => {
  const own = { name: 'default', uuid: '295817da-d612-4cd3-998f-7fd85ade1325' };

  it('accepts the same name with the same UUID (in any case) or none', () => {
    expect(editIdentityProblems({ ...defaultNetwork, uuid: own.uuid.toUpperCase() }, own)).toEqual([]);
    expect(editIdentityProblems({ ...defaultNetwork, uuid: '' }, own)).toEqual([]);
  });

  it('refuses XML that would define another network: another name or UUID', () => {
    const renamed = editIdentityProblems({ ...defaultNetwork, name: 'other', uuid: '00000000-0000-0000-0000-000000000001' }, own);
    expect(fieldsOf(renamed)).toEqual(['name', 'uuid']);
    expect(renamed[0]?.hint).toBe('Keep <name>default</name>; to rename a network, create a new one and move its NICs.');
  });
});
