import { describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../libvirt/network-xml';
import type { Lease, Network } from '../model';
import {
  dhcpHostProblems,
  dhcpHostXml,
  dnsHostProblems,
  dnsHostXml,
  ipv4ConfigFor,
  isHostname,
  markReservedLeases,
  normalizeDhcpHost,
  throwFirstProblem,
} from './host-entries';

const network: Network = {
  ...parseNetworkXml(`<network>
  <name>default</name>
  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
  <bridge name='virbr0'/>
  <dns>
    <host ip='192.168.122.2'><hostname>printer</hostname><hostname>lp</hostname></host>
  </dns>
  <ip family='ipv6' address='2001:db8:ca2:2::1' prefix='64'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.100' end='192.168.122.254'/>
      <host mac='52:54:00:00:00:10' name='web' ip='192.168.122.10'/>
    </dhcp>
  </ip>
  <ip address='10.9.0.1' prefix='16'/>
</network>`),
  active: true,
  autostart: true,
  persistent: true,
};

const fields = (problems: { field?: string }[]) => problems.map((p) => p.field);

describe('dhcpHostProblems', () => {
  it('accepts a free address inside a subnet, with or without a name', () => {
    expect(dhcpHostProblems(network, { mac: '52:54:00:AA:00:01', ip: '192.168.122.50', name: 'db' })).toEqual([]);
    expect(dhcpHostProblems(network, { mac: '52:54:00:aa:00:01', ip: '10.9.200.3' })).toEqual([]);
  });

  it.each([
    ['a MAC that is not one', { mac: '52:54:00:aa:01', ip: '192.168.122.50' }, 'mac', /not a MAC/],
    ['a MAC that already has a reservation', { mac: '52:54:00:00:00:10', ip: '192.168.122.50' }, 'mac', /already has a reservation/],
    ['an address outside every subnet', { mac: '52:54:00:aa:00:01', ip: '192.168.1.5' }, 'ip', /outside the network's subnet 192\.168\.122\.0\/24 or 10\.9\.0\.0\/16/],
    ['the gateway', { mac: '52:54:00:aa:00:01', ip: '192.168.122.1' }, 'ip', /gateway/],
    ['the network address', { mac: '52:54:00:aa:00:01', ip: '192.168.122.0' }, 'ip', /network address/],
    ['the broadcast address', { mac: '52:54:00:aa:00:01', ip: '192.168.122.255' }, 'ip', /broadcast address/],
    ['a reserved address', { mac: '52:54:00:aa:00:01', ip: '192.168.122.10' }, 'ip', /already reserved for 52:54:00:00:00:10/],
    ['an IPv6 address', { mac: '52:54:00:aa:00:01', ip: '2001:db8:ca2:2::5' }, 'ip', /IPv4 only/],
    ['text that is no address', { mac: '52:54:00:aa:00:01', ip: 'nope' }, 'ip', /not an IPv4 address/],
    ['a taken name', { mac: '52:54:00:aa:00:01', ip: '192.168.122.50', name: 'web' }, 'name', /already reserved/],
    ['a name with a comma', { mac: '52:54:00:aa:00:01', ip: '192.168.122.50', name: 'a,b' }, 'name', /not a valid host name/],
  ])('refuses %s at its field', (_what, input, field, message) => {
    const problems = dhcpHostProblems(network, input);
    expect(fields(problems)).toEqual([field]);
    expect(problems[0]?.message).toMatch(message);
    expect(problems[0]?.hint?.length).toBeGreaterThan(0);
  });

  it('reports every bad field at once', () => {
    expect(fields(dhcpHostProblems(network, { mac: 'x', ip: 'y', name: '-z' }))).toEqual(['mac', 'ip', 'name']);
  });

  it('lets an edited entry keep its own MAC, address and name', () => {
    const existing = network.ips[1]!.dhcpHosts[0]!;
    expect(dhcpHostProblems(network, { mac: '52:54:00:00:00:10', ip: '192.168.122.11', name: 'web' }, existing)).toEqual([]);
  });

  it('refuses a network without IPv4', () => {
    const v6only = { ...network, ips: network.ips.filter((ip) => ip.family === 'ipv6') };
    expect(dhcpHostProblems(v6only, { mac: '52:54:00:aa:00:01', ip: '192.168.122.50' })[0]?.message).toMatch(/no IPv4 subnet/);
  });

  it('throws the first problem as a SwitchyardError', () => {
    expect(() => throwFirstProblem(dhcpHostProblems(network, { mac: 'x', ip: '192.168.122.50' }))).toThrow(/not a MAC/);
    expect(() => throwFirstProblem([])).not.toThrow();
  });
});

describe('ipv4ConfigFor', () => {
  it('finds the <ip> holding an address, with its index among all <ip> elements', () => {
    expect(ipv4ConfigFor(network, '192.168.122.77')?.index).toBe(1);
    expect(ipv4ConfigFor(network, '10.9.255.254')?.index).toBe(2);
    expect(ipv4ConfigFor(network, '10.10.0.1')).toBeUndefined();
    expect(ipv4ConfigFor(network, 'bad')).toBeUndefined();
  });
});

describe('dnsHostProblems', () => {
  it('accepts a new address with names', () => {
    expect(dnsHostProblems(network, { ip: '192.168.122.60', hostnames: ['nas', 'files.lab'] })).toEqual([]);
    expect(dnsHostProblems(network, { ip: '2001:db8::9', hostnames: ['v6'] })).toEqual([]);
  });

  it.each([
    ['a bad address', { ip: '300.1.1.1', hostnames: ['a'] }, 'ip'],
    ['an address that has an entry', { ip: '192.168.122.2', hostnames: ['other'] }, 'ip'],
    ['no names', { ip: '192.168.122.60', hostnames: [' '] }, 'hostnames'],
    ['a bad name', { ip: '192.168.122.60', hostnames: ['ok', 'not ok!'] }, 'hostnames'],
    ['a name another entry has', { ip: '192.168.122.60', hostnames: ['lp'] }, 'hostnames'],
    ['a name given twice', { ip: '192.168.122.60', hostnames: ['a', 'a'] }, 'hostnames'],
  ])('refuses %s at its field', (_what, input, field) => {
    expect(fields(dnsHostProblems(network, input))).toEqual([field]);
  });

  it('lets an edited entry keep its address and names', () => {
    expect(dnsHostProblems(network, { ip: '192.168.122.2', hostnames: ['printer'] }, network.dnsHosts[0])).toEqual([]);
  });
});

describe('XML for net-update', () => {
  it('writes the DHCP host with escaped values', () => {
    expect(dhcpHostXml(normalizeDhcpHost({ mac: '52:54:00:AA:00:01 ', ip: ' 192.168.122.50', name: '' }))).toBe(
      "<host mac='52:54:00:aa:00:01' ip='192.168.122.50'/>",
    );
    expect(dhcpHostXml({ mac: '52:54:00:aa:00:01', name: "a'b", ip: '10.0.0.2' })).toBe(
      "<host mac='52:54:00:aa:00:01' name='a&#39;b' ip='10.0.0.2'/>",
    );
  });

  it('writes the DNS host with one <hostname> per name', () => {
    expect(dnsHostXml({ ip: '192.168.122.60', hostnames: ['nas', 'a<b'] })).toBe(
      "<host ip='192.168.122.60'><hostname>nas</hostname><hostname>a&#60;b</hostname></host>",
    );
  });
});

describe('isHostname', () => {
  it('takes DNS labels and refuses the rest', () => {
    expect(['web', 'web-1', 'a.b.c', 'X9'].every(isHostname)).toBe(true);
    expect(['', '-a', 'a-', 'a..b', 'a b', 'a_b', 'x'.repeat(64)].some(isHostname)).toBe(false);
  });
});

describe('markReservedLeases', () => {
  const lease = (ip: string, mac: string): Lease => ({
    network: 'default',
    family: 'ipv4',
    ip,
    mac,
    expiresAt: 0,
    reserved: false,
    source: 'libvirt-status',
  });

  it('marks a lease whose MAC and address a host entry pins, and nothing else', () => {
    const marked = markReservedLeases(
      [lease('192.168.122.10', '52:54:00:00:00:10'), lease('192.168.122.150', '52:54:00:00:00:10'), lease('192.168.122.151', '52:54:00:00:00:11')],
      [network],
    );
    expect(marked.map((l) => l.reserved)).toEqual([true, false, false]);
  });

  it('marks nothing on a network it does not know', () => {
    expect(markReservedLeases([{ ...lease('192.168.122.10', '52:54:00:00:00:10'), network: 'other' }], [network])[0]?.reserved).toBe(false);
  });
});
