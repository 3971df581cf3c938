// The core against the real lab: what it reports equals what virsh and the lab's kernel say.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../shared/model';
import { labCommandRunner, readLabInfo, startLab, stopLab, waitForLease, type LabInfo } from '../../lab/lab';
import { localCommandRunner, runChecked } from '../host/command-runner';
import { createCore } from './bootstrap';
import type { SwitchyardCore } from './core';

const isRoot = process.getuid?.() === 0;

let lab: LabInfo;
let startedHere = false;
let core: SwitchyardCore;
let snapshot: Snapshot;

const virsh = (...args: string[]) => runChecked(localCommandRunner(), 'virsh', ['--connect', lab.uri, ...args]);
const labIpJson = async (...args: string[]) =>
  JSON.parse(await runChecked(labCommandRunner(lab), 'ip', ['-json', ...args])) as Record<string, unknown>[];
const names = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .sort();

describe.skipIf(!isRoot)('core against the lab', () => {
  beforeAll(async () => {
    const running = await readLabInfo();
    startedHere = running === undefined;
    lab = running ?? (await startLab({ waitForLeases: true }));
    for (const guest of lab.guests) await waitForLease(lab, guest.mac, 90_000);
    core = createCore({ uri: lab.uri, hostNamespacePid: lab.nsPid });
    snapshot = await core.refresh();
  });

  afterAll(async () => {
    core?.stop();
    if (startedHere) await stopLab();
  });

  it('is connected', () => {
    expect(snapshot.connection).toMatchObject({ uri: lab.uri, state: 'connected' });
    expect(snapshot.hostError).toBeUndefined();
  });

  it('reports the networks virsh lists, with their state', async () => {
    expect(snapshot.networks.map((n) => n.name).sort()).toEqual(names(await virsh('net-list', '--all', '--name')));
    const active = names(await virsh('net-list', '--name'));
    for (const network of snapshot.networks) expect(network.active).toBe(active.includes(network.name));
    const isolated = snapshot.networks.find((n) => n.name === 'lab-isolated');
    expect(isolated?.forward.mode).toBe('isolated');
    expect(snapshot.networks.find((n) => n.name === 'default')?.forward.mode).toBe('nat');
  });

  it('reports each running network’s bridge as the lab kernel has it', async () => {
    for (const network of snapshot.networks.filter((n) => n.active)) {
      const bridge = network.bridge?.name;
      expect(bridge).toBeTruthy();
      const [link] = await labIpJson('addr', 'show', 'dev', bridge!);
      const kernelAddresses = ((link?.addr_info ?? []) as { family: string; local: string }[])
        .filter((a) => a.family === 'inet')
        .map((a) => a.local);
      const reported = snapshot.hostInterfaces.find((i) => i.name === bridge);
      expect(reported?.kind).toBe('bridge');
      expect(reported?.addresses.filter((a) => a.family === 'ipv4').map((a) => a.address)).toEqual(kernelAddresses);
      expect(kernelAddresses).toContain(network.ips.find((ip) => ip.family === 'ipv4')?.address);
    }
  });

  it('reports the VMs and NICs virsh lists, with taps enslaved to the right bridge', async () => {
    expect(snapshot.vms.map((v) => v.name).sort()).toEqual(names(await virsh('list', '--all', '--name')));
    for (const vm of snapshot.vms) {
      expect(vm.state).toBe((await virsh('domstate', vm.name)).trim());
      const domiflist = await virsh('domiflist', vm.name);
      for (const nic of vm.nics) {
        expect(domiflist).toContain(nic.mac!);
        if (vm.state !== 'running') continue;
        expect(domiflist).toContain(nic.tap!);
        const tap = snapshot.hostInterfaces.find((i) => i.name === nic.tap);
        const bridge = snapshot.networks.find((n) => n.name === nic.network)?.bridge?.name;
        expect(tap?.master).toBe(bridge);
      }
    }
    const guestMacs = snapshot.vms.flatMap((vm) => vm.nics.map((nic) => nic.mac));
    for (const guest of lab.guests) expect(guestMacs).toContain(guest.mac);
  });

  it('reports the leases virsh reports, named after their VM', async () => {
    for (const guest of lab.guests) {
      const table = await virsh('net-dhcp-leases', guest.network);
      const lease = snapshot.leases.find((l) => l.mac === guest.mac);
      expect(lease, `lease of ${guest.name}`).toBeDefined();
      expect(table).toContain(`${lease!.ip}/${lease!.prefix}`);
      expect(lease).toMatchObject({ network: guest.network, vm: guest.name, family: 'ipv4' });
      expect(lease!.expiresAt * 1000).toBeGreaterThan(Date.now());
    }
  });

  it('answers network details with the attached guest', async () => {
    const details = await core.getNetworkDetails('lab-isolated');
    expect(details.xml).toContain('<name>lab-isolated</name>');
    expect(details.attached.map((a) => a.vm)).toContain('lab-guest-2');
    expect(details.leases.map((l) => l.mac)).toContain('52:54:00:5a:00:02');
  });
});
