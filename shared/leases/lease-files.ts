// Parsers for the two lease databases Switchyard reads directly: libvirt's per-bridge JSON
// (BRIDGE.status, written by libvirt_leaseshelper) and dnsmasq's own lease file. A file that does
// not parse as a whole is refused with an error naming the entry or line, so the caller can keep
// the leases it read from that file last time instead of showing half a file.
import { isIpv4, isIpv6, normalizeMac } from '../address';
import { SwitchyardError } from '../errors';
import type { IpFamily, Lease, LeaseSource } from '../model';

/** What a lease file itself does not say: whose leases these are. */
export interface LeaseFileOrigin {
  network: string;
  /** libvirt reports each lease with the prefix of the network's first <ip> of its family. */
  prefixes?: Partial<Record<IpFamily, number>>;
}

function invalidLeaseFile(message: string, hint: string, field?: string): SwitchyardError {
  return new SwitchyardError({ code: 'invalid-lease-file', message, hint, ...(field ? { field } : {}) });
}

const HALF_WRITTEN_HINT =
  'The file may be in the middle of being rewritten; Switchyard rereads it at the next change and shows the last good leases until then.';

/** A value for an error message, cut short so a garbage file cannot flood it. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/**
 * libvirt's lease database for one bridge: a JSON array of
 * {"ip-address", "mac-address"?, "hostname"?, "client-id"?, "iaid"?, "expiry-time"?}.
 * An empty file holds no leases (libvirt creates it empty). The helper leaves out expiry-time for
 * an infinite lease, which the model writes as 0. Expired entries are kept: the view marks them.
 */
