// Formatting shared by the tables and the details panel.
import type { DhcpRange, HostAddress, IpConfig, Lease } from '../../shared/model';

export function cidr(ip: Pick<IpConfig | HostAddress, 'address' | 'prefix'>): string {
  return `${ip.address}/${ip.prefix}`;
}

export function dhcpRangeText(range: DhcpRange): string {
  return `${range.start} – ${range.end}`;
}

export function leaseTimeText(seconds: number): string {
  if (seconds === 0) return 'infinite leases';
  return `leases of ${durationText(seconds * 1000)}`;
}

/** "52 min", "3 h 10 min", "2 d 4 h": coarse on purpose, leases are not timed to the second. */
export function durationText(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

export interface ExpiryText {
  absolute: string;
  relative: string;
  expired: boolean;
}

/** libvirt reports infinite leases with an expiry of 0. */
export function expiryText(expiresAtSeconds: number, nowMs: number): ExpiryText {
  if (expiresAtSeconds <= 0) return { absolute: 'Never', relative: 'infinite lease', expired: false };
  const at = expiresAtSeconds * 1000;
  // Most leases expire today, where the date is noise.
  const sameDay = new Date(at).toDateString() === new Date(nowMs).toDateString();
  const absolute = sameDay
    ? new Date(at).toLocaleTimeString(undefined, { timeStyle: 'short' })
    : new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const expired = at <= nowMs;
  const relative = expired ? `expired ${durationText(nowMs - at)} ago` : `in ${durationText(at - nowMs)}`;
  return { absolute, relative, expired };
}

export function timeOfDay(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { timeStyle: 'medium' });
}

/** Sorts IPv4 addresses numerically and everything else after them as text. */
export function compareIps(a: string, b: string): number {
  const va = ipv4Value(a);
  const vb = ipv4Value(b);
  if (va !== undefined && vb !== undefined) return va - vb;
  if (va !== undefined) return -1;
  if (vb !== undefined) return 1;
  return a.localeCompare(b);
}

function ipv4Value(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    const n = Number(part);
    if (!Number.isInteger(n) || n < 0 || n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

/** Leases indexed by lower-case MAC, since libvirt and dnsmasq do not agree on case. */
export function leasesByMac(leases: readonly Lease[]): Map<string, Lease[]> {
  const byMac = new Map<string, Lease[]>();
  for (const lease of leases) {
    if (!lease.mac) continue;
    const key = lease.mac.toLowerCase();
    byMac.set(key, [...(byMac.get(key) ?? []), lease]);
  }
  return byMac;
}
