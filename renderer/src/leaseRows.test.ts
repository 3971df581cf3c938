import { describe, expect, it } from 'vitest';
import type { Lease } from '../../shared/model';
import { countdownText, filterLeases, isLeaseExpired, leasesToCsv, sortLeases } from './leaseRows';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const nowSeconds = NOW / 1000;

function lease(ip: string, fields: Partial<Lease> = {}): Lease {
  return { network: 'default', family: 'ipv4', ip, expiresAt: nowSeconds + 600, reserved: false, source: 'libvirt-status', ...fields };
}

const leases = [
  lease('192.168.122.10', { mac: '52:54:00:00:00:10', vm: 'web', reserved: true }),
  lease('192.168.122.9', { mac: '52:54:00:00:00:09', hostname: 'db', expiresAt: nowSeconds - 5 }),
  lease('10.77.0.100', { network: 'lab-isolated', clientId: '01:52:54:00:5a:00:02', expiresAt: 0 }),
];

describe('filterLeases', () => {
  const all = { search: '', status: 'all', kind: 'all' } as const;

  it('searches every column, case-insensitively', () => {
    expect(filterLeases(leases, { ...all, search: 'WEB' }, NOW).map((l) => l.ip)).toEqual(['192.168.122.10']);
    expect(filterLeases(leases, { ...all, search: ':5a:00:02' }, NOW).map((l) => l.ip)).toEqual(['10.77.0.100']);
    expect(filterLeases(leases, { ...all, search: 'lab-iso' }, NOW)).toHaveLength(1);
    expect(filterLeases(leases, { ...all, search: '  ' }, NOW)).toHaveLength(3);
  });

  it('filters active and expired (infinite leases never expire), dynamic and reserved', () => {
    expect(filterLeases(leases, { ...all, status: 'expired' }, NOW).map((l) => l.ip)).toEqual(['192.168.122.9']);
    expect(filterLeases(leases, { ...all, status: 'active' }, NOW).map((l) => l.ip)).toEqual(['192.168.122.10', '10.77.0.100']);
    expect(filterLeases(leases, { ...all, kind: 'reserved' }, NOW).map((l) => l.ip)).toEqual(['192.168.122.10']);
    expect(filterLeases(leases, { ...all, kind: 'dynamic' }, NOW)).toHaveLength(2);
  });

  it('treats the second of expiry as expired', () => {
    expect(isLeaseExpired(lease('1.1.1.1', { expiresAt: nowSeconds }), NOW)).toBe(true);
  });
});

describe('sortLeases', () => {
  it('sorts addresses numerically, both ways', () => {
    expect(sortLeases(leases, 'ip', 'asc').map((l) => l.ip)).toEqual(['10.77.0.100', '192.168.122.9', '192.168.122.10']);
    expect(sortLeases(leases, 'ip', 'desc').map((l) => l.ip)).toEqual(['192.168.122.10', '192.168.122.9', '10.77.0.100']);
  });

  it('puts missing values last in either direction', () => {
    expect(sortLeases(leases, 'hostname', 'asc').map((l) => l.ip)[0]).toBe('192.168.122.9');
    expect(sortLeases(leases, 'hostname', 'desc').map((l) => l.ip)[0]).toBe('192.168.122.9');
  });

  it('sorts infinite leases after every finite one', () => {
    expect(sortLeases(leases, 'expiresAt', 'asc').map((l) => l.ip)).toEqual(['192.168.122.9', '192.168.122.10', '10.77.0.100']);
  });

  it('does not change its input, and sorts 10 000 leases', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => lease(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, { mac: `52:54:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}` }));
    const shuffled = [...many].reverse();
    const sorted = sortLeases(shuffled, 'ip', 'asc');
    expect(sorted[0]?.ip).toBe('10.0.0.0');
    expect(sorted[9_999]?.ip).toBe('10.0.39.15');
    expect(shuffled[0]?.ip).toBe('10.0.39.15');
  });
});

describe('countdownText', () => {
  it.each([
    [nowSeconds + 247, 'in 4:07'],
    [nowSeconds + 3729, 'in 1:02:09'],
    [nowSeconds + 3 * 86_400 + 4 * 3600 + 5, 'in 3 d 4 h'],
    [nowSeconds - 130, 'expired 2:10 ago'],
    [0, 'never expires'],
  ])('shows %s as "%s"', (expiresAt, text) => {
    expect(countdownText(expiresAt, NOW)).toBe(text);
  });
});

describe('leasesToCsv', () => {
  it('writes a header and one quoted row per lease', () => {
    const csv = leasesToCsv([lease('192.168.122.10', { hostname: 'a,"b"', mac: '52:54:00:00:00:10', expiresAt: 0, reserved: true })], NOW);
    expect(csv).toBe(
      'network,ip,prefix,mac,hostname,vm,client_id,expires_at,status,kind,source\r\n' +
        'default,192.168.122.10,,52:54:00:00:00:10,"a,""b""",,,never,active,reserved,libvirt-status\r\n',
    );
  });

  it('defuses spreadsheet formulas in values a guest chose', () => {
    expect(leasesToCsv([lease('10.0.0.1', { hostname: '=HYPERLINK("x")' })], NOW)).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
