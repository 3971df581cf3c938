import { describe, expect, it } from 'vitest';
import { NetworkSchema } from '../model';
import { parseNetworkXml } from './network-xml';
import { fixturePaths, readFixture, switchyardError } from './test-support';

function network(body: string): string {
  return `<network><name>test</name>${body}</network>`;
}

/** What a network without <dns> has. */
const NO_DNS = { forwarders: [], txts: [], srvs: [] };

describe('parseNetworkXml on libvirt fixtures', () => {
  it.each(fixturePaths('network'))('%s fits the Network schema', (path) => {
    const definition = parseNetworkXml(readFixture(path));
    expect(() => NetworkSchema.parse({ ...definition, active: false, autostart: false, persistent: true })).not.toThrow();
  });

  it('reads the default network: <forward/> means nat, netmask becomes a prefix', () => {
    expect(parseNetworkXml(readFixture('network/default.xml'))).toEqual({
      name: 'default',
      uuid: '',
      forward: { mode: 'nat' },
      bridge: { name: 'virbr0' },
      ips: [
        {
          family: 'ipv4',
          address: '192.168.122.1',
          prefix: 24,
          dhcpRanges: [{ start: '192.168.122.2', end: '192.168.122.254' }],
          dhcpHosts: [],
        },
      ],
      dnsHosts: [],
      dns: NO_DNS,
      routes: [],
    });
  });

  it('reads the live default network with stp, delay, MAC and a NAT port range', () => {
    const definition = parseNetworkXml(readFixture('network/default-live.xml'));
    expect(definition).toMatchObject({
      name: 'default',
      uuid: '3e3fce45-4f53-4fa7-bb32-11f34168b82b',
      forward: { mode: 'nat' },
      bridge: { name: 'virbr0', stp: true, delay: 0 },
      mac: '52:54:00:0a:cd:21',
    });
  });

  it('reads what the test driver reports', () => {
    expect(parseNetworkXml(readFixture('network/test-driver-default.xml'))).toEqual({
      name: 'default',
      uuid: 'dd8fe884-6c02-601e-7551-cca97df1c5df',
      forward: { mode: 'nat' },
      bridge: { name: 'virbr0', stp: true, delay: 0 },
      ips: [
        {
          family: 'ipv4',
          address: '192.168.122.1',
          prefix: 24,
          dhcpRanges: [{ start: '192.168.122.2', end: '192.168.122.254' }],
          dhcpHosts: [],
        },
      ],
      dnsHosts: [],
      dns: NO_DNS,
      routes: [],
    });
    expect(parseNetworkXml(readFixture('network/test-driver-lab-net.xml'))).toMatchObject({
      name: 'lab net',
      forward: { mode: 'route' },
      ips: [{ family: 'ipv4', address: '10.9.0.1', prefix: 24 }],
    });
  });

  it('reads a NAT network restricted to one uplink, with static hosts', () => {
    expect(parseNetworkXml(readFixture('network/nat-network.xml'))).toEqual({
      name: 'default',
      uuid: '81ff0d90-c91e-6742-64da-4a736edb9a9b',
      forward: { mode: 'nat', dev: 'eth1' },
      bridge: { name: 'virbr0' },
      ips: [
        {
          family: 'ipv4',
          address: '192.168.122.1',
          prefix: 24,
          dhcpRanges: [{ start: '192.168.122.2', end: '192.168.122.254' }],
          dhcpHosts: [
            { mac: '00:16:3e:77:e2:ed', name: 'a.example.com', ip: '192.168.122.10' },
            { mac: '00:16:3e:3e:a9:1a', name: 'b.example.com', ip: '192.168.122.11' },
          ],
        },
      ],
      dnsHosts: [],
      dns: NO_DNS,
      routes: [],
    });
  });

  it('reads routed, open and isolated networks', () => {
    expect(parseNetworkXml(readFixture('network/routed-network.xml')).forward).toEqual({ mode: 'route', dev: 'eth1' });
    const open = parseNetworkXml(readFixture('network/open-network.xml'));
    expect(open.forward).toEqual({ mode: 'open' });
    expect(open.mac).toBe('12:34:56:78:9a:bc');
    const isolated = parseNetworkXml(readFixture('network/isolated-network.xml'));
    expect(isolated.forward).toEqual({ mode: 'isolated' });
    expect(isolated.mac).toBe('52:54:00:17:3f:37');
  });

  it("reads mode='none' as isolated", () => {
    expect(parseNetworkXml(network("<forward mode='none'/>")).forward).toEqual({ mode: 'isolated' });
  });

  it('reads networks without addresses: host bridge, macvtap, passthrough, hostdev', () => {
    expect(parseNetworkXml(readFixture('network/host-bridge-net.xml'))).toEqual({
      name: 'host-bridge-net',
      uuid: '81ff0d90-c91e-6742-64da-4a736edb9a8e',
      forward: { mode: 'bridge' },
      bridge: { name: 'br0' },
      ips: [],
      dnsHosts: [],
      dns: NO_DNS,
      routes: [],
    });
    const vepa = parseNetworkXml(readFixture('network/vepa-net.xml'));
    expect(vepa.forward).toEqual({ mode: 'vepa' });
    expect(vepa.bridge).toBeUndefined();
    expect(parseNetworkXml(readFixture('network/passthrough-pf.xml')).forward).toEqual({ mode: 'passthrough' });
    expect(parseNetworkXml(readFixture('network/hostdev.xml'))).toEqual({
      name: 'hostdev',
      uuid: '81ff0d90-c91e-6742-64da-4a736edb9a9b',
      forward: { mode: 'hostdev' },
      ips: [],
      dnsHosts: [],
      dns: NO_DNS,
      routes: [],
    });
  });

  it('reads DNS host entries with all their names', () => {
    const definition = parseNetworkXml(
      network(
        "<dns><host ip='192.168.122.2'><hostname>myhost</hostname><hostname>myhostalias</hostname></host>" +
          "<host ip='fd00::5'><hostname>v6host</hostname></host></dns>",
      ),
    );
    expect(definition.dnsHosts).toEqual([
      { ip: '192.168.122.2', hostnames: ['myhost', 'myhostalias'] },
      { ip: 'fd00::5', hostnames: ['v6host'] },
    ]);
  });

  it('refuses a DNS host entry without a usable ip, naming the entry', () => {
    expect(() => parseNetworkXml(network("<dns><host ip='10.0.0.1'><hostname>a</hostname></host><host ip='nope'/></dns>"))).toThrow(
      switchyardError('invalid-xml', 'dns.host[1].ip'),
    );
  });

  it('reads IPv6 with DHCPv6 hosts identified by DUID or name', () => {
    const { ips, bridge, mac } = parseNetworkXml(readFixture('network/dhcp6host-routed-network.xml'));
    expect(bridge).toEqual({ name: 'virbr1', stp: true, delay: 0 });
    expect(mac).toBe('12:34:56:78:9a:bc');
    expect(ips[1]).toEqual({
      family: 'ipv6',
      address: '2001:db8:ac10:fd01::1',
      prefix: 64,
      dhcpRanges: [],
      dhcpHosts: [
        { id: '0:4:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63', ip: '2001:db8:ac10:fd01::1:20' },
        { name: 'paul', ip: '2001:db8:ac10:fd01::1:21' },
        { id: '0:3:0:1:0:16:3e:11:22:33', name: 'peter.xyz', ip: '2001:db8:ac10:fd01::1:22' },
        { id: '0:3:0:1:0:16:3e:44:55:33', ip: '2001:db8:ac10:fd01::1:23' },
        { id: '0:1:0:1:18:aa:62:fe:0:16:3e:44:55:66', name: 'badbob', ip: '2001:db8:ac10:fd01::1:24' },
      ],
    });
  });

  it('reads every <ip> in order, with the natural prefix where none is given', () => {
    const { ips } = parseNetworkXml(readFixture('network/dhcp6-nat-network.xml'));
    expect(ips.map(({ family, address, prefix }) => `${family} ${address}/${prefix}`)).toEqual([
      'ipv4 192.168.122.1/24',
      'ipv4 192.168.123.1/24',
      'ipv6 2001:db8:ac10:fd01::1/64',
      'ipv4 10.24.10.1/8',
    ]);
    expect(ips[2]?.dhcpRanges).toEqual([{ start: '2001:db8:ac10:fd01::1:10', end: '2001:db8:ac10:fd01::1:ff' }]);
  });

  it.each([
    ['172.20.0.1', 16],
    ['192.0.2.1', 24],
  ])('gives %s without prefix or netmask its class prefix /%i', (address, prefix) => {
    expect(parseNetworkXml(network(`<ip address='${address}'/>`)).ips[0]?.prefix).toBe(prefix);
  });

  it('defaults an IPv6 <ip> without prefix to /64', () => {
    expect(parseNetworkXml(network("<ip family='ipv6' address='fd00::1'/>")).ips[0]?.prefix).toBe(64);
  });

  it('reads a NAT port-range network that has no uuid yet', () => {
    const definition = parseNetworkXml(readFixture('network/nat-port-range.xml'));
    expect(definition.uuid).toBe('');
    expect(definition.forward).toEqual({ mode: 'nat', nat: { portRange: { start: 500, end: 1000 } } });
    expect(definition.ips).toHaveLength(3);
    expect(definition.ips[2]).toMatchObject({ family: 'ipv6', prefix: 64 });
  });

  it('reads the MTU', () => {
    expect(parseNetworkXml(readFixture('network/nat-network-mtu.xml')).mtu).toBe(7000);
  });

  it('ignores the dnsmasq:options namespace and other unknown elements', () => {
    const definition = parseNetworkXml(readFixture('network/dnsmasq-options.xml'));
    expect(definition.name).toBe('default');
    expect(definition.ips).toHaveLength(1);
    expect(parseNetworkXml(network('<dns><host ip="10.0.0.2"><hostname>a</hostname></host></dns><unknown/>')).ips).toEqual([]);
  });

  it.each([
    ['leasetime-seconds', 200],
    ['leasetime-minutes', 600],
    ['leasetime-hours', 3600],
    ['leasetime-infinite', 0],
  ])('converts the range lease of %s to %i seconds', (name, seconds) => {
    const { ips } = parseNetworkXml(readFixture(`network/${name}.xml`));
    expect(ips[0]?.dhcpRanges).toEqual([{ start: '192.168.122.2', end: '192.168.122.254', leaseSeconds: seconds }]);
  });

  it('reads a lease expiry without unit as minutes, as libvirt does', () => {
    const xml = network("<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.9'><lease expiry='5'/></range></dhcp></ip>");
    expect(parseNetworkXml(xml).ips[0]?.dhcpRanges[0]?.leaseSeconds).toBe(300);
  });

  it('reads stp off and the domain name', () => {
    const definition = parseNetworkXml(network("<bridge name='virbr7' stp='off' delay='2'/><domain name='example.com' localOnly='yes'/>"));
    expect(definition.bridge).toEqual({ name: 'virbr7', stp: false, delay: 2 });
    expect(definition.domain).toBe('example.com');
  });

  it('trims the name and accepts names with spaces', () => {
    expect(parseNetworkXml('<network><name>\n  lab net \n</name></network>').name).toBe('lab net');
  });
});

