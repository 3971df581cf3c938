import { describe, expect, it } from 'vitest';
import {
  CidrSchema,
  InterfaceNameSchema,
  LinkStepSchema,
  helperOperations,
  stepCommand,
  stepIpArguments,
  type LinkStep,
} from './helper-protocol';

function firstIssue(result: { success: boolean; error?: { issues: { message: string }[] } }): string | undefined {
  return result.success ? undefined : result.error!.issues[0]!.message;
}

describe('interface names', () => {
  it('accepts the names the kernel and udev give NICs and bridges', () => {
    for (const name of ['eno1', 'enp0s25', 'br0', 'virbr-lab1', 'eth0.100', 'veth_a', 'x'.repeat(15)]) {
      expect(InterfaceNameSchema.safeParse(name).success, name).toBe(true);
    }
  });

  it.each([
    ['br0; rm -rf /', 'not ";"'],
    ['br0$(id)', 'not "$"'],
    ['`reboot`', 'not "`"'],
    ['a|b', 'not "|"'],
    ['br/0', 'not "/"'],
    ['eno1:1', 'not ":"'],
    ['br\n0', 'not "\\n"'],
    ['-help', 'cannot start with "-"'],
    ['..', 'not a valid interface name'],
    ['', 'cannot be empty'],
    ['x'.repeat(16), 'at most 15 characters'],
    ['brü', 'not "ü"'],
  ])('refuses %j, saying why', (name, why) => {
    expect(firstIssue(InterfaceNameSchema.safeParse(name))).toContain(why);
  });
});

describe('CIDRs', () => {
  it('accepts IPv4 and IPv6 addresses with prefix lengths', () => {
    for (const cidr of ['192.168.4.7/16', '10.0.0.1/32', '0.0.0.0/0', '2001:db8::7/64', 'fe80::1/128']) {
      expect(CidrSchema.safeParse(cidr).success, cidr).toBe(true);
    }
  });

  it.each([
    ['192.168.4.7', 'has no prefix length'],
    ['192.168.4.7/33', 'from 0 to 32'],
    ['2001:db8::/129', 'from 0 to 128'],
    ['192.168.4.07/24', 'is not an IP address'],
    ['300.1.1.1/24', 'is not an IP address'],
    ['192.168.4.7/24; reboot', 'from 0 to 32'],
    ['192.168.4.7/+8', 'from 0 to 32'],
    ['fe80::1%eth0/64', 'is not an IP address'],
    [`${'1'.repeat(70)}/8`, 'at most 64 characters'],
  ])('refuses %j, saying why', (cidr, why) => {
    expect(firstIssue(CidrSchema.safeParse(cidr))).toContain(why);
  });
});

describe('steps', () => {
  const steps: [LinkStep, string][] = [
    [{ op: 'link.add-bridge', name: 'br0', mac: '74:d4:35:ed:79:d7', stp: false }, 'ip link add name br0 address 74:d4:35:ed:79:d7 type bridge stp_state 0'],
    [{ op: 'link.add-bridge', name: 'br0', stp: true }, 'ip link add name br0 type bridge stp_state 1 forward_delay 400'],
    [{ op: 'link.set-master', name: 'eno1', master: 'br0' }, 'ip link set dev eno1 master br0'],
    [{ op: 'link.set-nomaster', name: 'eno1' }, 'ip link set dev eno1 nomaster'],
    [{ op: 'link.set-state', name: 'br0', up: true }, 'ip link set dev br0 up'],
    [{ op: 'link.delete-bridge', name: 'br0' }, 'ip link delete dev br0 type bridge'],
    [
      { op: 'address.add', dev: 'br0', address: { family: 'ipv4', cidr: '192.168.4.7/16', broadcast: '192.168.255.255' } },
      'ip address add 192.168.4.7/16 broadcast 192.168.255.255 dev br0',
    ],
    [
      { op: 'address.add', dev: 'eno1', address: { family: 'ipv4', cidr: '10.1.2.3/24', label: 'eno1:1', validLifetime: 3000, preferredLifetime: 3000 } },
      'ip address add 10.1.2.3/24 label eno1:1 valid_lft 3000 preferred_lft 3000 dev eno1',
    ],
    [{ op: 'address.delete', dev: 'eno1', address: { family: 'ipv4', cidr: '192.168.4.7/16' } }, 'ip address delete 192.168.4.7/16 dev eno1'],
    [
      { op: 'route.add', dev: 'br0', route: { family: 'ipv4', destination: 'default', gateway: '192.168.1.1', metric: 100, protocol: 'dhcp' } },
      'ip -4 route add default via 192.168.1.1 dev br0 metric 100 proto dhcp',
    ],
    [
      { op: 'route.delete', dev: 'eno1', route: { family: 'ipv6', destination: '2001:db8:1::/48', gateway: 'fe80::1', onlink: true } },
      'ip -6 route delete 2001:db8:1::/48 via fe80::1 dev eno1 onlink',
    ],
  ];

  it.each(steps)('%j runs exactly the command the review shows', (step, command) => {
    expect(LinkStepSchema.parse(step)).toEqual(step);
    expect(stepCommand(step)).toBe(command);
    expect(stepIpArguments(step)).toEqual(command.split(' ').slice(1));
  });

  it('refuses unknown operations, unknown fields and free-form commands', () => {
    expect(LinkStepSchema.safeParse({ op: 'exec', command: 'rm -rf /' }).success).toBe(false);
    expect(LinkStepSchema.safeParse({ op: 'link.set-state', name: 'br0', up: true, extra: 'x' }).success).toBe(false);
    expect(LinkStepSchema.safeParse({ op: 'link.set-master', name: 'eno1', master: 'br0 type dummy' }).success).toBe(false);
    expect(
      LinkStepSchema.safeParse({ op: 'route.add', dev: 'br0', route: { family: 'ipv4', destination: 'default', gateway: '1.1.1.1 dev lo' } }).success,
    ).toBe(false);
  });

  it('bounds a transaction: at least one step, at most 8 interfaces, a 5–600 s countdown', () => {
    const apply = helperOperations['transaction.apply'];
    const step = { op: 'link.set-state', name: 'br0', up: true };
    expect(apply.safeParse({ steps: [], interfaces: ['br0'], rollbackAfterSeconds: 30 }).success).toBe(false);
    expect(apply.safeParse({ steps: [step], interfaces: Array(9).fill('br0'), rollbackAfterSeconds: 30 }).success).toBe(false);
    expect(apply.safeParse({ steps: [step], interfaces: ['br0'], rollbackAfterSeconds: 4 }).success).toBe(false);
    expect(apply.safeParse({ steps: [step], interfaces: ['br0'], rollbackAfterSeconds: 30 }).success).toBe(true);
  });
});
