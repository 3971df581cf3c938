// What the lease table shows: filtering, sorting, the live countdown and the CSV export, kept
// apart from React so they are tested alone and stay fast with tens of thousands of leases.
import type { Lease } from '../../shared/model';
import { compareIps } from './format';

export type LeaseSortKey = 'ip' | 'mac' | 'hostname' | 'vm' | 'network' | 'clientId' | 'expiresAt' | 'status' | 'kind';
export type SortDirection = 'asc' | 'desc';
export type LeaseStatusFilter = 'all' | 'active' | 'expired';
export type LeaseKindFilter = 'all' | 'dynamic' | 'reserved';

export interface LeaseFilter {
  /** Case-insensitive text matched against every column. */
  search: string;
  status: LeaseStatusFilter;
  kind: LeaseKindFilter;
}

/** An infinite lease (expiry 0) never expires. */
export function isLeaseExpired(lease: Lease, nowMs: number): boolean {
  return lease.expiresAt > 0 && lease.expiresAt * 1000 <= nowMs;
}

export function filterLeases(leases: readonly Lease[], filter: LeaseFilter, nowMs: number): Lease[] {
  const needle = filter.search.trim().toLowerCase();
  return leases.filter((lease) => {
    if (filter.status !== 'all' && isLeaseExpired(lease, nowMs) !== (filter.status === 'expired')) return false;
    if (filter.kind !== 'all' && lease.reserved !== (filter.kind === 'reserved')) return false;
    if (needle === '') return true;
    return [lease.ip, lease.mac, lease.hostname, lease.vm, lease.network, lease.clientId].some((value) =>
      value?.toLowerCase().includes(needle),
    );
  });
}

// Missing values sort last whichever the direction, so a column's real values stay together.
const textKey = (value: string | undefined) => value ?? '';
const comparators: Record<LeaseSortKey, (a: Lease, b: Lease) => number> = {
  ip: (a, b) => compareIps(a.ip, b.ip),
  mac: (a, b) => textKey(a.mac).localeCompare(textKey(b.mac)),
  hostname: (a, b) => textKey(a.hostname).localeCompare(textKey(b.hostname)),
  vm: (a, b) => textKey(a.vm).localeCompare(textKey(b.vm)),
  network: (a, b) => a.network.localeCompare(b.network),
  clientId: (a, b) => textKey(a.clientId).localeCompare(textKey(b.clientId)),
  // Infinite leases (0) outlast every finite one.
  expiresAt: (a, b) => (a.expiresAt || Infinity) - (b.expiresAt || Infinity),
  status: (a, b) => (a.expiresAt || Infinity) - (b.expiresAt || Infinity),
  kind: (a, b) => Number(b.reserved) - Number(a.reserved),
};

const missing = (lease: Lease, key: LeaseSortKey): boolean =>
  (key === 'mac' || key === 'hostname' || key === 'vm' || key === 'clientId') && lease[key] === undefined;

/** A sorted copy; ties fall back to network and address so the order is stable between pushes. */
export function sortLeases(leases: readonly Lease[], key: LeaseSortKey, direction: SortDirection): Lease[] {
  const sign = direction === 'asc' ? 1 : -1;
  const compare = comparators[key];
  return [...leases].sort((a, b) => {
    const absent = Number(missing(a, key)) - Number(missing(b, key));
    if (absent !== 0) return absent;
    return sign * compare(a, b) || a.network.localeCompare(b.network) || compareIps(a.ip, b.ip);
  });
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A countdown that moves every second: "in 4:07", "in 1:02:09", "in 3 d 4 h", "expired 2:10 ago". */
export function countdownText(expiresAt: number, nowMs: number): string {
  if (expiresAt <= 0) return 'never expires';
  const ms = expiresAt * 1000 - nowMs;
  const seconds = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const clock =
    days > 0
      ? `${days} d ${hours} h`
      : hours > 0
        ? `${hours}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`
        : `${Math.floor(seconds / 60)}:${pad(seconds % 60)}`;
  return ms > 0 ? `in ${clock}` : `expired ${clock} ago`;
}

const CSV_COLUMNS: ReadonlyArray<readonly [string, (lease: Lease, nowMs: number) => string]> = [
  ['network', (l) => l.network],
  ['ip', (l) => l.ip],
  ['prefix', (l) => (l.prefix === undefined ? '' : String(l.prefix))],
  ['mac', (l) => l.mac ?? ''],
  ['hostname', (l) => l.hostname ?? ''],
  ['vm', (l) => l.vm ?? ''],
  ['client_id', (l) => l.clientId ?? ''],
  ['expires_at', (l) => (l.expiresAt > 0 ? new Date(l.expiresAt * 1000).toISOString() : 'never')],
  ['status', (l, now) => (isLeaseExpired(l, now) ? 'expired' : 'active')],
  ['kind', (l) => (l.reserved ? 'reserved' : 'dynamic')],
  ['source', (l) => l.source],
];

/** RFC 4180 quoting; a leading =, +, - or @ is defused so a spreadsheet does not run it as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function leasesToCsv(leases: readonly Lease[], nowMs: number): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const lease of leases) lines.push(CSV_COLUMNS.map(([, value]) => csvCell(value(lease, nowMs))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