describe('parseNetworkXml on the model issue 3 added', () => {
  it('reads the NAT address range, port range and IPv6 masquerading', () => {
    expect(parseNetworkXml(readFixture('network/nat-network-forward-nat-address.xml')).forward).toEqual({
      mode: 'nat',
      dev: 'eth1',
      nat: { addressRange: { start: '10.20.30.40', end: '10.20.30.44' }, portRange: { start: 60000, end: 65432 } },
    });
    expect(parseNetworkXml(readFixture('network/nat-network-forward-nat-ipv6.xml')).forward).toEqual({ mode: 'nat', nat: { ipv6: true } });
    expect(parseNetworkXml(readFixture('network/default-live.xml')).forward).toEqual({
      mode: 'nat',
      nat: { portRange: { start: 1024, end: 65535 } },
    });
  });

  it('reads the MAC table manager, the local-only domain and the virtualport type', () => {
    expect(parseNetworkXml(readFixture('network/nat-network-explicit-flood.xml')).bridge).toEqual({ name: 'virbr0', macTableManager: 'kernel' });
    expect(parseNetworkXml(readFixture('network/nat-network-dns-local-domain.xml'))).toMatchObject({ domain: 'example.com', domainLocalOnly: true });
    expect(parseNetworkXml(readFixture('network/openvswitch-net.xml')).virtualPortType).toBe('openvswitch');
    expect(parseNetworkXml(readFixture('network/vepa-net.xml')).virtualPortType).toBe('802.1Qbg');
  });

  it('reads bootp and the TFTP root', () => {
    expect(parseNetworkXml(readFixture('network/netboot-network.xml')).ips[0]).toEqual({
      family: 'ipv4',
      address: '192.168.122.1',
      prefix: 24,
      dhcpRanges: [{ start: '192.168.122.2', end: '192.168.122.254' }],
      dhcpHosts: [],
      bootp: { file: 'pxeboot.img' },
      tftpRoot: '/var/lib/tftproot',
    });
    expect(parseNetworkXml(readFixture('network/netboot-proxy-network.xml')).ips[0]?.bootp).toEqual({ file: 'pxeboot.img', server: '10.20.30.40' });
  });

  it('reads lease times of static hosts', () => {
    const { ips } = parseNetworkXml(readFixture('network/leasetime-hours.xml'));
    expect(ips[0]?.dhcpHosts.map((host) => host.leaseSeconds)).toEqual([7200, 10800]);
  });

  it('reads DNS forwarders, TXT and SRV records, and the DNS switches', () => {
    expect(parseNetworkXml(readFixture('network/nat-network-dns-forwarders.xml')).dns).toEqual({
      forwarders: [{ addr: '8.8.8.8' }, { addr: '8.8.4.4' }, { domain: 'example.com', addr: '192.168.1.1' }, { domain: 'www.example.com' }],
      txts: [],
      srvs: [],
    });
    expect(parseNetworkXml(readFixture('network/nat-network-dns-txt-record.xml')).dns.txts).toEqual([{ name: 'example', value: 'example value' }]);
    expect(parseNetworkXml(readFixture('network/nat-network-dns-srv-records.xml')).dns.srvs).toEqual([
      { service: 'name', protocol: 'tcp', domain: 'test-domain-name', target: '.', port: 1024, priority: 10, weight: 10 },
      { service: 'name', protocol: 'tcp', domain: 'donkey', target: '.', port: 404, priority: 10, weight: 10 },
    ]);
    expect(parseNetworkXml(readFixture('network/nat-network-dns-srv-record-minimal.xml')).dns.srvs).toEqual([{ service: 'name', protocol: 'tcp' }]);
    expect(parseNetworkXml(readFixture('network/routed-network-no-dns.xml')).dns).toEqual({ ...NO_DNS, enable: false });
    const hosts = parseNetworkXml(readFixture('network/nat-network-dns-hosts.xml'));
    expect(hosts.dns).toEqual({ ...NO_DNS, forwardPlainNames: false });
    expect(hosts.dnsHosts).toHaveLength(4);
  });

  it('reads static routes with their family, prefix and metric', () => {
    expect(parseNetworkXml(readFixture('network/docs-static-routes.xml')).routes).toEqual([
      { family: 'ipv4', address: '192.168.222.0', prefix: 24, gateway: '192.168.122.2' },
      { family: 'ipv6', address: '2001:db8:ca2:3::', prefix: 64, gateway: '2001:db8:ca2:2::2' },
      { family: 'ipv6', address: '2001:db9:4:1::', prefix: 64, gateway: '2001:db8:ca2:2::3', metric: 2 },
    ]);
    expect(parseNetworkXml(network("<route address='10.0.0.0' netmask='255.255.0.0' gateway='10.1.0.2'/>")).routes[0]?.prefix).toBe(16);
  });

  it.each([
    ['a bad ipv6 setting on <nat>', "<forward mode='nat'><nat ipv6='maybe'/></forward>", 'forward.nat.ipv6'],
    ['a NAT address range without end', "<forward mode='nat'><nat><address start='1.2.3.4'/></nat></forward>", 'forward.nat.address.end'],
    ['an IPv6 NAT address', "<forward mode='nat'><nat><address start='fd00::1' end='fd00::2'/></nat></forward>", 'forward.nat.address.start'],
    ['a NAT port over 65535', "<forward mode='nat'><nat><port start='1024' end='70000'/></nat></forward>", 'forward.nat.port.end'],
    ['a NAT port range without start', "<forward mode='nat'><nat><port end='1000'/></nat></forward>", 'forward.nat.port.start'],
    ['an unknown MAC table manager', "<bridge name='virbr0' macTableManager='switch'/>", 'bridge.macTableManager'],
    ['a bad localOnly', "<domain name='a' localOnly='sometimes'/>", 'domain.localOnly'],
    ['a bad dns enable', "<dns enable='on'/>", 'dns.enable'],
    ['a bad forwardPlainNames', "<dns forwardPlainNames='1'/>", 'dns.forwardPlainNames'],
    ['an empty forwarder', '<dns><forwarder/></dns>', 'dns.forwarder[0]'],
    ['a forwarder that is no address', "<dns><forwarder addr='dns.example'/></dns>", 'dns.forwarder[0].addr'],
    ['a TXT record without value', "<dns><txt name='a'/></dns>", 'dns.txt[0].value'],
    ['an SRV record without protocol', "<dns><srv service='ldap'/></dns>", 'dns.srv[0].protocol'],
    ['an SRV port that is no number', "<dns><srv service='ldap' protocol='tcp' port='ldap'/></dns>", 'dns.srv[0].port'],
    ['a route without gateway', "<route address='10.0.0.0' prefix='8'/>", 'route[0].gateway'],
    ['a route of the wrong family', "<route family='ipv6' address='10.0.0.0' prefix='8' gateway='fd00::1'/>", 'route[0].address'],
    ['a route with a bad metric', "<route address='10.0.0.0' prefix='8' gateway='10.1.1.1' metric='low'/>", 'route[0].metric'],
    ['a bootp without file', "<ip address='10.0.0.1' prefix='24'><dhcp><bootp server='10.0.0.2'/></dhcp></ip>", 'ip[0].dhcp.bootp.file'],
    ['a host lease in unknown units', "<ip address='10.0.0.1' prefix='24'><dhcp><host mac='52:54:00:00:00:01' ip='10.0.0.5'><lease expiry='1' unit='weeks'/></host></dhcp></ip>", 'ip[0].dhcp.host[0].lease.unit'],
  ])('rejects %s', (_, body, field) => {
    expect(() => parseNetworkXml(network(body))).toThrow(switchyardError('invalid-xml', field));
  });
});

