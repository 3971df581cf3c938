// Address math shared by the core and the renderer. Parsers return undefined for text that is
// not an address, so callers decide which error (and which field) to report.

const IPV4_OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** The IPv4 address as an unsigned 32-bit number, or undefined unless `text` is a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    // Leading zeros are refused: inet_aton would read them as octal.
    if (!IPV4_OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`${value} is not an IPv4 address value`);
  }
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join('.');
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** RFC 4291 text forms: eight groups, one "::" abbreviation, an optional dotted-quad tail. */
export function isIpv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  const last = groups[groups.length - 1];
  // A trailing IPv4 address stands for the last two groups.
  const groupCount = last !== undefined && last.includes('.') ? groups.length + 1 : groups.length;
  const groupsValid = groups.every((group, index) =>
    index === groups.length - 1 && group.includes('.') ? isIpv4(group) : IPV6_GROUP.test(group),
  );
  if (!groupsValid) return false;
  return halves.length === 2 ? groupCount <= 7 : groupCount === 8;
}

/** The prefix length of a contiguous IPv4 netmask, or undefined for anything else. */
export function netmaskToPrefix(mask: string): number | undefined {
  const value = parseIpv4(mask);
  if (value === undefined) return undefined;
  const hostBits = ~value >>> 0;
  // A contiguous mask leaves host bits of the form 0…01…1, so hostBits + 1 is a power of two
  // and the leading zeros of hostBits are the prefix.
  if ((hostBits & (hostBits + 1)) !== 0) return undefined;
  return Math.clz32(hostBits);
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** The MAC address in libvirt's lowercase form, or undefined unless it is six colon-separated hex pairs. */
export function normalizeMac(text: string): string | undefined {
  const lower = text.toLowerCase();
  return MAC.test(lower) ? lower : undefined;
}
