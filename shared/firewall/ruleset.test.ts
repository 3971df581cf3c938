import { describe, expect, it } from 'vitest';
import { FirewallSpecSchema, helperOperations, type AppliedForward } from '../helper-protocol';
import { countIptablesForwards, forwardRules, iptablesRestorePlan, iptablesRule, nftRule, nftScript } from './ruleset';

const web: AppliedForward = { bridge: 'virbr0', subnet: '192.168.122.0/24', protocol: 'tcp', hostPort: 8080, guestIp: '192.168.122.50', guestPort: 80 };

describe('nftScript', () => {
  it('replaces the table with DNAT for arrivals and the host, and hairpin masquerade', () => {
    const script = nftScript({ forwards: [web, { ...web, protocol: 'udp', hostPort: 5353, hostAddress: '203.0.113.5', guestPort: 53 }] });
    expect(script.split('\n').slice(0, 3)).toEqual(['table ip switchyard', 'delete table ip switchyard', 'table ip switchyard {']);
    expect(script).toContain('type nat hook prerouting priority -100; policy accept;');
    expect(script).toContain('\t\tfib daddr type local tcp dport 8080 dnat to 192.168.122.50:80\n');
    expect(script).toContain('\t\tip daddr 203.0.113.5 udp dport 5353 dnat to 192.168.122.50:53\n');
    expect(script).toContain('\t\tfib daddr type local ip daddr != 127.0.0.0/8 tcp dport 8080 dnat to 192.168.122.50:80\n');
    expect(script).toContain('\t\toifname "virbr0" ip saddr 192.168.122.0/24 ip daddr 192.168.122.50 tcp dport 80 ct status dnat masquerade\n');
  });

  it("with libvirt's nftables backend, replaces our accepts at the top of its guest_input", () => {
    const lines = nftScript({ forwards: [web] }, { staleHandles: [17, 18] }).split('\n');
    expect(lines.slice(2, 5)).toEqual([
      'delete rule ip libvirt_network guest_input handle 17',
      'delete rule ip libvirt_network guest_input handle 18',
      'insert rule ip libvirt_network guest_input oifname "virbr0" ip daddr 192.168.122.50 tcp dport 80 ct status dnat counter accept comment "switchyard port forward"',
    ]);
    expect(nftScript({ forwards: [] }, { staleHandles: [17] })).toBe(
      'table ip switchyard\ndelete table ip switchyard\ndelete rule ip libvirt_network guest_input handle 17\n',
    );
  });

  it('only deletes the table when no forward is left', () => {
    expect(nftScript({ forwards: [] })).toBe('table ip switchyard\ndelete table ip switchyard\n');
  });
});

describe('one spec, two renderers', () => {
  it('says the same thing in nft and in iptables words, hook by hook', () => {
    const rules = forwardRules({ ...web, hostAddress: '203.0.113.5' });
    expect(nftRule(rules.output)).toBe('ip daddr 203.0.113.5 tcp dport 8080 dnat to 192.168.122.50:80');
    expect(iptablesRule(rules.output)).toBe(
      '-d 203.0.113.5/32 -p tcp -m tcp --dport 8080 -m comment --comment "switchyard port forward" -j DNAT --to-destination 192.168.122.50:80',
    );
    const any = forwardRules(web);
    expect(iptablesRule(any.prerouting)).toBe(
      '-p tcp -m tcp --dport 8080 -m addrtype --dst-type LOCAL -m comment --comment "switchyard port forward" -j DNAT --to-destination 192.168.122.50:80',
    );
    expect(iptablesRule(any.output)).toBe(
      '! -d 127.0.0.0/8 -p tcp -m tcp --dport 8080 -m addrtype --dst-type LOCAL -m comment --comment "switchyard port forward" -j DNAT --to-destination 192.168.122.50:80',
    );
    expect(iptablesRule(any.postrouting)).toBe(
      '-s 192.168.122.0/24 -d 192.168.122.50/32 -o virbr0 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -m comment --comment "switchyard port forward" -j MASQUERADE',
    );
    expect(iptablesRule(any.accept)).toBe(
      '-d 192.168.122.50/32 -o virbr0 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -m comment --comment "switchyard port forward" -j ACCEPT',
    );
  });
});

