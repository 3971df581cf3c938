// Port forwards in namespaces this file creates: a "host" with libvirt's rules for a NAT network on
// virbr9 (192.168.150.0/24), a guest running a TCP responder behind that bridge, and a LAN client.
// Two set-ups the lab (libvirt 9.0, nft installed) does not have: libvirt's nftables backend
// (libvirt ≥ 10.4), and a host without nft, where the forwards go into iptables. The
// port-forwarding e2e covers nft with libvirt's iptables backend against the lab's real libvirt.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildFirewallView } from '../../shared/firewall/firewall-view';
import { parseNftJson } from '../../shared/firewall/nft-json';
import { forwardRules, iptablesRule, SWITCHYARD_RULE_COMMENT } from '../../shared/firewall/ruleset';
import type { AppliedForward } from '../../shared/helper-protocol';
import { parseNetworkXml } from '../../shared/libvirt/network-xml';
import { localCommandRunner, runChecked, startProgram, type CommandRunner } from '../host/command-runner';
import { TCP_CLIENT_SCRIPT, TCP_RESPONDER_SCRIPT } from '../../lab/tcp-probe';
import { applyFirewall, readFirewall } from './firewall-operations';
import { resolvePrograms } from './privileged-operations';

const local = localCommandRunner();
const ip = (...args: string[]) => runChecked(local, 'ip', args);

function namespaceRunner(namespace: string): CommandRunner {
  return {
    run: (program, args, options) => local.run('ip', ['netns', 'exec', namespace, program, ...args], options),
    argv: (program, args) => ['ip', 'netns', 'exec', namespace, program, ...args],
  };
}

// libvirt's table for a NAT network on virbr9 (192.168.150.0/24): the ruleset of reference
// libvirt-network-driver.md §5.5 (golden files base.nftables + nat-default-linux.nftables).
const LIBVIRT_TABLE = `table ip libvirt_network {
	chain guest_output {
		ip saddr 192.168.150.0/24 iif "virbr9" counter accept
		iif "virbr9" counter reject
	}
	chain guest_input {
		oif "virbr9" ip daddr 192.168.150.0/24 ct state established,related counter accept
		oif "virbr9" counter reject
	}
	chain guest_cross {
		iif "virbr9" oif "virbr9" counter accept
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		counter jump guest_cross
		counter jump guest_input
		counter jump guest_output
	}
	chain guest_nat {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 192.168.150.0/24 ip daddr 224.0.0.0/24 counter return
		ip saddr 192.168.150.0/24 ip daddr 255.255.255.255 counter return
		meta l4proto tcp ip saddr 192.168.150.0/24 ip daddr != 192.168.150.0/24 counter masquerade to :1024-65535
		meta l4proto udp ip saddr 192.168.150.0/24 ip daddr != 192.168.150.0/24 counter masquerade to :1024-65535
		ip saddr 192.168.150.0/24 ip daddr != 192.168.150.0/24 counter masquerade
	}
}
`;

// libvirt's iptables backend for the same network: the lab's own iptables-save
// (shared/firewall/fixtures/lab-iptables-save.txt) with the bridge and subnet renamed.
const LIBVIRT_IPTABLES = `*filter
:LIBVIRT_FWI - [0:0]
:LIBVIRT_FWO - [0:0]
:LIBVIRT_FWX - [0:0]
-A FORWARD -j LIBVIRT_FWX
-A FORWARD -j LIBVIRT_FWI
-A FORWARD -j LIBVIRT_FWO
-A LIBVIRT_FWI -d 192.168.150.0/24 -o virbr9 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A LIBVIRT_FWI -o virbr9 -j REJECT --reject-with icmp-port-unreachable
-A LIBVIRT_FWO -s 192.168.150.0/24 -i virbr9 -j ACCEPT
-A LIBVIRT_FWO -i virbr9 -j REJECT --reject-with icmp-port-unreachable
-A LIBVIRT_FWX -i virbr9 -o virbr9 -j ACCEPT
COMMIT
*nat
:LIBVIRT_PRT - [0:0]
-A POSTROUTING -j LIBVIRT_PRT
-A LIBVIRT_PRT -s 192.168.150.0/24 -d 224.0.0.0/24 -j RETURN
-A LIBVIRT_PRT -s 192.168.150.0/24 -d 255.255.255.255/32 -j RETURN
-A LIBVIRT_PRT -s 192.168.150.0/24 ! -d 192.168.150.0/24 -p tcp -j MASQUERADE --to-ports 1024-65535
-A LIBVIRT_PRT -s 192.168.150.0/24 ! -d 192.168.150.0/24 -p udp -j MASQUERADE --to-ports 1024-65535
-A LIBVIRT_PRT -s 192.168.150.0/24 ! -d 192.168.150.0/24 -j MASQUERADE
COMMIT
`;

