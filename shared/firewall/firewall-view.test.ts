import { describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../libvirt/network-xml';
import type { Network } from '../model';
import { buildFirewallView } from './firewall-view';
import { parseIptablesSave } from './iptables-save';
import { parseNftJson } from './nft-json';
import { iptablesRestorePlan } from './ruleset';
import iptablesSave from './fixtures/lab-iptables-save.txt?raw';
import nftRuleset from './fixtures/lab-nft-ruleset.json?raw';

function network(xml: string): Network {
  return { ...parseNetworkXml(xml), active: true, autostart: true, persistent: true };
}

const defaultNetwork = network(`<network><name>default</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
  <forward mode='nat'><nat><port start='1024' end='65535'/></nat></forward><bridge name='virbr0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'><dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip>
</network>`);
const isolated = network(`<network><name>lab-isolated</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a9c</uuid>
  <bridge name='virbr-lab1'/><ip address='10.77.0.1' netmask='255.255.255.0'/></network>`);

describe('parseIptablesSave (real lab output)', () => {
  it('reads tables, chains, matches and targets', () => {
    const rules = parseIptablesSave(iptablesSave);
    expect(rules.find((rule) => rule.chain === 'LIBVIRT_FWI' && rule.ctstate)).toMatchObject({
      table: 'filter',
      destination: '192.168.122.0/24',
      outInterface: 'virbr0',
      ctstate: 'RELATED,ESTABLISHED',
      target: 'ACCEPT',
    });
    expect(rules.find((rule) => rule.table === 'nat' && rule.protocol === 'tcp')).toMatchObject({
      source: '192.168.122.0/24',
      destination: '192.168.122.0/24',
      destinationNegated: true,
      target: 'MASQUERADE',
      toPorts: '1024-65535',
    });
    expect(rules.find((rule) => rule.chain === 'SWITCHYARD_FWD')?.comment).toBe('switchyard port forward');
  });
});

describe('parseNftJson (real lab output)', () => {
  it("renders Switchyard's table in nft's own words", () => {
    const rules = parseNftJson(nftRuleset).rules.filter((rule) => rule.table === 'switchyard');
    expect(rules.map((rule) => `${rule.chain}: ${rule.text}`)).toEqual([
      'prerouting: fib daddr type local tcp dport 8080 dnat to 192.168.122.102:80',
      'prerouting: ip daddr 198.51.100.1 udp dport 5353 dnat to 192.168.122.102:53',
      'output: fib daddr type local ip daddr != 127.0.0.0/8 tcp dport 8080 dnat to 192.168.122.102:80',
      'output: ip daddr 198.51.100.1 ip daddr != 127.0.0.0/8 udp dport 5353 dnat to 192.168.122.102:53',
      'postrouting: oifname "virbr0" ip saddr 192.168.122.0/24 ip daddr 192.168.122.102 tcp dport 80 ct status dnat masquerade',
      'postrouting: oifname "virbr0" ip saddr 192.168.122.0/24 ip daddr 192.168.122.102 udp dport 53 ct status dnat masquerade',
    ]);
  });

  it('refuses text that is not nft JSON', () => {
    expect(() => parseNftJson('table ip filter {')).toThrow('not JSON');
    expect(() => parseNftJson('{"tables": []}')).toThrow('no "nftables" list');
  });
});

describe('buildFirewallView (real lab output)', () => {
  const view = buildFirewallView(defaultNetwork, { iptablesSave, nftRuleset, problems: [] });
  const group = (id: string) => view.groups.find((candidate) => candidate.id === id);

  it("finds libvirt's iptables backend and groups the default network's rules in plain words", () => {
    expect(view.backend).toBe('iptables');
    expect(group('out')?.summary).toBe('Guests may reach anything outside. Anything else guests send out (other source addresses) is refused.');
    expect(group('in')?.summary).toContain('Replies to the guests’ own connections are allowed back in.');
    expect(group('in')?.summary).toContain('Nothing else from outside may start a connection to a guest.');
    expect(group('cross')?.summary).toBe('Guests may talk to each other.');
    const meanings = (id: string) => group(id)?.rules.map((rule) => rule.meaning);
    expect(meanings('nat')).toContain("TCP leaving the network is masqueraded to the host's address, ports 1024–65535.");
    expect(meanings('host')).toContain('Guests may ask the host for DNS (53/udp).');
    expect(group('fixup')?.rules).toHaveLength(1);
  });

  it("shows Switchyard's forwards and their accepts, owned by Switchyard", () => {
    expect(group('forward')?.rules.map((rule) => rule.meaning)).toContain('Connections to port 8080/tcp on any of the host’s addresses go to 192.168.122.102:80.');
    expect(group('forward')?.rules.map((rule) => rule.meaning)).toContain('Connections to port 5353/udp on 198.51.100.1 go to 192.168.122.102:53.');
    const accepts = group('in')!.rules.filter((rule) => rule.owner === 'switchyard');
    expect(accepts.map((rule) => rule.meaning)).toEqual([
      'Switchyard lets forwarded connections to 192.168.122.102 port 80/tcp in.',
      'Switchyard lets forwarded connections to 192.168.122.102 port 53/udp in.',
    ]);
  });

  it("keeps every network's rules to itself", () => {
    const other = buildFirewallView(isolated, { iptablesSave, nftRuleset, problems: [] });
    const rules = other.groups.flatMap((candidate) => candidate.rules);
    expect(rules.every((rule) => rule.rule.includes('virbr-lab1'))).toBe(true);
    expect(other.groups.find((candidate) => candidate.id === 'in')?.summary).toBe('Nothing else from outside may start a connection to a guest.');
    expect(other.groups.find((candidate) => candidate.id === 'nat')).toBeUndefined();
  });

  it('reports readings that failed', () => {
    const partial = buildFirewallView(defaultNetwork, { problems: ['iptables-save is not installed.'] });
    expect(partial).toEqual({ network: 'default', backend: 'none', groups: [], problems: ['iptables-save is not installed.'] });
  });
});

describe('buildFirewallView (iptables only, no nft)', () => {
  // Our rules as iptables-save prints them (the iptables-only integration test checks the kernel prints the generator's text).
  const forwards = [
    { bridge: 'virbr0', subnet: '192.168.122.0/24', protocol: 'tcp', hostPort: 8080, guestIp: '192.168.122.102', guestPort: 80 },
    { bridge: 'virbr0', subnet: '192.168.122.0/24', protocol: 'udp', hostPort: 5353, hostAddress: '198.51.100.1', guestIp: '192.168.122.102', guestPort: 53 },
  ] as const;
  const ours = iptablesRestorePlan({ forwards: [...forwards] }, '', { nat: true, filter: true })!.input.replace(/^(-I|-D) .*\n/gm, '');
  const view = buildFirewallView(defaultNetwork, { iptablesSave: ours, problems: [] });
  const meanings = (id: string) => view.groups.find((group) => group.id === id)?.rules.map((rule) => rule.meaning);

  it("explains Switchyard's nat chains in the same words as its nftables table", () => {
    const fromNft = buildFirewallView(defaultNetwork, { nftRuleset, problems: [] });
    expect(meanings('forward')).toEqual(expect.arrayContaining(fromNft.groups.find((group) => group.id === 'forward')!.rules.map((rule) => rule.meaning)));
    expect(meanings('forward')).toContain('Connections to port 5353/udp on 198.51.100.1 go to 192.168.122.102:53.');
    expect(meanings('in')).toEqual(['Switchyard lets forwarded connections to 192.168.122.102 port 80/tcp in.', 'Switchyard lets forwarded connections to 192.168.122.102 port 53/udp in.']);
    expect(view.groups.flatMap((group) => group.rules).every((rule) => rule.owner === 'switchyard')).toBe(true);
    // In the order packets meet them, not iptables-save's alphabetical order of chains.
    expect(view.groups.find((group) => group.id === 'forward')?.rules.map((rule) => rule.location)).toEqual([
      'iptables nat SWITCHYARD_PRE',
      'iptables nat SWITCHYARD_PRE',
      'iptables nat SWITCHYARD_OUT',
      'iptables nat SWITCHYARD_OUT',
      'iptables nat SWITCHYARD_POST',
      'iptables nat SWITCHYARD_POST',
    ]);
  });
});

describe('group summaries', () => {
  it('merge what differs only in protocol or service', () => {
    const view = buildFirewallView(defaultNetwork, { iptablesSave, nftRuleset, problems: [] });
    const summary = (id: string) => view.groups.find((group) => group.id === id)?.summary;
    expect(summary('nat')).toBe(
      "Multicast and broadcast traffic stays untranslated. Traffic leaving the network is masqueraded to the host's address (TCP and UDP from ports 1024–65535).",
    );
    expect(summary('host')).toBe('Guests may ask the host for DNS and DHCP. The host may send DNS and DHCP replies to guests.');
    expect(summary('in')).toContain('Switchyard lets forwarded connections to 192.168.122.102 port 80/tcp and 192.168.122.102 port 53/udp in.');
  });
});
