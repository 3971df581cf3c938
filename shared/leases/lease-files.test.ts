import { describe, expect, it } from 'vitest';
import { LeaseSchema } from '../model';
import { switchyardError } from '../libvirt/test-support';
import { parseDnsmasqLeaseFile, parseLeaseStatusFile } from './lease-files';

const origin = { network: 'default', prefixes: { ipv4: 24, ipv6: 64 } };

// As libvirt_leaseshelper wrote it in the lab (libvirt 9.0, 2-space indentation).
const LAB_STATUS = `[
  {
    "ip-address": "192.168.122.102",
    "mac-address": "52:54:00:5a:00:01",
    "client-id": "01:52:54:00:5a:00:01",
    "expiry-time": 1795446823
  }
]
`;

// The reference's real-world example plus an IPv6 lease (iaid, DUID as client-id, server-duid).
const MIXED_STATUS = `[
    {
        "ip-address": "192.168.122.186",
        "mac-address": "52:54:00:8A:45:89",
        "hostname": "ubuntu18-04",
        "client-id": "ff:32:39:f9:b5:00:02:00:00:ab:11:1a:49:39:51:4b:f1:45:b4",
        "expiry-time": 1551337558
    },
    {
        "iaid": "9751800",
        "ip-address": "2001:db8:ca2:2:1::6c",
        "mac-address": "52:54:00:9b:c8:ef",
        "hostname": "fedora",
        "client-id": "00:04:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63",
        "server-duid": "00:01:00:01:2b:1c:3d:4e:52:54:00:11:22:33",
        "expiry-time": 1601891907
    },
    {
        "ip-address": "192.168.122.9",
        "mac-address": "52:54:00:00:00:09"
    }
]`;

describe('parseLeaseStatusFile', () => {
  it('reads the lab’s lease database', () => {
    expect(parseLeaseStatusFile(LAB_STATUS, origin)).toEqual([
      {
        network: 'default',
        family: 'ipv4',
        ip: '192.168.122.102',
        prefix: 24,
        mac: '52:54:00:5a:00:01',
        clientId: '01:52:54:00:5a:00:01',
        expiresAt: 1795446823,
        reserved: false,
        source: 'libvirt-status',
      },
    ]);
  });

  it('reads IPv4 and IPv6 leases, hostnames, upper-case MACs and infinite leases', () => {
    const leases = parseLeaseStatusFile(MIXED_STATUS, origin);
    for (const lease of leases) expect(() => LeaseSchema.parse(lease)).not.toThrow();
    expect(leases.map((l) => [l.family, l.ip, l.prefix, l.mac, l.hostname, l.expiresAt])).toEqual([
      ['ipv4', '192.168.122.186', 24, '52:54:00:8a:45:89', 'ubuntu18-04', 1551337558],
      ['ipv6', '2001:db8:ca2:2:1::6c', 64, '52:54:00:9b:c8:ef', 'fedora', 1601891907],
      // The helper leaves out expiry-time for an infinite lease.
      ['ipv4', '192.168.122.9', 24, '52:54:00:00:00:09', undefined, 0],
    ]);
    expect(leases[1]?.clientId).toBe('00:04:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63');
  });

  it('reads an empty file, whitespace and an empty array as no leases', () => {
    expect(parseLeaseStatusFile('', origin)).toEqual([]);
    expect(parseLeaseStatusFile('\n  \n', origin)).toEqual([]);
    expect(parseLeaseStatusFile('[]', origin)).toEqual([]);
  });

  it.each([
    ['cut in the middle of an entry', LAB_STATUS.slice(0, 60)],
    ['cut before the closing bracket', LAB_STATUS.trimEnd().slice(0, -1)],
    ['binary garbage', '\u0000\u0001\u00ff garbage'],
    ['a dnsmasq lease line', '1795446823 52:54:00:5a:00:01 192.168.122.102 * *\n'],
  ])('refuses a file %s', (_what, text) => {
    expect(() => parseLeaseStatusFile(text, origin)).toThrow(switchyardError('invalid-lease-file'));
  });

  it.each([
    ['an object instead of an array', '{"ip-address":"192.168.122.2"}', undefined],
    ['an entry that is not an object', '[42]', '[0]'],
    ['an entry without ip-address', '[{"mac-address":"52:54:00:00:00:01","expiry-time":1}]', '[0].ip-address'],
    ['an address that is not one', '[{"ip-address":"192.168.122.999","expiry-time":1}]', '[0].ip-address'],
    ['a MAC that is not one', '[{"ip-address":"10.0.0.2","mac-address":"52:54:00","expiry-time":1}]', '[0].mac-address'],
    ['an expiry that is text', '[{"ip-address":"10.0.0.2","expiry-time":"soon"}]', '[0].expiry-time'],
    ['a negative expiry', '[{"ip-address":"10.0.0.2","expiry-time":-5}]', '[0].expiry-time'],
    ['a hostname that is a number', '[{"ip-address":"10.0.0.2","hostname":7}]', '[0].hostname'],
  ])('refuses %s, naming the field', (_what, text, field) => {
    expect(() => parseLeaseStatusFile(text, origin)).toThrow(switchyardError('invalid-lease-file', field));
  });

  it('keeps long garbage out of the message', () => {
    try {
      parseLeaseStatusFile(`[{"ip-address":"${'x'.repeat(10_000)}"}]`, origin);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(200);
    }
  });
});

