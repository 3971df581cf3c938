import { describe, expect, it } from 'vitest';
import { parseDomIfAddr } from './domifaddr';

describe('parseDomIfAddr', () => {
  it('gives each guest address with its NIC’s MAC, continuing rows included, loopback left out', () => {
    // `virsh domifaddr VM --source agent` of a guest with lo and one NIC with two addresses.
    const output = [
      ' Name       MAC address          Protocol     Address',
      '-------------------------------------------------------------------------------',
      ' lo         00:00:00:00:00:00    ipv4         127.0.0.1/8',
      ' -          -                    ipv6         ::1/128',
      ' eth0       52:54:00:5A:00:01    ipv4         192.0.2.50/24',
      ' -          -                    ipv6         2001:db8::50/64',
      '',
    ].join('\n');
    expect(parseDomIfAddr(output, 'web')).toEqual([
      { vm: 'web', mac: '52:54:00:5a:00:01', ip: '192.0.2.50' },
      { vm: 'web', mac: '52:54:00:5a:00:01', ip: '2001:db8::50' },
    ]);
  });
});
