// The helper process for real, over its protocol, against kernel state in namespaces this file
// creates and deletes: a veth pair stands in for the NIC, its far end in a second namespace is
// the LAN with the gateway. Nothing outside those namespaces is touched.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planBridgeCreation, planBridgeRemoval } from '../../shared/host-bridge';
import { localCommandRunner, namespacedCommandRunner, runChecked, startProgram } from '../host/command-runner';
import { HelperClient } from './helper-client';
import { readLinkStates } from './privileged-operations';

const HELPER_SOURCE = ['--import', 'tsx', 'electron/helper/helper-main.ts'];
const NIC_NS = `sy-helper-nic-${process.pid}`;
const LAN_NS = `sy-helper-lan-${process.pid}`;
const host = localCommandRunner();
const ip = (...args: string[]) => runChecked(host, 'ip', args);

let holder: ChildProcess;
let helper: HelperClient;
const nsRunner = () => namespacedCommandRunner(holder.pid!);

/** The NIC namespace as `ip -json` prints it: what "restored exactly" is compared on. */
async function kernelState(): Promise<{ links: unknown; routes4: unknown; routes6: unknown }> {
  const inNs = (...args: string[]) => runChecked(host, 'ip', ['-n', NIC_NS, '-json', ...args]).then((text) => JSON.parse(text));
  return { links: await inNs('address', 'show'), routes4: await inNs('-4', 'route', 'show'), routes6: await inNs('-6', 'route', 'show') };
}

const states = () => readLinkStates(nsRunner(), 'ip');
const choices = { nic: 'nic0', bridge: 'br-sy', stp: false, addressing: 'keep' as const };

async function applyCreation(rollbackAfterSeconds = 60) {
  const plan = planBridgeCreation(await states(), choices, new Set());
  return { plan, status: await helper.call('transaction.apply', { steps: plan.steps, interfaces: plan.interfaces, rollbackAfterSeconds }) };
}

async function expectBridged(): Promise<void> {
  const links = await states();
  expect(links.find((l) => l.name === 'nic0')?.master).toBe('br-sy');
  const bridge = links.find((l) => l.name === 'br-sy')!;
  expect(bridge.addresses.map((a) => a.cidr)).toContain('192.168.77.10/24');
  expect(bridge.routes).toContainEqual({ family: 'ipv4', destination: 'default', gateway: '192.168.77.1', metric: 100, protocol: 'dhcp' });
}

beforeAll(async () => {
  await ip('netns', 'add', NIC_NS);
  await ip('netns', 'add', LAN_NS);
  await ip('-n', NIC_NS, 'link', 'add', 'nic0', 'type', 'veth', 'peer', 'name', 'lan0', 'netns', LAN_NS);
  await ip('-n', LAN_NS, 'address', 'add', '192.168.77.1/24', 'dev', 'lan0');
  await ip('-n', LAN_NS, 'link', 'set', 'lan0', 'up');
  await ip('-n', NIC_NS, 'link', 'set', 'lo', 'up');
  await ip('-n', NIC_NS, 'address', 'add', '192.168.77.10/24', 'broadcast', '192.168.77.255', 'dev', 'nic0');
  await ip('-n', NIC_NS, 'link', 'set', 'nic0', 'up');
  await ip('-n', NIC_NS, 'route', 'add', 'default', 'via', '192.168.77.1', 'dev', 'nic0', 'metric', '100', 'proto', 'dhcp');
  await ip('-n', NIC_NS, 'route', 'add', '10.9.0.0/16', 'via', '192.168.77.254', 'dev', 'nic0');
  holder = startProgram(['ip', 'netns', 'exec', NIC_NS, 'sleep', 'infinity'], { quiet: true });
  // The helper runs as root inside the NIC namespace, as pkexec would run it on a host.
  helper = new HelperClient(['ip', 'netns', 'exec', NIC_NS, process.execPath, ...HELPER_SOURCE]);
  // IPv6 duplicate address detection marks fresh link-local addresses "tentative" for a moment;
  // wait it out so the comparisons see settled state.
  while (JSON.stringify(await kernelState()).includes('tentative')) await new Promise((resolve) => setTimeout(resolve, 200));
});

afterAll(async () => {
  await helper?.close();
  holder?.kill();
  await ip('netns', 'delete', NIC_NS).catch(() => undefined);
  await ip('netns', 'delete', LAN_NS).catch(() => undefined);
});

