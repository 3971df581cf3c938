// Finding dnsmasq lease files from a process table laid out like /proc, with a host root beside it.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DnsmasqInstances } from './dnsmasq-instances';

let base: string;
let proc: string;
let root: string;

beforeEach(() => {
  base = mkdtempSync(path.join(tmpdir(), 'switchyard-dnsmasq-'));
  proc = path.join(base, 'proc');
  root = path.join(base, 'root');
  mkdirSync(path.join(root, 'etc/dnsmasq.d'), { recursive: true });
  fakeProcess(1, 'sleep', 'net:[100]', ['sleep', 'infinity']);
});

afterEach(() => rmSync(base, { recursive: true, force: true }));

function fakeProcess(pid: number, comm: string, netNamespace: string, argv: readonly string[]): void {
  const directory = path.join(proc, String(pid));
  mkdirSync(path.join(directory, 'ns'), { recursive: true });
  writeFileSync(path.join(directory, 'comm'), `${comm}\n`);
  writeFileSync(path.join(directory, 'cmdline'), `${argv.join('\0')}\0`);
  symlinkSync(netNamespace, path.join(directory, 'ns/net'));
}

const finder = () => new DnsmasqInstances({ namespacePid: 1, root, proc });
const files = async (instances = finder()) => (await instances.leaseFiles()).map((f) => f.file);

describe('DnsmasqInstances', () => {
  it('finds the lease file of each DHCP-serving dnsmasq in the namespace, and no other', async () => {
    fakeProcess(10, 'dnsmasq', 'net:[100]', ['dnsmasq', '--conf-file=/dev/null', '--dhcp-range=10.0.0.10,10.0.0.50', '--dhcp-leasefile=/run/br0.leases']);
    // libvirt's own: its leases come from BRIDGE.status.
    fakeProcess(11, 'dnsmasq', 'net:[100]', ['/usr/sbin/dnsmasq', '--conf-file=/var/lib/libvirt/dnsmasq/default.conf', '--leasefile-ro', '--dhcp-script=/usr/lib/libvirt/libvirt_leaseshelper']);
    // Another namespace's (another lab's, the host's).
    fakeProcess(12, 'dnsmasq', 'net:[200]', ['dnsmasq', '--conf-file=/dev/null', '--dhcp-range=10.0.0.10,10.0.0.50', '--dhcp-leasefile=/run/other.leases']);
    // Not dnsmasq at all.
    fakeProcess(13, 'bash', 'net:[100]', ['bash', '-c', 'dnsmasq --dhcp-range=1.2.3.4 -l /run/fake.leases']);
    expect(await finder().leaseFiles()).toEqual([{ file: '/run/br0.leases', name: 'dnsmasq /run/br0.leases' }]);
  });

  it('follows /etc/dnsmasq.conf and its conf-dir to the lease setting, or dnsmasq’s default', async () => {
    writeFileSync(path.join(root, 'etc/dnsmasq.conf'), '# Debian\nconf-dir=/etc/dnsmasq.d,.dpkg-dist\n');
    writeFileSync(path.join(root, 'etc/dnsmasq.d/lan.conf'), 'interface=br-lan\ndhcp-range=172.30.0.10,172.30.0.90,1h\ndhcp-leasefile=/var/lib/misc/lan.leases\n');
    writeFileSync(path.join(root, 'etc/dnsmasq.d/old.dpkg-dist'), 'dhcp-leasefile=/var/lib/misc/old.leases\n');
    fakeProcess(20, 'dnsmasq', 'net:[100]', ['/usr/sbin/dnsmasq', '-x', '/run/dnsmasq/dnsmasq.pid', '-u', 'dnsmasq']);
    expect(await finder().leaseFiles()).toEqual([{ file: '/var/lib/misc/lan.leases', name: 'dnsmasq on br-lan' }]);

    writeFileSync(path.join(root, 'etc/dnsmasq.d/lan.conf'), 'dhcp-range=172.30.0.10,172.30.0.90,1h\n');
    fakeProcess(21, 'dnsmasq', 'net:[100]', ['/usr/sbin/dnsmasq', '-k']);
    expect(await files()).toEqual(['/var/lib/misc/dnsmasq.leases']);
  });

  it('finds nothing for a DNS-only dnsmasq, or when the namespace is gone', async () => {
    fakeProcess(30, 'dnsmasq', 'net:[100]', ['dnsmasq', '--conf-file=/dev/null', '--no-resolv']);
    expect(await files()).toEqual([]);
    expect(await files(new DnsmasqInstances({ namespacePid: 999, root, proc }))).toEqual([]);
  });

  it('reads a process’s configuration once, and forgets a process that ended', async () => {
    fakeProcess(40, 'dnsmasq', 'net:[100]', ['dnsmasq', '-C', '/etc/lab.conf']);
    writeFileSync(path.join(root, 'etc/lab.conf'), 'dhcp-range=10.9.0.10,10.9.0.20\ndhcp-leasefile=/run/lab.leases\n');
    const instances = finder();
    expect(await files(instances)).toEqual(['/run/lab.leases']);
    // dnsmasq would not notice this edit before a restart, so neither do we.
    writeFileSync(path.join(root, 'etc/lab.conf'), 'dhcp-range=10.9.0.10,10.9.0.20\ndhcp-leasefile=/run/edited.leases\n');
    expect(await files(instances)).toEqual(['/run/lab.leases']);
    rmSync(path.join(proc, '40'), { recursive: true });
    expect(await files(instances)).toEqual([]);
  });
});