describe('parseNetworkXml on malformed input', () => {
  it.each([
    ['not XML', 'this is not xml'],
    ['empty input', ''],
    ['truncated XML', readFixture('network/nat-network.xml').slice(0, 200)],
    ['mismatched tags', '<network><name>a</nam></network>'],
    ['two roots', '<network/><network/>'],
    ['an undefined entity', '<network><name>&oops;</name></network>'],
  ])('rejects %s', (_, xml) => {
    expect(() => parseNetworkXml(xml)).toThrow(switchyardError('invalid-xml'));
  });

  it('rejects a document that is not a <network>', () => {
    expect(() => parseNetworkXml(readFixture('domain/test-driver-test.xml'))).toThrow(/Expected a <network> document, got <domain>/);
  });

  it.each([
    ['no <name>', '<network><uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid></network>'],
    ['a blank <name>', '<network><name>  </name></network>'],
    ['a name with "/"', '<network><name>a/b</name></network>'],
    ['a huge name', `<network><name>${'n'.repeat(10_000)}</name></network>`],
    ['a name over 251 UTF-8 bytes', `<network><name>${'é'.repeat(126)}</name></network>`],
  ])('rejects %s', (_, xml) => {
    expect(() => parseNetworkXml(xml)).toThrow(switchyardError('invalid-xml', 'name'));
  });

  it('accepts a name of exactly 251 bytes', () => {
    expect(parseNetworkXml(`<network><name>${'n'.repeat(251)}</name></network>`).name).toHaveLength(251);
  });

  it.each([
    ['a malformed uuid', "<uuid>not-a-uuid</uuid>", 'uuid'],
    ['an unknown forward mode', "<forward mode='tunnel'/>", 'forward.mode'],
    ['"isolated", which libvirt does not know', "<forward mode='isolated'/>", 'forward.mode'],
    ['an inherited object key as forward mode', "<forward mode='toString'/>", 'forward.mode'],
    ['a bad stp value', "<bridge name='virbr0' stp='yes'/>", 'bridge.stp'],
    ['a negative delay', "<bridge name='virbr0' delay='-1'/>", 'bridge.delay'],
    ['a non-numeric MTU', "<mtu size='jumbo'/>", 'mtu.size'],
    ['a bad bridge MAC', "<mac address='52:54:00:zz:00:01'/>", 'mac.address'],
    ['an <ip> without address', '<ip netmask="255.255.255.0"/>', 'ip[0].address'],
    ['an unknown family', "<ip family='ipx' address='10.0.0.1'/>", 'ip[0].family'],
    ['an IPv6 address without family', "<ip address='fd00::1' prefix='64'/>", 'ip[0].address'],
    ['an IPv4 address in an IPv6 <ip>', "<ip family='ipv6' address='10.0.0.1' prefix='64'/>", 'ip[0].address'],
    ['a non-contiguous netmask', "<ip address='10.0.0.1' netmask='255.0.255.0'/>", 'ip[0].netmask'],
    ['a netmask that is no address', "<ip address='10.0.0.1' netmask='/24'/>", 'ip[0].netmask'],
    ['prefix and netmask together', "<ip address='10.0.0.1' prefix='24' netmask='255.255.255.0'/>", 'ip[0].netmask'],
    ['a netmask on IPv6', "<ip family='ipv6' address='fd00::1' netmask='255.255.255.0'/>", 'ip[0].netmask'],
    ['an IPv4 prefix over 32', "<ip address='10.0.0.1' prefix='33'/>", 'ip[0].prefix'],
    ['an IPv6 prefix over 128', "<ip family='ipv6' address='fd00::1' prefix='129'/>", 'ip[0].prefix'],
    ['a negative prefix', "<ip address='10.0.0.1' prefix='-1'/>", 'ip[0].prefix'],
    ['a prefix that is no number', "<ip address='10.0.0.1' prefix='twenty'/>", 'ip[0].prefix'],
    ['a multicast address without prefix', "<ip address='224.0.0.1'/>", 'ip[0].prefix'],
  ])('rejects %s', (_, body, field) => {
    expect(() => parseNetworkXml(network(body))).toThrow(switchyardError('invalid-xml', field));
  });

  it('names the failing <ip> and range by index', () => {
    const xml = network(
      "<ip address='10.0.0.1' prefix='24'/>" +
        "<ip address='10.1.0.1' netmask='255.255.0.255'/>",
    );
    expect(() => parseNetworkXml(xml)).toThrow(switchyardError('invalid-xml', 'ip[1].netmask'));
    const rangeXml = network(
      "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.3'/><range start='10.0.0.9'/></dhcp></ip>",
    );
    expect(() => parseNetworkXml(rangeXml)).toThrow(switchyardError('invalid-xml', 'ip[0].dhcp.range[1].end'));
  });

  it.each([
    ['a range address of the wrong family', "<range start='fd00::2' end='10.0.0.9'/>", 'ip[0].dhcp.range[0].start'],
    ['a lease unit libvirt does not know', "<range start='10.0.0.2' end='10.0.0.9'><lease expiry='1' unit='days'/></range>", 'ip[0].dhcp.range[0].lease.unit'],
    ['a lease expiry that is no number', "<range start='10.0.0.2' end='10.0.0.9'><lease expiry='soon'/></range>", 'ip[0].dhcp.range[0].lease.expiry'],
    ['a host without ip', "<host mac='52:54:00:00:00:01' name='a'/>", 'ip[0].dhcp.host[0].ip'],
    ['a host with a bad MAC', "<host mac='52:54:00:00:01' ip='10.0.0.5'/>", 'ip[0].dhcp.host[0].mac'],
  ])('rejects %s', (_, dhcp, field) => {
    const xml = network(`<ip address='10.0.0.1' prefix='24'><dhcp>${dhcp}</dhcp></ip>`);
    expect(() => parseNetworkXml(xml)).toThrow(switchyardError('invalid-xml', field));
  });
});
