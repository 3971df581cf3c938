// A dnsmasq that libvirt does not run, for real: the test makes a bridge inside the lab's network
// namespace, starts its own dnsmasq on it (lease file of its own choosing), and boots a guest on
// the bridge. The core must find that dnsmasq among the lab's processes, read the lease it grants
// with the periodic reread off, and push the file's changes through its watch; a garbage write to
// the file is reported and the last good leases stay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Snapshot } from '../../shared/model';
import { startExtraDnsmasq, type ExtraDnsmasq } from '../../lab/extra-dnsmasq';
import { defineGuestCopy } from '../../lab/guest-copy';
import { readLabInfo, startLab, stopLab, type LabInfo } from '../../lab/lab';
import { localCommandRunner, runChecked } from '../host/command-runner';
import { createCore } from './bootstrap';
import type { SwitchyardCore } from './core';

const isRoot = process.getuid?.() === 0;

const BRIDGE = 'swy-dnsmasq0';
const GUEST = { name: 'lab-guest-dnsmasq', mac: '52:54:00:5c:00:01' };
const REFRESH_NEVER = 3_600_000;

let lab: LabInfo;
let startedHere = false;
let core: SwitchyardCore | undefined;
let dnsmasq: ExtraDnsmasq | undefined;
const snapshots: Snapshot[] = [];

const virsh = (...args: string[]) => runChecked(localCommandRunner(), 'virsh', ['--connect', lab.uri, ...args]);
const guestLease = (snapshot: Snapshot) => snapshot.leases.find((l) => l.mac === GUEST.mac);

async function removeGuest(): Promise<void> {
  await virsh('destroy', GUEST.name).catch(() => undefined);
  await virsh('undefine', GUEST.name).catch(() => undefined);
}

describe.skipIf(!isRoot)('a dnsmasq libvirt does not run, in the lab', () => {
  beforeAll(async () => {
    const running = await readLabInfo();
    startedHere = running === undefined;
    lab = running ?? (await startLab());
    await removeGuest();
    dnsmasq = await startExtraDnsmasq(lab, {
      bridge: BRIDGE,
      address: '10.88.0.1/24',
      range: '10.88.0.100,10.88.0.150,12h',
      // Under /var/lib/libvirt, which the lab bind-mounts from its own state directory.
      directory: '/var/lib/libvirt/switchyard-dnsmasq-test',
    });
    await defineGuestCopy(lab, lab.guests[0]!, { ...GUEST, bridge: BRIDGE });
    // Leases reach the core only through the file watch: the periodic reread is off.
    core = createCore({ uri: lab.uri, hostNamespacePid: lab.nsPid }, { refreshIntervalMs: REFRESH_NEVER });
    core.onSnapshot((snapshot) => snapshots.push(snapshot));
    core.start();
    await core.refresh();
  });

  afterAll(async () => {
    core?.stop();
    await removeGuest();
    await dnsmasq?.stop();
    if (startedHere) await stopLab();
  });

  it('pushes the lease the test’s dnsmasq grants, with the VM’s name, from the file it found', async () => {
    expect(core!.getSnapshot().leaseProblems).toEqual([]);
    await virsh('start', GUEST.name);
    await expect.poll(() => guestLease(core!.getSnapshot()), { timeout: 90_000, interval: 200 }).toBeDefined();
    const lease = guestLease(core!.getSnapshot())!;
    expect(lease).toMatchObject({ network: `dnsmasq on ${BRIDGE}`, source: 'dnsmasq-leases', vm: GUEST.name, family: 'ipv4' });
    expect(lease.ip).toMatch(/^10\.88\.0\.(1[0-4][0-9]|150)$/);
    // The same line dnsmasq wrote.
    expect(await readFile(dnsmasq!.hostLeaseFile, 'utf8')).toContain(` ${GUEST.mac} ${lease.ip} `);
  });

  it('pushes a rewrite of that file alone, with no reread of libvirt', async () => {
    // Starting a guest also brings libvirt and link events, which reread everything; a rewrite in
    // place, as dnsmasq rewrites its file, brings nothing but the watch's push.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const lease = guestLease(core!.getSnapshot())!;
    const text = await readFile(dnsmasq!.hostLeaseFile, 'utf8');
    const pushedBefore = snapshots.length;
    writeFileSync(dnsmasq!.hostLeaseFile, text.replace(`${lease.expiresAt} ${GUEST.mac}`, `${lease.expiresAt + 1} ${GUEST.mac}`));
    const pushed = () => snapshots.findIndex((s, index) => index >= pushedBefore && guestLease(s)?.expiresAt === lease.expiresAt + 1);
    await expect.poll(pushed, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(snapshots[pushed()]!.connection.lastReadAt).toBe(snapshots[pushed() - 1]!.connection.lastReadAt);
  });

  it('reports a garbage write to that file and keeps showing the lease last read from it', async () => {
    const lease = guestLease(core!.getSnapshot())!;
    writeFileSync(dnsmasq!.hostLeaseFile, 'this is not a lease file\n');
    await expect.poll(() => core!.getSnapshot().leaseProblems.map((p) => p.source), { timeout: 10_000 }).toEqual([dnsmasq!.leaseFile]);
    expect(core!.getSnapshot().leaseProblems[0]!.error).toMatchObject({ code: 'invalid-lease-file', field: 'line 1' });
    expect(guestLease(core!.getSnapshot())).toEqual(lease);
  });
});
