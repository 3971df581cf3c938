// Which lease source a connection gets: files (watched) only where they are on this machine.
import { describe, expect, it } from 'vitest';
import { LeaseFileHost, VirshLeaseHost } from '../host/leases';
import { connectHosts } from './bootstrap';

const leasesFor = (uri: string, hostNamespacePid?: number) =>
  connectHosts({ uri, ...(hostNamespacePid !== undefined ? { hostNamespacePid } : {}) }, uri).leases;

describe('the lease source of a connection', () => {
  it('reads and watches the files of this machine’s system libvirt', () => {
    expect(leasesFor('qemu:///system')).toBeInstanceOf(LeaseFileHost);
    expect(leasesFor('qemu+unix:///system')).toBeInstanceOf(LeaseFileHost);
  });

  it('reads a lab’s files through its namespace, even on the lab’s own socket', () => {
    expect(leasesFor('qemu:///system?socket=/tmp/lab/run/libvirt-sock', process.pid)).toBeInstanceOf(LeaseFileHost);
  });

  it('asks virsh for remote, session, test-driver and own-socket connections', () => {
    for (const uri of ['qemu+ssh://root@hypervisor/system', 'qemu+tcp://10.0.0.5/system', 'qemu:///session', 'test:///default', 'qemu:///system?socket=/srv/libvirt-sock']) {
      expect(leasesFor(uri), uri).toBeInstanceOf(VirshLeaseHost);
    }
  });
});