// dnsmasq's own format; the second IPv4 line is a non-Ethernet client (ARP type 6, token ring).
const DNSMASQ_LEASES = `1711667236 52:54:00:86:8e:e2 192.168.100.46 vm1 01:52:54:00:86:8e:e2
0 52:54:00:86:8e:e3 192.168.100.47 * *
1711667300 06-00:11:22:33:44:55 192.168.100.48 tr-host *
duid 00:01:00:01:2b:1c:3d:4e:52:54:00:11:22:33
1711667400 9751800 fd00::6c fedora 00:04:7e:7d:f0:7d:a8:bc
1711667401 T12 fd00::6d * 00:04:7e:7d:f0:7d:a8:bd
`;

describe('parseDnsmasqLeaseFile', () => {
  it('reads IPv4 and IPv6 lines, "*" placeholders and the server DUID line', () => {
    const leases = parseDnsmasqLeaseFile(DNSMASQ_LEASES, { network: 'lan' });
    for (const lease of leases) expect(() => LeaseSchema.parse(lease)).not.toThrow();
    expect(leases.map((l) => [l.family, l.ip, l.mac, l.hostname, l.clientId, l.expiresAt, l.source])).toEqual([
      ['ipv4', '192.168.100.46', '52:54:00:86:8e:e2', 'vm1', '01:52:54:00:86:8e:e2', 1711667236, 'dnsmasq-leases'],
      ['ipv4', '192.168.100.47', '52:54:00:86:8e:e3', undefined, undefined, 0, 'dnsmasq-leases'],
      ['ipv4', '192.168.100.48', undefined, 'tr-host', undefined, 1711667300, 'dnsmasq-leases'],
      ['ipv6', 'fd00::6c', undefined, 'fedora', '00:04:7e:7d:f0:7d:a8:bc', 1711667400, 'dnsmasq-leases'],
      ['ipv6', 'fd00::6d', undefined, undefined, '00:04:7e:7d:f0:7d:a8:bd', 1711667401, 'dnsmasq-leases'],
    ]);
  });

  it('reads an empty file as no leases', () => {
    expect(parseDnsmasqLeaseFile('', { network: 'lan' })).toEqual([]);
    expect(parseDnsmasqLeaseFile('\n', { network: 'lan' })).toEqual([]);
  });

  it.each([
    ['ends mid-line (truncated)', DNSMASQ_LEASES.slice(0, 100), 'line 2'],
    ['has a line with fields missing', '1711667236 52:54:00:86:8e:e2 192.168.100.46\n', 'line 1'],
    ['has a line with extra fields', '1 52:54:00:86:8e:e2 192.168.100.46 a b c\n', 'line 1'],
    ['has a non-numeric expiry', 'soon 52:54:00:86:8e:e2 192.168.100.46 * *\n', 'line 1.expiry'],
    ['has a bad MAC', '1 52:54:00:86:8e 192.168.100.46 * *\n', 'line 1.hardware address'],
    ['has a bad address', '1 52:54:00:86:8e:e2 192.168.100 * *\n', 'line 1.address'],
    ['has a MAC where an IPv6 IAID belongs', '1 52:54:00:86:8e:e2 fd00::1 * *\n', 'line 1.hardware address'],
    ['is a JSON status file', `${LAB_STATUS}`, 'line 1'],
    ['is garbage', 'GIF89a\u0000\u0001\u0002\n', 'line 1'],
  ])('refuses a file that %s, naming the line', (_what, text, field) => {
    expect(() => parseDnsmasqLeaseFile(text, { network: 'lan' })).toThrow(switchyardError('invalid-lease-file', field));
  });
});
