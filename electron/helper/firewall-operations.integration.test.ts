// Port forwards against libvirt's nftables backend (libvirt ≥ 10.4), which the lab's libvirt 9.0
// does not have: namespaces this file creates hold a "host" with libvirt's libvirt_network table as
// libvirt's own golden files render it, a guest running a TCP responder behind its bridge, and a
// LAN client. The port-forwarding e2e covers the iptables backend against the lab's real libvirt.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFirewallView } from '../../shared/firewall/firewall-view';
import { parseNftJson } from '../../shared/firewall/nft-json';
import { SWITCHYARD_RULE_COMMENT } from '../../shared/firewall/ruleset';
import type { AppliedForward } from '../../shared/helper-protocol';
import { parseNetworkXml } from '../../shared/libvirt/network-xml';
import { localCommandRunner, runChecked, startProgram, type CommandRunner } from '../host/command-runner';
import { TCP_CLIENT_SCRIPT, TCP_RESPONDER_SCRIPT } from '../../lab/tcp-probe';
import { applyFirewall, readFirewall } from './firewall-operations';
import { resolvePrograms } from './privileged-operations';

const HOST_NS = `syfw-nft-host-${process.pid}`;
const GUEST_NS = `syfw-nft-guest-${process.pid}`;
const LAN_NS = `syfw-nft-lan-${process.pid}`;
const local = localCommandRunner();
const ip = (...args: string[]) => runChecked(local, 'ip', args);

function namespaceRunner(namespace: string): CommandRunner {
  return {
    run: (program, args, options) => local.run('ip', ['netns', 'exec', namespace, program, ...args], options),
    argv: (program, args) => ['ip', 'netns', 'exec', namespace, program, ...args],
  };
}
const host = namespaceRunner(HOST_NS);

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

const forward: AppliedForward = { bridge: 'virbr9', subnet: '192.168.150.0/24', protocol: 'tcp', hostPort: 18081, guestIp: '192.168.150.10', guestPort: 8000 };
const network = {
  ...parseNetworkXml(`<network><name>nft-backend</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a90</uuid>
    <forward mode='nat'/><bridge name='virbr9'/><ip address='192.168.150.1' netmask='255.255.255.0'/></network>`),
  active: true,
  autostart: false,
  persistent: true,
};

let responder: ChildProcess | undefined;

const connect = async (runner: CommandRunner, address: string, port: number) => (await runChecked(runner, process.execPath, ['-e', TCP_CLIENT_SCRIPT, address, String(port)])).trim();
/** The LAN client's address reaches the guest untranslated. */
const FROM_LAN = 'hello from guest to 203.0.113.2';
const connectFromLan = () => connect(namespaceRunner(LAN_NS), '203.0.113.1', 18081);
const ourAccepts = async () =>
  parseNftJson(await runChecked(host, 'nft', ['-j', 'list', 'chain', 'ip', 'libvirt_network', 'guest_input'])).rules.filter(
    (rule) => rule.comment === SWITCHYARD_RULE_COMMENT,
  );

async function removeNamespaces(): Promise<void> {
  for (const namespace of [HOST_NS, GUEST_NS, LAN_NS]) await local.run('ip', ['netns', 'delete', namespace]);
}

beforeAll(async () => {
  await removeNamespaces();
  for (const namespace of [HOST_NS, GUEST_NS, LAN_NS]) await ip('netns', 'add', namespace);
  await ip('-n', HOST_NS, 'link', 'set', 'lo', 'up');
  await ip('-n', HOST_NS, 'link', 'add', 'virbr9', 'type', 'bridge', 'stp_state', '0');
  await ip('-n', HOST_NS, 'address', 'add', '192.168.150.1/24', 'dev', 'virbr9');
  await ip('-n', HOST_NS, 'link', 'set', 'virbr9', 'up');
  await ip('-n', HOST_NS, 'link', 'add', 'vnet9', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', GUEST_NS);
  await ip('-n', HOST_NS, 'link', 'set', 'vnet9', 'master', 'virbr9', 'up');
  await ip('-n', HOST_NS, 'link', 'add', 'uplink', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', LAN_NS);
  await ip('-n', HOST_NS, 'address', 'add', '203.0.113.1/24', 'dev', 'uplink');
  await ip('-n', HOST_NS, 'link', 'set', 'uplink', 'up');
  await ip('-n', GUEST_NS, 'address', 'add', '192.168.150.10/24', 'dev', 'eth0');
  await ip('-n', GUEST_NS, 'link', 'set', 'eth0', 'up');
  await ip('-n', GUEST_NS, 'route', 'add', 'default', 'via', '192.168.150.1');
  await ip('-n', LAN_NS, 'address', 'add', '203.0.113.2/24', 'dev', 'eth0');
  await ip('-n', LAN_NS, 'link', 'set', 'eth0', 'up');
  await runChecked(host, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  await runChecked(host, 'nft', ['-f', '-'], { input: LIBVIRT_TABLE });
  responder = startProgram(['ip', 'netns', 'exec', GUEST_NS, process.execPath, '-e', TCP_RESPONDER_SCRIPT, '8000'], { quiet: true });
});

afterAll(async () => {
  responder?.kill('SIGTERM');
  await removeNamespaces();
});

describe("port forwards with libvirt's nftables backend", () => {
  it("puts the accept at the top of libvirt's guest_input, replaces it on re-apply and removes it", async () => {
    // Listening once the host reaches it directly (the host's own traffic skips the forward hook).
    await expect.poll(() => connect(host, '192.168.150.10', 8000), { timeout: 10_000 }).toBe('hello from guest to 192.168.150.1');
    expect(await connectFromLan()).toMatch(/^ERR (ECONNREFUSED|TIMEOUT)$/);

    const result = await applyFirewall(host, resolvePrograms(), { forwards: [forward] });
    expect(result.done).toContain('nft: 1 accept(s) first in libvirt_network guest_input');
    expect(await connectFromLan()).toBe(FROM_LAN);

    // libvirt inserts its rules at the top again when the network restarts: the reject wins until
    // Switchyard re-applies, which then replaces its old accept instead of adding a second one.
    await runChecked(host, 'nft', ['insert', 'rule', 'ip', 'libvirt_network', 'guest_input', 'oif', 'virbr9', 'counter', 'reject']);
    expect(await connectFromLan()).toMatch(/^ERR (ECONNREFUSED|TIMEOUT)$/);
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
    expect(await connectFromLan()).toMatch(/^ERR (ECONNREFUSED|TIMEOUT)$/);
  });
});