// iptables-save as the kernel prints it with libvirt's rules and an earlier apply of ours, where
// libvirt has since inserted its own jump above ours in FORWARD (it does on a network start).
const SAVED = `*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:LIBVIRT_PRT - [0:0]
:SWITCHYARD_POST - [0:0]
:SWITCHYARD_PRE - [0:0]
-A PREROUTING -j SWITCHYARD_PRE
-A POSTROUTING -j LIBVIRT_PRT
-A POSTROUTING -j SWITCHYARD_POST
-A SWITCHYARD_PRE -p tcp -m tcp --dport 8080 -m addrtype --dst-type LOCAL -m comment --comment "switchyard port forward" -j DNAT --to-destination 192.168.122.50:80
-A SWITCHYARD_PRE -p udp -m udp --dport 5353 -m addrtype --dst-type LOCAL -m comment --comment "switchyard port forward" -j DNAT --to-destination 192.168.122.50:53
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:LIBVIRT_FWI - [0:0]
:SWITCHYARD_FWD - [0:0]
-A FORWARD -j LIBVIRT_FWI
-A FORWARD -j SWITCHYARD_FWD
-A FORWARD -j SWITCHYARD_FWD
COMMIT
`;

describe('iptablesRestorePlan', () => {
  it("fills Switchyard's nat and filter chains from nothing, each jumped to first", () => {
    const plan = iptablesRestorePlan({ forwards: [web] }, '*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n', { nat: true, filter: true });
    expect(plan?.input.split('\n')).toEqual([
      '*nat',
      ':SWITCHYARD_PRE - [0:0]',
      ':SWITCHYARD_OUT - [0:0]',
      ':SWITCHYARD_POST - [0:0]',
      `-A SWITCHYARD_PRE ${iptablesRule(forwardRules(web).prerouting)}`,
      '-I PREROUTING 1 -j SWITCHYARD_PRE',
      `-A SWITCHYARD_OUT ${iptablesRule(forwardRules(web).output)}`,
      '-I OUTPUT 1 -j SWITCHYARD_OUT',
      `-A SWITCHYARD_POST ${iptablesRule(forwardRules(web).postrouting)}`,
      '-I POSTROUTING 1 -j SWITCHYARD_POST',
      'COMMIT',
      '*filter',
      ':SWITCHYARD_FWD - [0:0]',
      `-A SWITCHYARD_FWD ${iptablesRule(forwardRules(web).accept)}`,
      '-I FORWARD 1 -j SWITCHYARD_FWD',
      'COMMIT',
      '',
    ]);
    expect(plan?.done).toEqual([
      'iptables nat: SWITCHYARD_PRE with 1 rule(s), first in PREROUTING',
      'iptables nat: SWITCHYARD_OUT with 1 rule(s), first in OUTPUT',
      'iptables nat: SWITCHYARD_POST with 1 rule(s), first in POSTROUTING',
      'iptables filter: SWITCHYARD_FWD with 1 rule(s), first in FORWARD',
    ]);
  });

  it('replaces the rules and moves every jump back to the top, in the same commit', () => {
    const input = iptablesRestorePlan({ forwards: [web] }, SAVED, { nat: true, filter: true })!.input;
    const filter = input.slice(input.indexOf('*filter'));
    expect(filter.split('\n').slice(3, 6)).toEqual(['-D FORWARD -j SWITCHYARD_FWD', '-D FORWARD -j SWITCHYARD_FWD', '-I FORWARD 1 -j SWITCHYARD_FWD']);
    expect(input).toContain('-D POSTROUTING -j SWITCHYARD_POST\n-I POSTROUTING 1 -j SWITCHYARD_POST\n');
    // OUTPUT had no jump yet: nothing to delete.
    expect(input).not.toContain('-D OUTPUT');
    expect(input.match(/^-A SWITCHYARD_PRE /gm)).toHaveLength(1);
  });

  it('removes our chains and their jumps where they are not wanted, and nothing else', () => {
    const input = iptablesRestorePlan({ forwards: [web] }, SAVED, { nat: false, filter: true })!.input;
    expect(input.slice(0, input.indexOf('*filter')).split('\n')).toEqual([
      '*nat',
      ':SWITCHYARD_PRE - [0:0]',
      ':SWITCHYARD_POST - [0:0]',
      '-D PREROUTING -j SWITCHYARD_PRE',
      '-X SWITCHYARD_PRE',
      '-D POSTROUTING -j SWITCHYARD_POST',
      '-X SWITCHYARD_POST',
      'COMMIT',
      '',
    ]);
    const none = iptablesRestorePlan({ forwards: [] }, SAVED, { nat: true, filter: true })!;
    expect(none.done).toEqual([
      'iptables nat: SWITCHYARD_PRE removed',
      'iptables nat: SWITCHYARD_POST removed',
      'iptables filter: SWITCHYARD_FWD removed',
    ]);
    expect(none.input).not.toMatch(/LIBVIRT|^-A /m);
  });

  it('does nothing when nothing of ours exists and nothing is wanted', () => {
    expect(iptablesRestorePlan({ forwards: [] }, '*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -j LIBVIRT_FWI\nCOMMIT\n', { nat: true, filter: true })).toBeUndefined();
    expect(iptablesRestorePlan({ forwards: [web] }, '', { nat: false, filter: false })).toBeUndefined();
  });

  it('counts the forwards the kernel shows in our DNAT chain', () => {
    expect(countIptablesForwards(SAVED)).toBe(2);
    expect(countIptablesForwards('*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n')).toBe(0);
  });
});