describe('host bridge transactions through the helper', () => {
  it('bridges the NIC, reaches the gateway through the bridge, and a rollback restores ip -json exactly', async () => {
    const before = await kernelState();
    const { status } = await applyCreation();
    expect(status.state).toBe('open');
    await expectBridged();
    await expect(helper.call('probe.gateway', { dev: 'br-sy', address: '192.168.77.1' })).resolves.toMatchObject({ reachable: true });

    const rolledBack = await helper.call('transaction.rollback', { transaction: status.transaction });
    expect(rolledBack).toMatchObject({ state: 'rolled-back', differences: [] });
    expect(await kernelState()).toEqual(before);
    await expect(helper.call('transaction.confirm', { transaction: status.transaction })).rejects.toThrow(/already rolled back/);
  });

  it('rolls back by itself when the countdown runs out', async () => {
    const before = await kernelState();
    const { status } = await applyCreation(5);
    await expectBridged();
    await new Promise((resolve) => setTimeout(resolve, 6500));
    expect(await helper.call('transaction.status', { transaction: status.transaction })).toMatchObject({
      state: 'rolled-back',
      reason: expect.stringMatching(/countdown ran out/),
      differences: [],
    });
    expect(await kernelState()).toEqual(before);
  });

  it('rolls back at once when a step fails, naming the step', async () => {
    const before = await kernelState();
    const plan = planBridgeCreation(await states(), choices, new Set());
    const failing = [...plan.steps.slice(0, 7), { op: 'link.set-master' as const, name: 'nic0', master: 'nic0' }, ...plan.steps.slice(7)];
    await expect(
      helper.call('transaction.apply', { steps: failing, interfaces: plan.interfaces, rollbackAfterSeconds: 60 }),
    ).rejects.toThrow(/Step 8 \(ip link set dev nic0 master nic0\) failed: .* Everything was rolled back\./);
    expect(await kernelState()).toEqual(before);
  });

  it('refuses steps on interfaces the transaction does not snapshot', async () => {
    await expect(
      helper.call('transaction.apply', { steps: [{ op: 'link.set-state', name: 'lo', up: false }], interfaces: ['nic0'], rollbackAfterSeconds: 60 }),
    ).rejects.toThrow(/touches lo, which the transaction does not snapshot/);
  });

  it('keeps a confirmed bridge, and removes it the same safe way', async () => {
    const before = await kernelState();
    const { status } = await applyCreation();
    await helper.call('transaction.confirm', { transaction: status.transaction });
    await expectBridged();

    const removal = planBridgeRemoval(await states(), 'br-sy');
    const removing = await helper.call('transaction.apply', { steps: removal.steps, interfaces: removal.interfaces, rollbackAfterSeconds: 60 });
    await expect(helper.call('probe.gateway', { dev: 'nic0', address: '192.168.77.1' })).resolves.toMatchObject({ reachable: true });
    await helper.call('transaction.confirm', { transaction: removing.transaction });
    expect(await kernelState()).toEqual(before);
  });

  it('rolls back what is open when the app goes away (stdin closes)', async () => {
    const before = await kernelState();
    await applyCreation();
    await expectBridged();
    await helper.close();
    expect(await kernelState()).toEqual(before);
  });
});

describe('the helper without root', () => {
  it('runs as nobody in an unshare -rn namespace: bridge, enslave-free steps, rollback', async () => {
    const unprivileged = new HelperClient([
      'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'unshare', '-rn', '--', process.execPath, ...HELPER_SOURCE,
    ]);
    try {
      const steps = [
        { op: 'link.add-bridge' as const, name: 'br-t', stp: true },
        { op: 'address.add' as const, dev: 'br-t', address: { family: 'ipv4' as const, cidr: '10.200.0.1/24' } },
        { op: 'link.set-state' as const, name: 'br-t', up: true },
      ];
      const status = await unprivileged.call('transaction.apply', { steps, interfaces: ['br-t'], rollbackAfterSeconds: 60 });
      expect(await unprivileged.call('transaction.rollback', { transaction: status.transaction })).toMatchObject({
        state: 'rolled-back',
        differences: [],
      });
      await expect(
        unprivileged.call('transaction.apply', { steps: [{ op: 'link.delete-bridge', name: 'lo' }], interfaces: ['lo'], rollbackAfterSeconds: 60 }),
      ).rejects.toThrow(/lo is not a bridge; the helper deletes only bridges/);
    } finally {
      await unprivileged.close();
    }
  });
});
