import { describe, expect, it } from 'vitest';
import { switchyardError } from '../libvirt/test-support';
import {
  dnsmasqConfFile,
  libvirtNetworkOfConfFile,
  parseDefaultRouteDevs,
  parseDnsmasqConf,
  parseGrepFiles,
  parseIpLinkDetails,
  parseIpNeigh,
  parseMasqueradedSubnets,
  parseNftMasqueradedSubnets,
  parseParentPid,
  parseProcCmdline,
  parseSysfsLink,
  parseTunFdinfo,
  qemuGuestName,
} from './host-parsers';

describe('parseIpLinkDetails', () => {
  // Trimmed from `ip -json -details link show` on a host with a NIC, a libvirt bridge and a guest's tap.
  const output = JSON.stringify([
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], link_type: 'loopback' },
    { ifindex: 2, ifname: 'enp3s0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], link_type: 'ether', parentbus: 'pci' },
    { ifindex: 3, ifname: 'wlp4s0', flags: ['BROADCAST', 'MULTICAST', 'UP'], link_type: 'ether', parentbus: 'pci' },
    { ifindex: 4, ifname: 'virbr0', flags: ['UP', 'LOWER_UP'], linkinfo: { info_kind: 'bridge' } },
    {
      ifindex: 5,
      ifname: 'vnet0',
      flags: ['UP', 'LOWER_UP'],
      linkinfo: { info_kind: 'tun', info_slave_kind: 'bridge', info_slave_data: { state: 'forwarding' } },
    },
  ]);

  it('tells hardware NICs (on a bus, no link kind) from virtual links, with carrier and port state', () => {
    expect(parseIpLinkDetails(output)).toEqual([
      { detail: { name: 'lo', carrier: true, physical: false, wireless: false }, ifindex: 1 },
      { detail: { name: 'enp3s0', carrier: true, physical: true, wireless: false }, ifindex: 2 },
      { detail: { name: 'wlp4s0', carrier: false, physical: true, wireless: false }, ifindex: 3 },
      { detail: { name: 'virbr0', carrier: true, physical: false, wireless: false }, ifindex: 4 },
      { detail: { name: 'vnet0', carrier: true, physical: false, wireless: false, portState: 'forwarding' }, ifindex: 5 },
    ]);
  });

  it('rejects output that is not ip’s JSON', () => {
    expect(() => parseIpLinkDetails('1: lo: <LOOPBACK>')).toThrow(switchyardError('invalid-output'));
    expect(() => parseIpLinkDetails('[{"ifindex": 1}]')).toThrow(switchyardError('invalid-output', '0.ifname'));
  });
});

describe('route and neighbour output', () => {
  it('names the links of default routes, and none for an empty table', () => {
    const routes = '[{"dst":"default","gateway":"192.0.2.1","dev":"enp3s0","protocol":"dhcp"},{"dst":"default","type":"blackhole"}]';
    expect(parseDefaultRouteDevs(routes)).toEqual(['enp3s0']);
    expect(parseDefaultRouteDevs('')).toEqual([]);
  });

  it('keeps neighbours with a link-layer address, lowercase, and drops failed ones', () => {
    const neighbours = JSON.stringify([
      { dst: '192.168.122.50', dev: 'virbr0', lladdr: '52:54:00:AA:00:01', state: ['REACHABLE'] },
      { dst: '192.168.122.51', dev: 'virbr0', state: ['INCOMPLETE'] },
      { dst: '192.168.122.52', dev: 'virbr0', lladdr: '52:54:00:aa:00:02', state: ['FAILED'] },
      { dst: 'fe80::5054:ff:feaa:3', dev: 'virbr0', lladdr: '52:54:00:aa:00:03', state: ['STALE'] },
    ]);
    expect(parseIpNeigh(neighbours)).toEqual([
      { ip: '192.168.122.50', mac: '52:54:00:aa:00:01', dev: 'virbr0' },
      { ip: 'fe80::5054:ff:feaa:3', mac: '52:54:00:aa:00:03', dev: 'virbr0' },
    ]);
  });
});

describe('sysfs through grep', () => {
  it('splits grep -H output by file, keeping colons inside lines', () => {
    const files = parseGrepFiles('/sys/class/net/enp3s0/uevent:INTERFACE=enp3s0\n/sys/class/net/enp3s0/uevent:IFINDEX=2\n/a/b:x:y\n');
    expect(files).toEqual(
      new Map([
        ['/sys/class/net/enp3s0/uevent', ['INTERFACE=enp3s0', 'IFINDEX=2']],
        ['/a/b', ['x:y']],
      ]),
    );
  });

  it('reads ifindex, wireless and a known speed; -1 means unknown', () => {
    expect(parseSysfsLink(['INTERFACE=wlp4s0', 'IFINDEX=3', 'DEVTYPE=wlan'], ['-1'])).toEqual({ ifindex: 3, wireless: true });
    expect(parseSysfsLink(['INTERFACE=enp3s0', 'IFINDEX=2'], ['1000'])).toEqual({ ifindex: 2, wireless: false, speedMbps: 1000 });
    expect(parseSysfsLink()).toEqual({ wireless: false });
  });
});