describe('firewall.apply arguments (hostile input)', () => {
  const apply = helperOperations['firewall.apply'];
  const issue = (forward: Record<string, unknown>) => {
    const result = apply.safeParse({ spec: { forwards: [forward] } });
    return result.success ? undefined : result.error.issues[0];
  };

  it('accepts a well-formed spec', () => {
    expect(apply.safeParse({ spec: { forwards: [web] } }).success).toBe(true);
  });

  it.each([
    [{ ...web, bridge: 'virbr0" accept; flush ruleset; "' }, 'bridge'],
    [{ ...web, bridge: '-o' }, 'bridge'],
    [{ ...web, guestIp: '192.168.122.50 counter accept' }, 'guestIp'],
    [{ ...web, guestIp: '10.0.0.5' }, 'guestIp'],
    [{ ...web, subnet: '2001:db8::/64' }, 'subnet'],
    [{ ...web, subnet: '192.168.122.0/24\n' }, 'subnet'],
    [{ ...web, hostAddress: '0.0.0.0/0' }, 'hostAddress'],
    [{ ...web, hostAddress: '127.0.0.1' }, 'hostAddress'],
    [{ ...web, hostPort: '80' }, 'hostPort'],
    [{ ...web, hostPort: -1 }, 'hostPort'],
    [{ ...web, guestPort: 70000 }, 'guestPort'],
    [{ ...web, protocol: 'icmp' }, 'protocol'],
    [{ ...web, nft: 'flush ruleset' }, ''],
  ])('refuses %j', (forward, field) => {
    expect(issue(forward)?.path.slice(3).join('.')).toBe(field);
  });

  it('refuses extra keys, raw rules, duplicates and floods', () => {
    expect(apply.safeParse({ spec: { forwards: [] }, script: 'flush ruleset' }).success).toBe(false);
    expect(apply.safeParse({ spec: 'flush ruleset' }).success).toBe(false);
    expect(FirewallSpecSchema.safeParse({ forwards: [web, { ...web, guestIp: '192.168.122.51' }] }).error?.issues[0]?.message).toContain(
      'forwarded twice',
    );
    expect(FirewallSpecSchema.safeParse({ forwards: Array.from({ length: 1025 }, (_, index) => ({ ...web, hostPort: index + 1 })) }).success).toBe(false);
    expect(helperOperations['firewall.read'].safeParse({ command: 'iptables -F' }).success).toBe(false);
  });
});
