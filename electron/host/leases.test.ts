// The lease file module against a real directory tree standing in for a host root: reading,
// the last good state after a bad write, and fs.watch seeing libvirt's write-and-rename.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseNetworkXml } from '../../shared/libvirt/network-xml';
import type { Lease, Network } from '../../shared/model';
import { LeaseFileHost, type LeaseHost, type LeaseReading } from './leases';

// Counts the module's file reads, and lets a test make one fail as an unprivileged user's would.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, readFile: vi.fn(actual.readFile) };
});
const statusReads = () => vi.mocked(readFile).mock.calls.filter(([file]) => String(file).endsWith('.status')).length;

const network: Network = {
  ...parseNetworkXml(`<network><name>default</name><bridge name='virbr0'/><forward mode='nat'/>
    <ip address='192.168.122.1' prefix='24'><dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip></network>`),
  active: true,
  autostart: false,
  persistent: true,
};
const stopped: Network = { ...network, name: 'stopped', bridge: { name: 'virbr9' }, active: false };

const statusJson = (ip: string, mac: string) =>
  JSON.stringify([{ 'ip-address': ip, 'mac-address': mac, 'client-id': `01:${mac}`, 'expiry-time': 1795446823 }], null, 2);

/** A fallback that records which networks it was asked about. */
class RecordingLeaseHost implements LeaseHost {
  readonly pushesChanges = false;
  asked: string[] = [];
  async read(networks: readonly Network[]): Promise<LeaseReading> {
    this.asked.push(...networks.map((n) => n.name));
    return { leases: [], problems: [] };
  }
  watch(): () => void {
    return () => undefined;
  }
}

let root: string;
let dnsmasqDir: string;
let fallback: RecordingLeaseHost;
let host: LeaseFileHost;
let stopWatch: (() => void) | undefined;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'switchyard-leases-'));
  dnsmasqDir = path.join(root, 'var/lib/libvirt/dnsmasq');
  mkdirSync(dnsmasqDir, { recursive: true });
  mkdirSync(path.join(root, 'var/lib/misc'), { recursive: true });
  fallback = new RecordingLeaseHost();
  host = new LeaseFileHost({ root, fallback, findDnsmasqLeaseFiles: async () => [{ file: '/var/lib/misc/dnsmasq.leases', name: 'dnsmasq on br-lan' }] });
});

afterEach(() => {
  stopWatch?.();
  stopWatch = undefined;
  rmSync(root, { recursive: true, force: true });
});

/** Writes like libvirt's helper: a new file, renamed over the old one. */
function writeStatus(bridge: string, text: string): void {
  const file = path.join(dnsmasqDir, `${bridge}.status`);
  writeFileSync(`${file}.new`, text);
  renameSync(`${file}.new`, file);
}

const ips = (leases: Lease[]) => leases.map((l) => `${l.network} ${l.ip} ${l.source}`);

