import { describe, expect, it } from 'vitest';
import { confDirFiles, dnsmasqCommandLineOptions, dnsmasqConfigOptions, dnsmasqLeaseFile } from './dnsmasq-config';

describe('dnsmasqCommandLineOptions', () => {
  it('reads long options with = or a separate value, and the short forms', () => {
    expect(
      dnsmasqCommandLineOptions(['--keep-in-foreground', '--dhcp-range=10.0.0.10,10.0.0.50', '--conf-file', '/etc/a.conf', '-l/run/a.leases', '-C', '/etc/b.conf', '-9']),
    ).toEqual([
      { name: 'keep-in-foreground' },
      { name: 'dhcp-range', value: '10.0.0.10,10.0.0.50' },
      { name: 'conf-file', value: '/etc/a.conf' },
      { name: 'dhcp-leasefile', value: '/run/a.leases' },
      { name: 'conf-file', value: '/etc/b.conf' },
      { name: 'leasefile-ro' },
    ]);
  });

  it('skips short options it does not know, and reads the older --dhcp-lease-file spelling', () => {
    expect(dnsmasqCommandLineOptions(['-k', '-i', 'br0', '-u', 'dnsmasq', '--dhcp-lease-file=/x.leases'])).toEqual([
      { name: 'interface', value: 'br0' },
      { name: 'dhcp-leasefile', value: '/x.leases' },
    ]);
  });
});

describe('dnsmasqConfigOptions', () => {
  it('reads name=value and bare names, skipping comments and blank lines', () => {
    const text = '# a comment\n\ninterface=br0\n  dhcp-range=10.0.0.10,10.0.0.50,12h\nleasefile-ro\ndhcp-leasefile="/var/lib/a b.leases"\n';
    expect(dnsmasqConfigOptions(text)).toEqual([
      { name: 'interface', value: 'br0' },
      { name: 'dhcp-range', value: '10.0.0.10,10.0.0.50,12h' },
      { name: 'leasefile-ro' },
      { name: 'dhcp-leasefile', value: '/var/lib/a b.leases' },
    ]);
  });
});

describe('confDirFiles', () => {
  const entries = ['b.conf', 'a.conf', 'README', '.hidden', 'c.conf~', '#d.conf#', 'e.dpkg-dist'];

  it('reads every file but dotfiles and backups, in name order', () => {
    expect(confDirFiles('/etc/dnsmasq.d/', entries)).toEqual(['/etc/dnsmasq.d/README', '/etc/dnsmasq.d/a.conf', '/etc/dnsmasq.d/b.conf', '/etc/dnsmasq.d/e.dpkg-dist']);
  });

  it('skips the listed extensions, or reads only the *-marked ones', () => {
    expect(confDirFiles('/etc/dnsmasq.d,.dpkg-dist,README', entries)).toEqual(['/etc/dnsmasq.d/a.conf', '/etc/dnsmasq.d/b.conf']);
    expect(confDirFiles('/etc/dnsmasq.d,*.conf', entries)).toEqual(['/etc/dnsmasq.d/a.conf', '/etc/dnsmasq.d/b.conf']);
  });
});

describe('dnsmasqLeaseFile', () => {
  const range = { name: 'dhcp-range', value: '10.0.0.10,10.0.0.50' };

  it('is the first dhcp-leasefile, or dnsmasq’s default', () => {
    expect(dnsmasqLeaseFile([range, { name: 'dhcp-leasefile', value: '/run/a.leases' }, { name: 'dhcp-leasefile', value: '/run/b.leases' }])?.file).toBe('/run/a.leases');
    expect(dnsmasqLeaseFile([range])?.file).toBe('/var/lib/misc/dnsmasq.leases');
  });

  it('names the instance by the interfaces it serves, else by its file', () => {
    const served = [range, { name: 'interface', value: 'br0,br1' }, { name: 'interface', value: 'br2' }];
    expect(dnsmasqLeaseFile(served)?.name).toBe('dnsmasq on br0, br1, br2');
    expect(dnsmasqLeaseFile([range])?.name).toBe('dnsmasq /var/lib/misc/dnsmasq.leases');
  });

  it('is none for a DNS-only dnsmasq or one told to keep no lease file (libvirt’s own)', () => {
    expect(dnsmasqLeaseFile([{ name: 'dhcp-leasefile', value: '/run/a.leases' }])).toBeUndefined();
    expect(dnsmasqLeaseFile([range, { name: 'leasefile-ro' }])).toBeUndefined();
  });
});
