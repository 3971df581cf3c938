// Parsers for virsh's human-readable output. virsh is run with LC_ALL=C: headers and values are
// then untranslated, and non-ASCII bytes print as \xNN escapes, so a character is one column.
import { isIpv4, isIpv6, normalizeMac } from '../address';
import { SwitchyardError } from '../errors';
import { VmStateSchema, type Lease, type VmState } from '../model';

function invalidOutput(message: string, hint: string, field?: string): SwitchyardError {
  return new SwitchyardError({ code: 'invalid-output', message, hint, ...(field ? { field } : {}) });
}

/** A line for an error message, cut short so a wrong command's output cannot flood it. */
function quoteLine(line: string): string {
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
}

const HEADER_CELL = /\S+(?: \S+)*/g;

/**
 * Rows of a virsh table (a header line, a line of dashes, one line per row), keyed by header.
 * Header names contain single spaces and are set apart by at least two, and every column is as
 * wide as its widest cell, so each column starts where its header starts. That holds for the
 * table renderer (libvirt ≥ 5.0), and for the older printf layouts while no cell overflows.
 */
export function parseVirshTable(text: string): Record<string, string>[] {
  return readVirshTable(text).rows;
}

function readVirshTable(text: string): { columns: string[]; rows: Record<string, string>[] } {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  const header = lines[headerIndex];
  const divider = lines[headerIndex + 1];
  if (header === undefined || divider === undefined || !/^-+$/.test(divider.trim())) {
    throw invalidOutput(
      header === undefined
        ? 'Expected a virsh table (header, line of dashes, rows) but the output was empty.'
        : `Expected a virsh table header followed by a line of dashes, got ${quoteLine(header)}.`,
      'Run virsh with LC_ALL=C and without --quiet, and check that the command succeeded.',
    );
  }
  const columns = Array.from(header.matchAll(HEADER_CELL), (match) => ({ name: match[0], start: match.index }));
  const rows = lines
    .slice(headerIndex + 2)
    .filter((line) => line.trim() !== '')
    .map((line) =>
      Object.fromEntries(
        columns.map((column, index) => [column.name, line.slice(column.start, columns[index + 1]?.start).trim()]),
      ),
    );
  return { columns: columns.map((column) => column.name), rows };
}

const LEASE_COLUMNS = ['Expiry Time', 'MAC address', 'Protocol', 'IP address', 'Hostname', 'Client ID or DUID'];
const EXPIRY_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const ADDRESS_WITH_PREFIX = /^([^/]+)(?:\/([0-9]{1,3}))?$/;

/** `virsh net-dhcp-leases NETWORK` output as leases of `network`. */
export function parseNetDhcpLeases(text: string, network: string): Lease[] {
  const { columns, rows } = readVirshTable(text);
  const missing = LEASE_COLUMNS.filter((name) => !columns.includes(name));
  if (missing.length > 0) {
    throw invalidOutput(
      `Expected net-dhcp-leases columns; missing: ${missing.map((name) => `"${name}"`).join(', ')}.`,
      'Run "virsh net-dhcp-leases" with LC_ALL=C so the headers are in English.',
    );
  }
  return rows.map((row, index) => parseLeaseRow(row, network, `rows[${index}]`));
}

function parseLeaseRow(row: Record<string, string>, network: string, path: string): Lease {
  const cell = (name: string): string => row[name] ?? '';
  // virsh prints "-" for a missing hostname or client id; libvirt before 5.0 printed nothing.
  const optionalCell = (name: string): string | undefined => {
    const value = cell(name);
    return value === '' || value === '-' ? undefined : value;
  };

  const family = cell('Protocol');
  if (family !== 'ipv4' && family !== 'ipv6') {
    throw invalidOutput(`Expected protocol ipv4 or ipv6, got ${quoteLine(family)}.`, 'Report this virsh output as a bug.', `${path}.Protocol`);
  }
  const [, ip = '', prefixText] = ADDRESS_WITH_PREFIX.exec(cell('IP address')) ?? [];
  const prefix = prefixText === undefined ? undefined : Number(prefixText);
  const validAddress = family === 'ipv4' ? isIpv4(ip) : isIpv6(ip);
  if (!validAddress || (prefix !== undefined && prefix > (family === 'ipv4' ? 32 : 128))) {
    throw invalidOutput(
      `Expected an ${family} address and prefix like ${family === 'ipv4' ? '192.168.122.2/24' : '2001:db8::2/64'}, got ${quoteLine(cell('IP address'))}.`,
      'Report this virsh output as a bug.',
      `${path}.IP address`,
    );
  }
  const macText = optionalCell('MAC address');
  const mac = macText === undefined ? undefined : normalizeMac(macText);
  if (macText !== undefined && mac === undefined) {
    throw invalidOutput(`Expected a MAC address, got ${quoteLine(macText)}.`, 'Report this virsh output as a bug.', `${path}.MAC address`);
  }
  const hostname = optionalCell('Hostname');
  const clientId = optionalCell('Client ID or DUID');
  return {
    network,
    family,
    ip,
    ...(prefix !== undefined ? { prefix } : {}),
    ...(mac ? { mac } : {}),
    ...(hostname ? { hostname } : {}),
    ...(clientId ? { clientId } : {}),
    expiresAt: parseExpiryTime(cell('Expiry Time'), `${path}.Expiry Time`),
    // Reservations are matched later, against the network's DHCP hosts.
    reserved: false,
    source: 'virsh',
  };
}

/** virsh prints lease expiry in the local time zone of the machine it runs on. */
function parseExpiryTime(text: string, field: string): number {
  const match = EXPIRY_TIME.exec(text);
  if (!match) {
    throw invalidOutput(`Expected an expiry time like 2026-11-23 14:18:26, got ${quoteLine(text)}.`, 'Report this virsh output as a bug.', field);
  }
  const part = (index: number): number => Number(match[index]);
  return new Date(part(1), part(2) - 1, part(3), part(4), part(5), part(6)).getTime() / 1000;
}

/** `virsh net-list --name` / `virsh list --name`: one name per line; names may contain spaces. */
export function parseNameList(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}

/** `virsh domstate [--reason]`: the state, optionally followed by " (reason)". */
export function parseVmState(text: string): VmState {
  const state = text.trim().replace(/\s*\(.*\)$/, '');
  const parsed = VmStateSchema.safeParse(state);
  return parsed.success ? parsed.data : 'unknown';
}