const forward: AppliedForward = { bridge: 'virbr9', subnet: '192.168.150.0/24', protocol: 'tcp', hostPort: 18081, guestIp: '192.168.150.10', guestPort: 8000 };
const network = {
  ...parseNetworkXml(`<network><name>nft-backend</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a90</uuid>
    <forward mode='nat'/><bridge name='virbr9'/><ip address='192.168.150.1' netmask='255.255.255.0'/></network>`),
  active: true,
  autostart: false,
  persistent: true,
};

const connect = async (runner: CommandRunner, address: string, port: number) => (await runChecked(runner, process.execPath, ['-e', TCP_CLIENT_SCRIPT, address, String(port)])).trim();
/** The LAN client's address reaches the guest untranslated; the host's own connections come from its uplink address. */
const FROM_LAN = 'hello from guest to 203.0.113.2';
const FROM_HOST = 'hello from guest to 203.0.113.1';
const REFUSED = /^ERR (ECONNREFUSED|TIMEOUT)$/;

/** Host, guest and LAN namespaces for one describe block; `loadLibvirtRules` gives the host libvirt's firewall. */
function testbed(tag: string, loadLibvirtRules: (host: CommandRunner) => Promise<unknown>) {
  const names = { host: `syfw-${tag}-host-${process.pid}`, guest: `syfw-${tag}-guest-${process.pid}`, lan: `syfw-${tag}-lan-${process.pid}` };
  const host = namespaceRunner(names.host);
  let responder: ChildProcess | undefined;
  const remove = async () => {
    for (const namespace of Object.values(names)) await local.run('ip', ['netns', 'delete', namespace]);
  };
  beforeAll(async () => {
    await remove();
    for (const namespace of Object.values(names)) await ip('netns', 'add', namespace);
    await ip('-n', names.host, 'link', 'set', 'lo', 'up');
    await ip('-n', names.host, 'link', 'add', 'virbr9', 'type', 'bridge', 'stp_state', '0');
    await ip('-n', names.host, 'address', 'add', '192.168.150.1/24', 'dev', 'virbr9');
    await ip('-n', names.host, 'link', 'set', 'virbr9', 'up');
    await ip('-n', names.host, 'link', 'add', 'vnet9', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', names.guest);
    await ip('-n', names.host, 'link', 'set', 'vnet9', 'master', 'virbr9', 'up');
    await ip('-n', names.host, 'link', 'add', 'uplink', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', names.lan);
    await ip('-n', names.host, 'address', 'add', '203.0.113.1/24', 'dev', 'uplink');
    await ip('-n', names.host, 'link', 'set', 'uplink', 'up');
    await ip('-n', names.guest, 'address', 'add', '192.168.150.10/24', 'dev', 'eth0');
    await ip('-n', names.guest, 'link', 'set', 'eth0', 'up');
    await ip('-n', names.guest, 'route', 'add', 'default', 'via', '192.168.150.1');
    await ip('-n', names.lan, 'address', 'add', '203.0.113.2/24', 'dev', 'eth0');
    await ip('-n', names.lan, 'link', 'set', 'eth0', 'up');
    await runChecked(host, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    await loadLibvirtRules(host);
    responder = startProgram(['ip', 'netns', 'exec', names.guest, process.execPath, '-e', TCP_RESPONDER_SCRIPT, '8000'], { quiet: true });
    // Listening once the host reaches it directly (the host's own traffic skips the forward hook).
    await vi.waitFor(async () => expect(await connect(host, '192.168.150.10', 8000)).toBe('hello from guest to 192.168.150.1'), { timeout: 10_000, interval: 200 });
  });
  afterAll(async () => {
    responder?.kill('SIGTERM');
    await remove();
  });
  return {
    host,
    connectFromLan: () => connect(namespaceRunner(names.lan), '203.0.113.1', 18081),
    connectFromHost: () => connect(host, '203.0.113.1', 18081),
  };
}

describe("port forwards with libvirt's nftables backend", () => {
  const { host, connectFromLan } = testbed('nft', (runner) => runChecked(runner, 'nft', ['-f', '-'], { input: LIBVIRT_TABLE }));
  const ourAccepts = async () =>
    parseNftJson(await runChecked(host, 'nft', ['-j', 'list', 'chain', 'ip', 'libvirt_network', 'guest_input'])).rules.filter(
      (rule) => rule.comment === SWITCHYARD_RULE_COMMENT,
    );

  it("puts the accept at the top of libvirt's guest_input, replaces it on re-apply and removes it", async () => {
    expect(await connectFromLan()).toMatch(REFUSED);

    const result = await applyFirewall(host, resolvePrograms(), { forwards: [forward] });
    expect(result.done).toContain('nft: 1 accept(s) first in libvirt_network guest_input');
    expect(await connectFromLan()).toBe(FROM_LAN);

    // libvirt inserts its rules at the top again when the network restarts: the reject wins until
    // Switchyard re-applies, which then replaces its old accept instead of adding a second one.
    await runChecked(host, 'nft', ['insert', 'rule', 'ip', 'libvirt_network', 'guest_input', 'oif', 'virbr9', 'counter', 'reject']);
    expect(await connectFromLan()).toMatch(REFUSED);
    await applyFirewall(host, resolvePrograms(), { forwards: [forward] });
    expect(await connectFromLan()).toBe(FROM_LAN);
    expect(await ourAccepts()).toHaveLength(1);

    const view = buildFirewallView(network, await readFirewall(host, resolvePrograms()));
    expect(view.backend).toBe('nftables');
    const inbound = view.groups.find((group) => group.id === 'in')!;
    expect(inbound.rules.find((rule) => rule.owner === 'switchyard')?.meaning).toBe(
      'Switchyard lets forwarded connections to 192.168.150.10 port 8000/tcp in.',
    );
    expect(inbound.summary).toContain('Nothing else from outside may start a connection to a guest.');
    expect(view.groups.find((group) => group.id === 'nat')?.summary).toContain('(TCP and UDP from ports 1024–65535)');

    await applyFirewall(host, resolvePrograms(), { forwards: [] });
    expect(await ourAccepts()).toEqual([]);
    expect((await host.run('nft', ['list', 'table', 'ip', 'switchyard'])).code).not.toBe(0);
    expect(await connectFromLan()).toMatch(REFUSED);
    expect(await runChecked(host, 'iptables-save', [])).not.toContain('SWITCHYARD');
  });
});

describe('port forwards on a host without nft (iptables only)', () => {
  const { host, connectFromLan, connectFromHost } = testbed('ipt', (runner) => runChecked(runner, 'iptables-restore', ['-w', '--noflush'], { input: LIBVIRT_IPTABLES }));
  // This machine's programs minus nft: what resolvePrograms finds on a host without nftables.
  const withoutNft = () => resolvePrograms((file) => !file.endsWith('/nft') && existsSync(file));
  const natRules = async () => (await runChecked(host, 'iptables-save', ['-t', 'nat'])).split('\n').filter((line) => line.includes('SWITCHYARD'));
  const listing = async (table: string, chain: string) => (await runChecked(host, 'iptables', ['-w', '-t', table, '-S', chain])).trim().split('\n');

  it('applies the spec as nat chains and the FORWARD accept, keeps them first, explains them and removes them', async () => {
    const programs = withoutNft();
    expect(programs.nft).toBeUndefined();
    expect(await connectFromLan()).toMatch(REFUSED);

    const result = await applyFirewall(host, programs, { forwards: [forward] });
    expect(result).toEqual({
      done: [
        'iptables nat: SWITCHYARD_PRE with 1 rule(s), first in PREROUTING',
        'iptables nat: SWITCHYARD_OUT with 1 rule(s), first in OUTPUT',
        'iptables nat: SWITCHYARD_POST with 1 rule(s), first in POSTROUTING',
        'iptables filter: SWITCHYARD_FWD with 1 rule(s), first in FORWARD',
      ],
      rules: 1,
    });
    expect(await connectFromLan()).toBe(FROM_LAN);
    expect(await connectFromHost()).toBe(FROM_HOST);
    // The kernel holds exactly what the generator wrote, in iptables-save's own words.
    const rules = forwardRules(forward);
    expect(await natRules()).toEqual([
      ':SWITCHYARD_OUT - [0:0]',
      ':SWITCHYARD_POST - [0:0]',
      ':SWITCHYARD_PRE - [0:0]',
      '-A PREROUTING -j SWITCHYARD_PRE',
      '-A OUTPUT -j SWITCHYARD_OUT',
      '-A POSTROUTING -j SWITCHYARD_POST',
      `-A SWITCHYARD_OUT ${iptablesRule(rules.output)}`,
      `-A SWITCHYARD_POST ${iptablesRule(rules.postrouting)}`,
      `-A SWITCHYARD_PRE ${iptablesRule(rules.prerouting)}`,
    ]);
    // Our jump comes before libvirt's, though libvirt's was there first.
    expect((await listing('nat', 'POSTROUTING')).slice(1)).toEqual(['-A POSTROUTING -j SWITCHYARD_POST', '-A POSTROUTING -j LIBVIRT_PRT']);

    // libvirt inserts its jumps at the top again when the network restarts: the reject wins until
    // Switchyard re-applies, which moves its jump back first without doubling it.
    await runChecked(host, 'iptables', ['-w', '-I', 'FORWARD', '1', '-j', 'LIBVIRT_FWI']);
    expect(await connectFromLan()).toMatch(REFUSED);
    await applyFirewall(host, programs, { forwards: [forward] });
    expect(await connectFromLan()).toBe(FROM_LAN);
    expect((await listing('filter', 'FORWARD')).filter((line) => line.includes('SWITCHYARD'))).toEqual(['-A FORWARD -j SWITCHYARD_FWD']);
    expect((await listing('filter', 'FORWARD'))[1]).toBe('-A FORWARD -j SWITCHYARD_FWD');

    const view = buildFirewallView(network, await readFirewall(host, programs));
    expect(view.backend).toBe('iptables');
    expect(view.problems).toEqual([]);
    const group = (id: string) => view.groups.find((candidate) => candidate.id === id);
    expect(group('forward')?.rules.map((rule) => [rule.owner, rule.location, rule.meaning])).toEqual([
      ['switchyard', 'iptables nat SWITCHYARD_PRE', 'Connections to port 18081/tcp on any of the host’s addresses go to 192.168.150.10:8000.'],
      ['switchyard', 'iptables nat SWITCHYARD_OUT', 'The host itself reaches 192.168.150.10:8000 at its own port 18081/tcp too.'],
      ['switchyard', 'iptables nat SWITCHYARD_POST', 'Guests reaching 192.168.150.10 through the host are masqueraded, so replies return through the host.'],
    ]);
    expect(group('in')?.summary).toContain('Switchyard lets forwarded connections to 192.168.150.10 port 8000/tcp in.');

    await applyFirewall(host, programs, { forwards: [] });
    expect(await runChecked(host, 'iptables-save', [])).not.toContain('SWITCHYARD');
    expect(await connectFromLan()).toMatch(REFUSED);
  });

  it('leaves no iptables nat chain behind once nft is installed and applies instead', async () => {
    await applyFirewall(host, withoutNft(), { forwards: [forward] });
    expect(await natRules()).not.toEqual([]);

    const result = await applyFirewall(host, resolvePrograms(), { forwards: [forward] });
    expect(result.done).toEqual([
      'nft: table ip switchyard with 1 forward(s)',
      'iptables nat: SWITCHYARD_PRE removed',
      'iptables nat: SWITCHYARD_OUT removed',
      'iptables nat: SWITCHYARD_POST removed',
      'iptables filter: SWITCHYARD_FWD with 1 rule(s), first in FORWARD',
    ]);
    expect(await natRules()).toEqual([]);
    expect(await connectFromLan()).toBe(FROM_LAN);

    await applyFirewall(host, resolvePrograms(), { forwards: [] });
    expect(await runChecked(host, 'iptables-save', [])).not.toContain('SWITCHYARD');
    expect((await host.run('nft', ['list', 'table', 'ip', 'switchyard'])).code).not.toBe(0);
  });
});