describe('LeaseFileHost', () => {
  it('reads the status file of each running network, and none of stopped ones', async () => {
    writeStatus('virbr0', statusJson('192.168.122.50', '52:54:00:00:00:50'));
    writeStatus('virbr9', statusJson('192.168.9.50', '52:54:00:00:09:50'));
    const reading = await host.read([network, stopped]);
    expect(ips(reading.leases)).toEqual(['default 192.168.122.50 libvirt-status']);
    expect(reading.leases[0]?.prefix).toBe(24);
    expect(reading.problems).toEqual([]);
    expect(fallback.asked).toEqual([]);
  });

  it('reads a missing status file as no leases, as libvirt does', async () => {
    expect(await host.read([network])).toEqual({ leases: [], problems: [] });
  });

  it('reads a plain dnsmasq lease file, placing leases in the libvirt network that holds them', async () => {
    writeFileSync(
      path.join(root, 'var/lib/misc/dnsmasq.leases'),
      '0 52:54:00:00:00:60 192.168.122.60 nas *\n1795446823 52:54:00:00:00:61 172.16.0.61 * *\n',
    );
    const reading = await host.read([network]);
    expect(ips(reading.leases)).toEqual([
      'default 192.168.122.60 dnsmasq-leases',
      'dnsmasq on br-lan 172.16.0.61 dnsmasq-leases',
    ]);
  });

  it('reports a half-written file and keeps the leases last read from it', async () => {
    writeStatus('virbr0', statusJson('192.168.122.50', '52:54:00:00:00:50'));
    await host.read([network]);
    writeStatus('virbr0', statusJson('192.168.122.51', '52:54:00:00:00:51').slice(0, 40));
    const reading = await host.read([network]);
    expect(ips(reading.leases)).toEqual(['default 192.168.122.50 libvirt-status']);
    expect(reading.problems).toEqual([
      expect.objectContaining({
        source: '/var/lib/libvirt/dnsmasq/virbr0.status',
        network: 'default',
        error: expect.objectContaining({ code: 'invalid-lease-file', hint: expect.any(String) }),
      }),
    ]);
    writeStatus('virbr0', statusJson('192.168.122.51', '52:54:00:00:00:51'));
    const repaired = await host.read([network]);
    expect(ips(repaired.leases)).toEqual(['default 192.168.122.51 libvirt-status']);
    expect(repaired.problems).toEqual([]);
  });

  it('asks the fallback (virsh) for a network whose status file this user may not read', async () => {
    writeStatus('virbr0', statusJson('192.168.122.50', '52:54:00:00:00:50'));
    vi.mocked(readFile).mockRejectedValueOnce(Object.assign(new Error('permission denied'), { code: 'EACCES' }));
    const reading = await host.read([network]);
    expect(fallback.asked).toEqual(['default']);
    expect(reading).toEqual({ leases: [], problems: [] });
  });

  it('reports a dnsmasq lease file this user may not read, which no fallback knows', async () => {
    writeFileSync(path.join(root, 'var/lib/misc/dnsmasq.leases'), '0 52:54:00:00:00:60 172.16.0.60 nas *\n');
    vi.mocked(readFile).mockImplementationOnce(async () => {
      throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
    });
    const reading = await host.read([]);
    expect(reading.leases).toEqual([]);
    expect(reading.problems).toEqual([
      expect.objectContaining({ source: '/var/lib/misc/dnsmasq.leases', error: expect.objectContaining({ code: 'permission-denied' }) }),
    ]);
    expect(fallback.asked).toEqual([]);
  });

  it('rereads a watched file only after the watch saw it change, not at every read', async () => {
    writeStatus('virbr0', statusJson('192.168.122.50', '52:54:00:00:00:50'));
    let changes = 0;
    stopWatch = host.watch(() => (changes += 1));
    await host.read([network]);
    const readsAfterFirst = statusReads();
    await host.read([network]);
    await host.read([network]);
    expect(statusReads()).toBe(readsAfterFirst);

    writeStatus('virbr0', statusJson('192.168.122.51', '52:54:00:00:00:51'));
    await expect.poll(() => changes, { timeout: 2000 }).toBeGreaterThan(0);
    expect(ips((await host.read([network])).leases)).toEqual(['default 192.168.122.51 libvirt-status']);
    expect(statusReads()).toBe(readsAfterFirst + 1);
  });

  it('reports a status path that cannot be read as a file, without a crash', async () => {
    mkdirSync(path.join(dnsmasqDir, 'virbr0.status'));
    const reading = await host.read([network]);
    expect(reading.leases).toEqual([]);
    expect(reading.problems.map((p) => p.source)).toEqual(['/var/lib/libvirt/dnsmasq/virbr0.status']);
  });

  it('sees the helper’s write-and-rename through fs.watch, and stops when told', async () => {
    let changes = 0;
    stopWatch = host.watch(() => (changes += 1));
    writeStatus('virbr0', statusJson('192.168.122.50', '52:54:00:00:00:50'));
    await expect.poll(() => changes, { timeout: 2000 }).toBeGreaterThan(0);
    // Files that are not lease files (dnsmasq's conf, hostsfile) are none of its business.
    const before = changes;
    writeFileSync(path.join(dnsmasqDir, 'default.hostsfile'), '52:54:00:00:00:50,192.168.122.50\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changes).toBe(before);
    stopWatch();
    stopWatch = undefined;
    writeStatus('virbr0', statusJson('192.168.122.52', '52:54:00:00:00:52'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changes).toBe(before);
  });

  it('starts watching a directory that appears later, at the next read', async () => {
    rmSync(dnsmasqDir, { recursive: true });
    let changes = 0;
    stopWatch = host.watch(() => (changes += 1));
    mkdirSync(dnsmasqDir);
    await host.read([network]);
    writeStatus('virbr0', statusJson('192.168.122.50', '52:54:00:00:00:50'));
    await expect.poll(() => changes, { timeout: 2000 }).toBeGreaterThan(0);
  });
});
