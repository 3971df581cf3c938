// Leases and host entries against the real lab: the lease file watch through the lab's mount
// namespace, pushes without polling, and reservations / DNS entries that reach dnsmasq's files.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../shared/contract';
import type { Network, Snapshot } from '../../shared/model';
import { labCommandRunner, readLabInfo, startLab, stopLab, waitForLease, type LabGuest, type LabInfo } from '../../lab/lab';
import { localCommandRunner, runChecked } from '../host/command-runner';
import { LeaseFileHost, VirshLeaseHost } from '../host/leases';
import { Virsh } from '../host/virsh';
import { connectHosts, createCore } from './bootstrap';
import type { SwitchyardCore } from './core';
import { createHandlerTable, dispatchRequest, type HandlerTable } from './handlers';

const isRoot = process.getuid?.() === 0;

let lab: LabInfo;
let startedHere = false;
let core: SwitchyardCore;
let table: HandlerTable;
let guest: LabGuest;
let guestIp: string;
const snapshots: Snapshot[] = [];
let stopListening: (() => void) | undefined;

const virsh = (...args: string[]) => runChecked(localCommandRunner(), 'virsh', ['--connect', lab.uri, ...args]);
const labFile = (file: string) => runChecked(labCommandRunner(lab), 'cat', [file]);
const REFRESH_NEVER = 3_600_000;

function expectOk(result: Result<unknown>): Network {
  if (!result.ok) throw new Error(`${result.error.message} (${result.error.field ?? ''}: ${result.error.hint ?? ''})`);
  return result.value as Network;
}

