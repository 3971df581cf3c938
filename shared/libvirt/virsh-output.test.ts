import { describe, expect, it } from 'vitest';
import { LeaseSchema } from '../model';
import { readFixture, switchyardError } from './test-support';
import { parseNameList, parseNetDhcpLeases, parseVirshTable, parseVmState } from './virsh-output';

/** Unix seconds of a local wall-clock time, the way virsh prints lease expiry. */
function localSeconds(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  return new Date(year, month - 1, day, hour, minute, second).getTime() / 1000;
}

describe('parseVirshTable', () => {
  it('reads net-list from the test driver, including a name with a space', () => {
    expect(parseVirshTable(readFixture('virsh/net-list-test-driver.txt'))).toEqual([
      { Name: 'default', State: 'active', Autostart: 'no', Persistent: 'yes' },
      { Name: 'lab net', State: 'inactive', Autostart: 'no', Persistent: 'yes' },
    ]);
  });

  it('reads list from the test driver', () => {
    expect(parseVirshTable(readFixture('virsh/list-test-driver.txt'))).toEqual([{ Id: '1', Name: 'test', State: 'running' }]);
  });

  it('reads domiflist from the lab and the test driver', () => {
    expect(parseVirshTable(readFixture('virsh/domiflist-lab.txt'))).toEqual([
      { Interface: 'vnet0', Type: 'network', Source: 'default', Model: 'virtio', MAC: '52:54:00:d2:b4:95' },
    ]);
    expect(parseVirshTable(readFixture('virsh/domiflist-test-driver.txt'))).toEqual([
      { Interface: 'testnet0', Type: 'network', Source: 'default', Model: '-', MAC: 'aa:bb:cc:dd:ee:ff' },
    ]);
  });

  it('reads domiflist with bridge, direct and stopped NICs', () => {
    expect(parseVirshTable(readFixture('virsh/domiflist-mixed.txt')).map((row) => `${row.Interface} ${row.Type} ${row.Source}`)).toEqual([
      'vnet0 network default',
      'vnet1 bridge br0',
      'macvtap0 direct eno1',
      '- network default',
    ]);
  });

  it('reads the pre-5.0 printf layouts', () => {
    expect(parseVirshTable(readFixture('virsh/domiflist-legacy.txt'))).toEqual([
      { Interface: 'vnet0', Type: 'network', Source: 'default', Model: 'virtio', MAC: '52:54:00:64:fc:47' },
    ]);
    expect(parseVirshTable(readFixture('virsh/net-list-legacy.txt'))).toEqual([
      { Name: 'default', State: 'active', Autostart: 'yes', Persistent: 'yes' },
    ]);
  });

  it('returns no rows for a table with only a header', () => {
    expect(parseVirshTable(' Name   State   Autostart   Persistent\n-----------------------------------------\n\n')).toEqual([]);
  });

  it('accepts CRLF line ends and leading blank lines', () => {
    expect(parseVirshTable('\r\n Id   Name\r\n-----------\r\n 1    a b\r\n')).toEqual([{ Id: '1', Name: 'a b' }]);
  });

  it('keeps a value that is as wide as its column ("no autostart")', () => {
    const text = ' Name      State    Autostart      Persistent\n-----------------------------------------------\n default   active   no autostart   yes\n';
    expect(parseVirshTable(text)).toEqual([{ Name: 'default', State: 'active', Autostart: 'no autostart', Persistent: 'yes' }]);
  });

  it.each([
    ['empty output', ''],
    ['blank lines', '\n\n'],
    ['a table with no header (virsh --quiet)', ' default   active   yes   yes\n isolated  inactive no  yes\n'],
    ['a header without the dashes line', ' Name   State\n default   active\n'],
    ['an error message', 'error: failed to connect to the hypervisor\nerror: Failed to connect socket\n'],
    ['name-list output', 'default\nlab net\n'],
  ])('rejects %s', (_, text) => {
    expect(() => parseVirshTable(text)).toThrow(switchyardError('invalid-output'));
  });

  it('quotes at most 80 characters of the unexpected line', () => {
    const line = 'x'.repeat(5000);
    expect(() => parseVirshTable(line)).toThrow(/"x{80}…"/);
  });
});

