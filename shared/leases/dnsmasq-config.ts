// Where a dnsmasq that libvirt does not run keeps its DHCP leases, from its command line and the
// configuration files it names. Only what decides the lease file is understood: dhcp-range (does it
// serve DHCP at all), dhcp-leasefile, leasefile-ro, the conf-file / conf-dir includes, and the
// interfaces it serves (which name it in the lease table).

/** Debian's (and dnsmasq's compiled-in) defaults. */
export const DEFAULT_DNSMASQ_CONF_FILE = '/etc/dnsmasq.conf';
export const DEFAULT_DNSMASQ_LEASE_FILE = '/var/lib/misc/dnsmasq.leases';

/** One option as dnsmasq reads it, from either source: long name without dashes, and its value. */
export interface DnsmasqOption {
  name: string;
  value?: string;
}

// The short options that decide the lease file (dnsmasq --help), and which of them take a value.
const SHORT_OPTIONS: Readonly<Record<string, string>> = {
  C: 'conf-file',
  '7': 'conf-dir',
  F: 'dhcp-range',
  l: 'dhcp-leasefile',
  '9': 'leasefile-ro',
  i: 'interface',
};
const TAKES_VALUE = new Set(['conf-file', 'conf-dir', 'dhcp-range', 'dhcp-leasefile', 'interface']);
// dnsmasq accepts an older spelling too.
const ALIASES: Readonly<Record<string, string>> = { 'dhcp-lease-file': 'dhcp-leasefile' };

/**
 * dnsmasq's argv (without the program name) as options, in order. Options this module does not
 * need are kept by name only when they are long options; an unknown short option cannot be told
 * apart from its value, so it is skipped with the rest of its word.
 */
export function dnsmasqCommandLineOptions(argv: readonly string[]): DnsmasqOption[] {
  const options: DnsmasqOption[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const word = argv[index]!;
    if (word.startsWith('--')) {
      const [rawName, ...rest] = word.slice(2).split('=');
      const name = ALIASES[rawName!] ?? rawName!;
      if (rest.length > 0) options.push({ name, value: rest.join('=') });
      else if (TAKES_VALUE.has(name) && index + 1 < argv.length) options.push({ name, value: argv[++index]! });
      else options.push({ name });
    } else if (word.startsWith('-') && word.length > 1) {
      const name = SHORT_OPTIONS[word[1]!];
      if (name === undefined) continue;
      if (!TAKES_VALUE.has(name)) options.push({ name });
      else if (word.length > 2) options.push({ name, value: word.slice(2) });
      else if (index + 1 < argv.length) options.push({ name, value: argv[++index]! });
    }
  }
  return options;
}

/** A dnsmasq configuration file's options: `name=value` or `name` lines, `#` comments. */
export function dnsmasqConfigOptions(text: string): DnsmasqOption[] {
  const options: DnsmasqOption[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    const rawName = (equals === -1 ? line : line.slice(0, equals)).trim();
    const name = ALIASES[rawName] ?? rawName;
    options.push(equals === -1 ? { name } : { name, value: unquote(line.slice(equals + 1).trim()) });
  }
  return options;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/**
 * The files a conf-dir option names: `DIR[,EXT...]` skips files with those extensions, `DIR,*EXT`
 * reads only files with them; dnsmasq also skips dotfiles and editor backups (`~`, `#...#`).
 */
export function confDirFiles(value: string, entries: readonly string[]): string[] {
  const [directory, ...extensions] = value.split(',').map((part) => part.trim());
  const only = extensions.filter((e) => e.startsWith('*')).map((e) => e.slice(1));
  const skip = extensions.filter((e) => !e.startsWith('*'));
  return entries
    .filter((name) => !name.startsWith('.') && !name.endsWith('~') && !(name.startsWith('#') && name.endsWith('#')))
    .filter((name) => (only.length > 0 ? only.some((e) => name.endsWith(e)) : !skip.some((e) => e !== '' && name.endsWith(e))))
    .sort()
    .map((name) => `${directory!.replace(/\/+$/, '')}/${name}`);
}

/** A dnsmasq's lease file, and the name its leases go under where no libvirt network holds them. */
export interface DnsmasqLeaseFile {
  file: string;
  name: string;
}

/**
 * The lease file a dnsmasq writes, given all its options (command line first, then its
 * configuration files in the order read), or undefined when it writes none: no DHCP range,
 * or --leasefile-ro (libvirt's own instances, whose leases go through its lease helper instead).
 * The first dhcp-leasefile wins: dnsmasq ignores a file's setting of what its command line set.
 */
export function dnsmasqLeaseFile(options: readonly DnsmasqOption[]): DnsmasqLeaseFile | undefined {
  if (!options.some((o) => o.name === 'dhcp-range')) return undefined;
  if (options.some((o) => o.name === 'leasefile-ro')) return undefined;
  const file = options.find((o) => o.name === 'dhcp-leasefile' && o.value)?.value ?? DEFAULT_DNSMASQ_LEASE_FILE;
  const interfaces = [...new Set(options.flatMap((o) => (o.name === 'interface' && o.value ? o.value.split(',') : [])))];
  return { file, name: interfaces.length > 0 ? `dnsmasq on ${interfaces.join(', ')}` : `dnsmasq ${file}` };
}
