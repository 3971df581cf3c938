import { describe, expect, it } from 'vitest';
import { FirewallSpecSchema, helperOperations, type AppliedForward } from '../helper-protocol';
import { forwardJumpCount, forwardJumpIsFirst, iptablesRestoreInput, nftScript } from './ruleset';

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

describe('iptables accept chain', () => {
  it('fills SWITCHYARD_FWD with one accept per forward, for translated connections only', () => {
    expect(iptablesRestoreInput({ forwards: [web] })).toBe(
      [
        '*filter',
        ':SWITCHYARD_FWD - [0:0]',
        '-A SWITCHYARD_FWD -d 192.168.122.50/32 -o virbr0 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -m comment --comment "switchyard port forward" -j ACCEPT',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('tells whether the jump comes before libvirt’s', () => {
    const first = '-P FORWARD ACCEPT\n-A FORWARD -j SWITCHYARD_FWD\n-A FORWARD -j LIBVIRT_FWX\n';
    const late = '-P FORWARD ACCEPT\n-A FORWARD -j LIBVIRT_FWX\n-A FORWARD -j SWITCHYARD_FWD\n-A FORWARD -j SWITCHYARD_FWD\n';
    expect(forwardJumpIsFirst(first)).toBe(true);
    expect(forwardJumpIsFirst(late)).toBe(false);
    expect(forwardJumpCount(late)).toBe(2);
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