export function parseLeaseStatusFile(text: string, origin: LeaseFileOrigin): Lease[] {
  if (text.trim() === '') return [];
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch (error) {
    throw invalidLeaseFile(
      `The lease database is not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
      HALF_WRITTEN_HINT,
    );
  }
  if (!Array.isArray(entries)) {
    throw invalidLeaseFile(
      `The lease database should be a JSON array of leases, got ${entries === null ? 'null' : typeof entries}.`,
      'Check that the file is a libvirt BRIDGE.status file; libvirt rewrites it at the next lease.',
    );
  }
  return entries.map((entry, index) => parseStatusEntry(entry, `[${index}]`, origin));
}

function parseStatusEntry(entry: unknown, path: string, origin: LeaseFileOrigin): Lease {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw invalidLeaseFile(`Lease ${path} should be a JSON object, got ${quote(entry)}.`, HALF_WRITTEN_HINT, path);
  }
  const record = entry as Record<string, unknown>;
  const text = (key: string): string | undefined => {
    const value = record[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      throw invalidLeaseFile(`Lease ${path} has ${key} ${quote(value)}, which is not text.`, HALF_WRITTEN_HINT, `${path}.${key}`);
    }
    return value === '' ? undefined : value;
  };

  const ip = text('ip-address');
  if (ip === undefined) {
    throw invalidLeaseFile(`Lease ${path} has no ip-address.`, HALF_WRITTEN_HINT, `${path}.ip-address`);
  }
  const family = addressFamily(ip, `${path}.ip-address`);
  const macText = text('mac-address');
  const mac = macText === undefined ? undefined : normalizeMac(macText);
  if (macText !== undefined && mac === undefined) {
    throw invalidLeaseFile(`Lease ${path} has mac-address ${quote(macText)}, which is not a MAC address.`, HALF_WRITTEN_HINT, `${path}.mac-address`);
  }
  const expiry = record['expiry-time'];
  if (expiry !== undefined && !(typeof expiry === 'number' && Number.isSafeInteger(expiry) && expiry >= 0)) {
    throw invalidLeaseFile(
      `Lease ${path} has expiry-time ${quote(expiry)}; expected whole seconds since 1970.`,
      HALF_WRITTEN_HINT,
      `${path}.expiry-time`,
    );
  }
  return buildLease(origin, 'libvirt-status', {
    family,
    ip,
    mac,
    hostname: text('hostname'),
    clientId: text('client-id'),
    expiresAt: expiry ?? 0,
  });
}

const DNSMASQ_FIELDS = ['expiry', 'hardware address or IAID', 'address', 'hostname', 'client id'];
// dnsmasq writes a non-Ethernet hardware address as its ARP type, a dash, then the bytes.
const OTHER_HARDWARE_ADDRESS = /^[0-9a-f]{2}-(?:[0-9a-f]{2}(?::[0-9a-f]{2})*)?$/i;
const IAID = /^T?[0-9]+$/;

/**
 * A dnsmasq lease file (--dhcp-leasefile, e.g. /var/lib/misc/dnsmasq.leases): one lease per line,
 * `EXPIRY MAC IP HOSTNAME CLIENT-ID` (IPv6: `EXPIRY IAID IP HOSTNAME DUID`), "*" for an unknown
 * hostname or client id, expiry 0 for infinite, and a `duid SERVER-DUID` line before IPv6 leases.
 * dnsmasq ends every line with a newline, so a file that stops mid-line is half written.
 */
export function parseDnsmasqLeaseFile(text: string, origin: LeaseFileOrigin): Lease[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) {
    throw invalidLeaseFile('The dnsmasq lease file ends in the middle of a line.', HALF_WRITTEN_HINT, `line ${text.split('\n').length}`);
  }
  const leases: Lease[] = [];
  for (const [index, line] of text.slice(0, -1).split('\n').entries()) {
    const field = `line ${index + 1}`;
    const fields = line.trim().split(/\s+/);
    if (line.trim() === '' || fields[0] === 'duid') continue;
    if (fields.length !== DNSMASQ_FIELDS.length) {
      throw invalidLeaseFile(
        `Line ${index + 1} of the dnsmasq lease file has ${fields.length} fields, expected ${DNSMASQ_FIELDS.length} (${DNSMASQ_FIELDS.join(', ')}): ${quote(line)}.`,
        HALF_WRITTEN_HINT,
        field,
      );
    }
    const [expiryText, hardware, ip, hostname, clientId] = fields as [string, string, string, string, string];
    if (!/^[0-9]+$/.test(expiryText) || !Number.isSafeInteger(Number(expiryText))) {
      throw invalidLeaseFile(`Line ${index + 1} has expiry ${quote(expiryText)}; expected whole seconds since 1970.`, HALF_WRITTEN_HINT, `${field}.expiry`);
    }
    const family = addressFamily(ip, `${field}.address`);
    leases.push(
      buildLease(origin, 'dnsmasq-leases', {
        family,
        ip,
        mac: dnsmasqMac(hardware, family, `${field}.hardware address`),
        hostname: hostname === '*' ? undefined : hostname,
        clientId: clientId === '*' ? undefined : clientId,
        expiresAt: Number(expiryText),
      }),
    );
  }
  return leases;
}

/** The MAC of a dnsmasq lease line, or undefined for an IPv6 IAID or a non-Ethernet address. */
function dnsmasqMac(hardware: string, family: IpFamily, field: string): string | undefined {
  if (family === 'ipv6') {
    if (IAID.test(hardware)) return undefined;
    throw invalidLeaseFile(`${field} should be the IAID of an IPv6 lease, got ${quote(hardware)}.`, HALF_WRITTEN_HINT, field);
  }
  const mac = normalizeMac(hardware);
  if (mac !== undefined || OTHER_HARDWARE_ADDRESS.test(hardware)) return mac;
  throw invalidLeaseFile(`${field} should be a MAC address, got ${quote(hardware)}.`, HALF_WRITTEN_HINT, field);
}

function addressFamily(ip: string, field: string): IpFamily {
  if (isIpv4(ip)) return 'ipv4';
  if (isIpv6(ip)) return 'ipv6';
  throw invalidLeaseFile(`${quote(ip)} is not an IP address.`, HALF_WRITTEN_HINT, field);
}

interface LeaseFields {
  family: IpFamily;
  ip: string;
  mac: string | undefined;
  hostname: string | undefined;
  clientId: string | undefined;
  expiresAt: number;
}

function buildLease(origin: LeaseFileOrigin, source: LeaseSource, fields: LeaseFields): Lease {
  const prefix = origin.prefixes?.[fields.family];
  return {
    network: origin.network,
    family: fields.family,
    ip: fields.ip,
    ...(prefix !== undefined ? { prefix } : {}),
    ...(fields.mac ? { mac: fields.mac } : {}),
    ...(fields.hostname ? { hostname: fields.hostname } : {}),
    ...(fields.clientId ? { clientId: fields.clientId } : {}),
    expiresAt: fields.expiresAt,
    // Reservations are matched later, against the network's DHCP hosts.
    reserved: false,
    source,
  };
}