describe('/proc', () => {
  it('finds the tap in the fdinfo of a /dev/net/tun descriptor', () => {
    // /proc/PID/fdinfo/N of QEMU's tap fd, as seed 000 reads it.
    expect(parseTunFdinfo('pos:\t0\nflags:\t0104002\nmnt_id:\t26\nino:\t1045\niff:\tvnet12\n')).toBe('vnet12');
    expect(parseTunFdinfo('pos:\t0\nflags:\t02\n')).toBeUndefined();
  });

  it('splits a NUL-separated command line', () => {
    expect(parseProcCmdline('qemu-system-x86_64\0-name\0guest=web,debug-threads=on\0')).toEqual(['qemu-system-x86_64', '-name', 'guest=web,debug-threads=on']);
  });

  it('takes the guest name from -name in libvirt’s and in the plain form, with QEMU’s comma escape', () => {
    expect(qemuGuestName(['qemu', '-name', 'guest=lab-guest-1,debug-threads=on'])).toBe('lab-guest-1');
    expect(qemuGuestName(['qemu', '-name', 'rogue-vm'])).toBe('rogue-vm');
    expect(qemuGuestName(['qemu', '-name', 'guest=a,,b,debug-threads=on'])).toBe('a,b');
    expect(qemuGuestName(['qemu', '-m', '32'])).toBeUndefined();
    expect(qemuGuestName(['qemu', '-name', 'process=x'])).toBeUndefined();
  });

  it('reads the parent pid from status', () => {
    expect(parseParentPid('Name:\tdnsmasq\nPid:\t812\nPPid:\t811\n')).toBe(811);
    expect(parseParentPid('Name:\tx\n')).toBeUndefined();
  });
});

describe('dnsmasq', () => {
  it('finds the configuration file in either option form, and the libvirt network it belongs to', () => {
    const libvirt = ['/usr/sbin/dnsmasq', '--conf-file=/var/lib/libvirt/dnsmasq/default.conf', '--leasefile-ro'];
    expect(dnsmasqConfFile(libvirt)).toBe('/var/lib/libvirt/dnsmasq/default.conf');
    expect(dnsmasqConfFile(['dnsmasq', '-C', '/etc/dnsmasq.d/lab.conf'])).toBe('/etc/dnsmasq.d/lab.conf');
    expect(dnsmasqConfFile(['dnsmasq', '--keep-in-foreground'])).toBeUndefined();
    expect(libvirtNetworkOfConfFile('/var/lib/libvirt/dnsmasq/lab-isolated.conf')).toBe('lab-isolated');
    expect(libvirtNetworkOfConfFile('/etc/dnsmasq.conf')).toBeUndefined();
  });

  it('reads interface= and listen-address= settings, skipping comments', () => {
    const conf = '##WARNING: THIS IS AN AUTO-GENERATED FILE.\n#interface=old0\nstrict-order\ninterface=virbr0\nlisten-address=10.0.0.1,10.0.1.1\n';
    expect(parseDnsmasqConf(conf)).toEqual({ interfaces: ['virbr0'], listenAddresses: ['10.0.0.1', '10.0.1.1'] });
  });
});

describe('NAT rules', () => {
  it('finds the subnets libvirt masquerades in iptables-save output, not the exceptions', () => {
    // The lab's `iptables-save -t nat` with libvirt's iptables backend.
    const rules = [
      '*nat',
      ':LIBVIRT_PRT - [0:0]',
      '-A POSTROUTING -j LIBVIRT_PRT',
      '-A LIBVIRT_PRT -s 192.168.122.0/24 -d 224.0.0.0/24 -j RETURN',
      '-A LIBVIRT_PRT -s 192.168.122.0/24 ! -d 192.168.122.0/24 -p tcp -j MASQUERADE --to-ports 1024-65535',
      '-A LIBVIRT_PRT -s 192.168.122.0/24 ! -d 192.168.122.0/24 -j MASQUERADE',
      '-A POSTROUTING ! -s 10.9.0.0/16 -j MASQUERADE',
      '-A POSTROUTING -s 172.17.0.0/16 -o eth0 -j SNAT --to-source 192.0.2.7',
      'COMMIT',
    ].join('\n');
    expect(parseMasqueradedSubnets(rules)).toEqual(['192.168.122.0/24', '172.17.0.0/16']);
  });

  it('finds them in nft JSON: libvirt’s nftables rules, iptables-nft’s xt targets and snat', () => {
    const source = (addr: string, len: number) => ({
      match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: { prefix: { addr, len } } },
    });
    const notTo = (addr: string, len: number) => ({
      match: { op: '!=', left: { payload: { protocol: 'ip', field: 'daddr' } }, right: { prefix: { addr, len } } },
    });
    const ruleset = JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6', json_schema_version: 1 } },
        { table: { family: 'ip', name: 'libvirt_network', handle: 1 } },
        { rule: { family: 'ip', table: 'libvirt_network', chain: 'guest_nat', expr: [source('192.168.122.0', 24), notTo('192.168.122.0', 24), { masquerade: null }] } },
        { rule: { family: 'ip', table: 'nat', chain: 'LIBVIRT_PRT', expr: [source('10.20.0.0', 16), notTo('10.20.0.0', 16), { counter: {} }, { xt: { type: 'target', name: 'MASQUERADE' } }] } },
        { rule: { family: 'ip', table: 'nat', chain: 'POSTROUTING', expr: [{ match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: '10.30.0.5' } }, { snat: { addr: '192.0.2.7' } }] } },
        { rule: { family: 'ip', table: 'nat', chain: 'LIBVIRT_PRT', expr: [source('10.40.0.0', 24), { return: null }] } },
        { rule: { family: 'ip', table: 'filter', chain: 'FORWARD', expr: [{ accept: null }] } },
      ],
    });
    expect(parseNftMasqueradedSubnets(ruleset)).toEqual(['192.168.122.0/24', '10.20.0.0/16', '10.30.0.5/32']);
    expect(parseNftMasqueradedSubnets('{"nftables": []}')).toEqual([]);
    expect(() => parseNftMasqueradedSubnets('table ip nat {')).toThrow(/not JSON/);
  });
});