describe('parseNetDhcpLeases', () => {
  it('reads the lab lease', () => {
    expect(parseNetDhcpLeases(readFixture('virsh/net-dhcp-leases-lab.txt'), 'default')).toEqual([
      {
        network: 'default',
        family: 'ipv4',
        ip: '192.168.122.154',
        prefix: 24,
        mac: '52:54:00:d2:b4:95',
        clientId: '01:52:54:00:d2:b4:95',
        expiresAt: localSeconds(2026, 11, 23, 14, 18, 26),
        reserved: false,
        source: 'virsh',
      },
    ]);
  });

  it('reads IPv4 and IPv6 leases with hostnames and DUIDs', () => {
    const leases = parseNetDhcpLeases(readFixture('virsh/net-dhcp-leases-mixed.txt'), 'lan');
    for (const lease of leases) expect(() => LeaseSchema.parse(lease)).not.toThrow();
    expect(leases[1]).toEqual({
      network: 'lan',
      family: 'ipv6',
      ip: '2001:db8:ca2:2:1::6c',
      prefix: 64,
      mac: '52:54:00:9b:c8:ef',
      hostname: 'fedora',
      clientId: '00:04:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63',
      expiresAt: localSeconds(2025, 4, 18, 22, 21, 40),
      reserved: false,
      source: 'virsh',
    });
    expect(leases[0]?.hostname).toBe('ubuntu');
  });

  it('reads the pre-5.0 layout, where missing cells are empty', () => {
    const leases = parseNetDhcpLeases(readFixture('virsh/net-dhcp-leases-legacy.txt'), 'default');
    expect(leases.map(({ ip, hostname, clientId }) => ({ ip, hostname, clientId }))).toEqual([
      { ip: '192.168.122.46', hostname: undefined, clientId: undefined },
      { ip: '192.168.122.77', hostname: 'fedora', clientId: '01:52:54:00:9b:c8:ef' },
    ]);
  });

  it('reads an address without prefix', () => {
    const text = readFixture('virsh/net-dhcp-leases-lab.txt').replace('192.168.122.154/24', '192.168.122.154   ');
    expect(parseNetDhcpLeases(text, 'default')[0]).not.toHaveProperty('prefix');
  });

  it('returns no leases for an empty table', () => {
    const header = readFixture('virsh/net-dhcp-leases-lab.txt').split('\n').slice(0, 2).join('\n');
    expect(parseNetDhcpLeases(`${header}\n\n`, 'default')).toEqual([]);
  });

  it.each([
    ['empty output', () => ''],
    ['output cut in the middle of a row', () => readFixture('virsh/net-dhcp-leases-lab.txt').split('52:54:00')[0]! + '52:54:00'],
    ['garbage', () => 'GIF89a\u0000\u0001\u0002\n'],
  ])('rejects %s', (_, text) => {
    expect(() => parseNetDhcpLeases(text(), 'default')).toThrow(switchyardError('invalid-output'));
  });

  it('rejects a table with other columns', () => {
    expect(() => parseNetDhcpLeases(readFixture('virsh/domiflist-lab.txt'), 'default')).toThrow(
      /missing: "Expiry Time", "MAC address", "Protocol", "IP address", "Hostname", "Client ID or DUID"\./,
    );
  });

  it.each([
    ['an unknown protocol', '2026-11-23 14:18:26', 'ipv5', '192.168.122.154/24', 'rows[0].Protocol'],
    ['an address of the wrong family', '2026-11-23 14:18:26', 'ipv6', '192.168.122.154/24', 'rows[0].IP address'],
    ['a non-numeric prefix', '2026-11-23 14:18:26', 'ipv4', '192.168.122.154/x', 'rows[0].IP address'],
    ['a prefix over 32', '2026-11-23 14:18:26', 'ipv4', '192.168.122.154/33', 'rows[0].IP address'],
    ['two prefixes', '2026-11-23 14:18:26', 'ipv4', '192.168.122.154/24/8', 'rows[0].IP address'],
    ['an unreadable expiry', 'tomorrow at noon   ', 'ipv4', '192.168.122.154/24', 'rows[0].Expiry Time'],
  ])('rejects %s', (_, expiry, protocol, ip, field) => {
    const text = [
      ' Expiry Time           MAC address         Protocol   IP address           Hostname   Client ID or DUID',
      '------------------------------------------------------------------------------------------------------------',
      ` ${expiry}   52:54:00:d2:b4:95   ${protocol.padEnd(8)}   ${ip.padEnd(18)}   -          -`,
    ].join('\n');
    expect(() => parseNetDhcpLeases(text, 'default')).toThrow(switchyardError('invalid-output', field));
  });
});

describe('parseNameList', () => {
  it('reads names, dropping the trailing empty line', () => {
    expect(parseNameList(readFixture('virsh/net-list-name-test-driver.txt'))).toEqual(['default', 'lab net']);
    expect(parseNameList(readFixture('virsh/list-name-test-driver.txt'))).toEqual(['test']);
  });

  it('returns nothing for empty output', () => {
    expect(parseNameList('\n')).toEqual([]);
    expect(parseNameList('')).toEqual([]);
  });

  it('ignores blank lines and CR', () => {
    expect(parseNameList('a\r\n\r\n  \nb c\r\n')).toEqual(['a', 'b c']);
  });
});

describe('parseVmState', () => {
  it.each([
    ['running\n\n', 'running'],
    ['idle\n', 'idle'],
    ['paused\n', 'paused'],
    ['in shutdown\n', 'in shutdown'],
    ['shut off\n', 'shut off'],
    ['crashed\n', 'crashed'],
    ['pmsuspended\n', 'pmsuspended'],
    ['running (unknown)\n', 'running'],
    ['shut off (destroyed)\n', 'shut off'],
    ['no state\n', 'unknown'],
    ['', 'unknown'],
    ['error: failed to get domain state\n', 'unknown'],
  ] as const)('reads %j as %s', (text, state) => {
    expect(parseVmState(text)).toBe(state);
  });
});