describe.skipIf(!isRoot)('leases and host entries in the lab', () => {
  beforeAll(async () => {
    const running = await readLabInfo();
    startedHere = running === undefined;
    lab = running ?? (await startLab({ waitForLeases: true }));
    guest = lab.guests.find((g) => g.network === 'default')!;
    guestIp = await waitForLease(lab, guest.mac, 90_000);
    // Only the watch can bring lease changes: the periodic reread is off.
    core = createCore({ uri: lab.uri, hostNamespacePid: lab.nsPid }, { refreshIntervalMs: REFRESH_NEVER });
    table = createHandlerTable(core);
    stopListening = core.onSnapshot((snapshot) => snapshots.push(snapshot));
    core.start();
    await core.refresh();
  });

  afterAll(async () => {
    stopListening?.();
    core?.stop();
    // Whatever a failed test left behind goes, so the lab stays as it was.
    for (const [section, xml] of [
      ['ip-dhcp-host', `<host mac='${guest.mac}'/>`],
      ['dns-host', "<host ip='192.168.122.61'/>"],
      ['dns-host', "<host ip='192.168.122.62'/>"],
    ] as const) {
      await virsh('net-update', 'default', 'delete', section, xml, '--live', '--config').catch(() => undefined);
    }
    if (startedHere) await stopLab();
  });

  it('reads the same leases from the lab’s status files as virsh reports', async () => {
    const fromFiles = core.getSnapshot().leases.filter((l) => l.source === 'libvirt-status');
    const fromVirsh = await new VirshLeaseHost(new Virsh(lab.uri, localCommandRunner())).read(core.getSnapshot().networks);
    const key = (l: { network: string; ip: string; mac?: string; prefix?: number }) => `${l.network} ${l.ip}/${l.prefix} ${l.mac}`;
    // virsh hides expired leases; the files keep them until dnsmasq says "del".
    const now = Date.now() / 1000;
    expect(fromFiles.filter((l) => l.expiresAt === 0 || l.expiresAt > now).map(key).sort()).toEqual(fromVirsh.leases.map(key).sort());
    expect(fromFiles.find((l) => l.mac === guest.mac)).toMatchObject({ ip: guestIp, vm: guest.name, reserved: false });
  });

  it('asks virsh for the leases when the lease files are out of reach (a libvirtd on its own socket, no namespace)', async () => {
    // As for a remote URI: the files of this libvirtd are not under this process's root.
    const leases = connectHosts({ uri: lab.uri }, lab.uri).leases;
    expect(leases).toBeInstanceOf(VirshLeaseHost);
    expect(leases.pushesChanges).toBe(false);
    const reading = await leases.read(core.getSnapshot().networks);
    expect(reading.problems).toEqual([]);
    expect(reading.leases.find((l) => l.mac === guest.mac)).toMatchObject({ network: 'default', ip: guestIp, prefix: 24, source: 'virsh' });
  });

  it('sees libvirt’s lease database change through /proc/PID/root', async () => {
    const host = new LeaseFileHost({ root: `/proc/${lab.nsPid}/root`, fallback: new VirshLeaseHost(new Virsh(lab.uri, localCommandRunner())) });
    let changes = 0;
    const stop = host.watch(() => (changes += 1));
    try {
      await virsh('reset', guest.name);
      await expect.poll(() => changes, { timeout: 30_000 }).toBeGreaterThan(0);
    } finally {
      stop();
    }
  });

  it('pushes a renewed lease to subscribers with the periodic reread off', async () => {
    const before = core.getSnapshot().leases.find((l) => l.mac === guest.mac)!;
    await virsh('reset', guest.name);
    await expect
      .poll(() => core.getSnapshot().leases.find((l) => l.mac === guest.mac)?.expiresAt ?? 0, { timeout: 30_000 })
      .toBeGreaterThan(before.expiresAt);
  });

  it('pushes a rewrite of the lease database alone, with no reread of libvirt', async () => {
    // A reset also brings libvirt and link events, which reread everything; a rewrite made as
    // libvirt's helper makes it (new file renamed over the old) brings none, only the watch's push.
    const statusFile = `/proc/${lab.nsPid}/root/var/lib/libvirt/dnsmasq/virbr0.status`;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const entries = JSON.parse(await readFile(statusFile, 'utf8')) as { 'mac-address'?: string; 'expiry-time'?: number }[];
    const entry = entries.find((e) => e['mac-address'] === guest.mac)!;
    entry['expiry-time']! += 1;
    const pushedBefore = snapshots.length;
    await writeFile(`${statusFile}.new`, JSON.stringify(entries, null, 2));
    await rename(`${statusFile}.new`, statusFile);
    const pushed = () =>
      snapshots.findIndex((s, index) => index >= pushedBefore && s.leases.find((l) => l.mac === guest.mac)?.expiresAt === entry['expiry-time']);
    await expect.poll(pushed, { timeout: 5_000 }).toBeGreaterThan(0);
    const index = pushed();
    expect(snapshots[index]!.connection.lastReadAt).toBe(snapshots[index - 1]!.connection.lastReadAt);
  });

  it('refuses an address outside the subnet before libvirt is asked', async () => {
    const result = await dispatchRequest(table, 'reserveAddress', { network: 'default', mac: guest.mac, ip: '10.1.2.3' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ code: 'invalid-input', field: 'ip' });
    expect(await virsh('net-dumpxml', 'default')).not.toContain(guest.mac);
  });

  it('reserves a leased address, edits and removes the reservation, live and in dnsmasq’s hostsfile', async () => {
    const reserved = expectOk(await dispatchRequest(table, 'reserveAddress', { network: 'default', mac: guest.mac, ip: guestIp, name: 'guest-one' }));
    expect(reserved.ips[0]?.dhcpHosts).toContainEqual({ mac: guest.mac, ip: guestIp, name: 'guest-one' });
    expect(await virsh('net-dumpxml', 'default')).toContain(`<host mac='${guest.mac}' name='guest-one' ip='${guestIp}'/>`);
    expect(await virsh('net-dumpxml', '--inactive', 'default')).toContain(`<host mac='${guest.mac}' name='guest-one' ip='${guestIp}'/>`);
    expect(await labFile('/var/lib/libvirt/dnsmasq/default.hostsfile')).toContain(`${guest.mac},${guestIp},guest-one`);
    expect(core.getSnapshot().leases.find((l) => l.mac === guest.mac)?.reserved).toBe(true);

    const duplicate = await dispatchRequest(table, 'reserveAddress', { network: 'default', mac: '52:54:00:5a:00:99', ip: guestIp });
    expect(duplicate.ok).toBe(false);
    if (!duplicate.ok) expect(duplicate.error.field).toBe('ip');

    const edited = expectOk(
      await dispatchRequest(table, 'updateReservation', {
        network: 'default',
        original: { mac: guest.mac, ip: guestIp, name: 'guest-one' },
        mac: guest.mac,
        ip: '192.168.122.77',
        name: 'guest-renamed',
      }),
    );
    expect(edited.ips[0]?.dhcpHosts).toEqual([{ mac: guest.mac, ip: '192.168.122.77', name: 'guest-renamed' }]);
    expect(await labFile('/var/lib/libvirt/dnsmasq/default.hostsfile')).toBe(`${guest.mac},192.168.122.77,guest-renamed\n`);

    const removed = expectOk(
      await dispatchRequest(table, 'removeReservation', { network: 'default', mac: guest.mac, ip: '192.168.122.77', name: 'guest-renamed' }),
    );
    expect(removed.ips[0]?.dhcpHosts).toEqual([]);
    expect(await virsh('net-dumpxml', 'default')).not.toContain(guest.mac);
    expect(await labFile('/var/lib/libvirt/dnsmasq/default.hostsfile')).toBe('');
  });

  it('adds, replaces and removes a DNS host record in dnsmasq’s addnhosts', async () => {
    expectOk(await dispatchRequest(table, 'addDnsHost', { network: 'default', ip: '192.168.122.61', hostnames: ['nas', 'files'] }));
    expect(await labFile('/var/lib/libvirt/dnsmasq/default.addnhosts')).toContain('192.168.122.61\tnas\tfiles\t');

    const taken = await dispatchRequest(table, 'addDnsHost', { network: 'default', ip: '192.168.122.62', hostnames: ['nas'] });
    expect(taken.ok).toBe(false);
    if (!taken.ok) expect(taken.error.field).toBe('hostnames');

    const updated = expectOk(
      await dispatchRequest(table, 'updateDnsHost', {
        network: 'default',
        original: { ip: '192.168.122.61', hostnames: ['nas', 'files'] },
        ip: '192.168.122.62',
        hostnames: ['nas'],
      }),
    );
    expect(updated.dnsHosts).toEqual([{ ip: '192.168.122.62', hostnames: ['nas'] }]);
    expect(await labFile('/var/lib/libvirt/dnsmasq/default.addnhosts')).toBe('192.168.122.62\tnas\t\n');

    expectOk(await dispatchRequest(table, 'removeDnsHost', { network: 'default', ip: '192.168.122.62', hostnames: ['nas'] }));
    expect(await labFile('/var/lib/libvirt/dnsmasq/default.addnhosts')).toBe('');
  });
});
