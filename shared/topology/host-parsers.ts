// Pure parsers for what topology discovery reads from the host: `ip -json` output, sysfs and
// procfs text, dnsmasq configuration and iptables-save rules. The host side only runs programs
// and reads files; everything it gets back is interpreted here, where it is unit-tested.
import { z } from 'zod';
import { normalizeMac } from '../address';
import { SwitchyardError } from '../errors';
import { parseIptablesSave } from '../firewall/iptables-save';
import { parseNftJson } from '../firewall/nft-json';
import type { DnsmasqProcess, LinkDetail, Neighbour } from './host-topology';

export function parseJsonOutput<T>(text: string, schema: z.ZodType<T>, command: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SwitchyardError({
      code: 'invalid-output',
      message: `The output of "${command}" is not JSON.`,
      hint: 'Install a current iproute2 (Debian package iproute2); its "ip" must support -json.',
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SwitchyardError({
      code: 'invalid-output',
      ...(issue && issue.path.length > 0 ? { field: issue.path.join('.') } : {}),
      message: `Unexpected "${command}" output: ${issue?.message ?? 'unknown shape'}.`,
      hint: 'Install a current iproute2 (Debian package iproute2).',
    });
  }
  return parsed.data;
}

const IpLinkOutputSchema = z.array(
  z.object({
    ifname: z.string(),
    ifindex: z.number().optional(),
    flags: z.array(z.string()).optional(),
    link_type: z.string().optional(),
    parentbus: z.string().optional(),
    linkinfo: z
      .object({
        info_kind: z.string().optional(),
        info_slave_kind: z.string().optional(),
        info_slave_data: z.object({ state: z.string().optional() }).optional(),
      })
      .optional(),
  }),
);

/** What `ip -json -details link show` says per link, plus each link's ifindex for sysfs checks. */
export interface IpLinkEntry {
  detail: LinkDetail;
  ifindex?: number;
}

/** Maps `ip -json -details link show` output to link details (wireless and speed come from sysfs). */
export function parseIpLinkDetails(text: string): IpLinkEntry[] {
  return parseJsonOutput(text, IpLinkOutputSchema, 'ip -json -details link show').map((entry) => {
    const portState = entry.linkinfo?.info_slave_kind === 'bridge' ? entry.linkinfo.info_slave_data?.state : undefined;
    return {
      detail: {
        name: entry.ifname,
        carrier: entry.flags?.includes('LOWER_UP') ?? false,
        // Hardware NICs sit on a bus; virtual links (bridges, taps, veths, dummies) do not.
        physical: entry.parentbus !== undefined && entry.linkinfo?.info_kind === undefined,
        wireless: false,
        ...(portState ? { portState } : {}),
      },
      ...(entry.ifindex !== undefined ? { ifindex: entry.ifindex } : {}),
    };
  });
}

const IpRouteOutputSchema = z.array(z.object({ dst: z.string().optional(), dev: z.string().optional() }));

/** The devices of the default routes in `ip -json route show default` output. */
export function parseDefaultRouteDevs(text: string): string[] {
  const routes = parseJsonOutput(text.trim() || '[]', IpRouteOutputSchema, 'ip -json route show default');
  return routes.filter((route) => route.dst === 'default' && route.dev).map((route) => route.dev!);
}

const IpNeighOutputSchema = z.array(
  z.object({ dst: z.string(), dev: z.string().optional(), lladdr: z.string().optional(), state: z.array(z.string()).optional() }),
);

/** Neighbour (ARP/NDP) entries with a link-layer address; FAILED and INCOMPLETE ones have none. */
export function parseIpNeigh(text: string): Neighbour[] {
  const entries = parseJsonOutput(text.trim() || '[]', IpNeighOutputSchema, 'ip -json neigh show');
  return entries.flatMap((entry) => {
    const mac = entry.lladdr ? normalizeMac(entry.lladdr) : undefined;
    if (!mac || !entry.dev || entry.state?.includes('FAILED')) return [];
    return [{ ip: entry.dst, mac, dev: entry.dev }];
  });
}

/**
 * Splits `grep -s -H . FILE...` output into file → lines. grep prints "FILE:LINE" for each
 * non-empty line; files that do not exist are silently skipped (-s).
 */
export function parseGrepFiles(text: string): Map<string, string[]> {
  const files = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const file = line.slice(0, colon);
    files.set(file, [...(files.get(file) ?? []), line.slice(colon + 1)]);
  }
  return files;
}

/** Sysfs facts of one link: its ifindex (to prove the sysfs is this namespace's), wireless, speed. */
export interface SysfsLink {
  ifindex?: number;
  wireless: boolean;
  speedMbps?: number;
}

/** Reads /sys/class/net/NAME/{uevent,speed} lines as parseGrepFiles returns them. */
export function parseSysfsLink(uevent: readonly string[] = [], speed: readonly string[] = []): SysfsLink {
  const values = new Map(uevent.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  const ifindex = Number(values.get('IFINDEX'));
  const mbps = Number(speed[0]);
  return {
    ...(Number.isInteger(ifindex) && ifindex > 0 ? { ifindex } : {}),
    wireless: values.get('DEVTYPE') === 'wlan',
    // Drivers report -1 (or nothing) while the link is down or the speed is unknown.
    ...(Number.isInteger(mbps) && mbps > 0 ? { speedMbps: mbps } : {}),
  };
}

/** The tap or tun device a /dev/net/tun file descriptor is attached to (the `iff:` line of its fdinfo). */
export function parseTunFdinfo(text: string): string | undefined {
  const match = /^iff:\s*(\S+)\s*$/m.exec(text);
  return match?.[1];
}

/** /proc/PID/cmdline: arguments separated (and ended) by NUL bytes. */
export function parseProcCmdline(text: string): string[] {
  const args = text.split('\0');
  if (args.at(-1) === '') args.pop();
  return args;
}

/** The guest name a QEMU command line gives: `-name NAME` or `-name guest=NAME,debug-threads=on`. */
export function qemuGuestName(args: readonly string[]): string | undefined {
  const index = args.indexOf('-name');
  const value = index >= 0 ? args[index + 1] : undefined;
  if (value === undefined) return undefined;
  // QEMU's option syntax: "a,b" is one comma-separated list where ",," escapes a comma.
  const parts = value.split(/(?<!,),(?!,)/).map((part) => part.replaceAll(',,', ','));
  const guest = parts.find((part) => part.startsWith('guest='));
  if (guest) return guest.slice('guest='.length);
  const first = parts[0];
  return first && !first.includes('=') ? first : undefined;
}

/** The configuration file a dnsmasq command line names (--conf-file=FILE or -C FILE). */
export function dnsmasqConfFile(args: readonly string[]): string | undefined {
  for (const [index, arg] of args.entries()) {
    if (arg.startsWith('--conf-file=')) return arg.slice('--conf-file='.length);
    if (arg === '--conf-file' || arg === '-C') return args[index + 1];
  }
  return undefined;
}

/** The libvirt network a dnsmasq configuration belongs to: libvirt writes …/dnsmasq/NAME.conf. */
export function libvirtNetworkOfConfFile(confFile: string): string | undefined {
  const match = /\/libvirt\/dnsmasq\/([^/]+)\.conf$/.exec(confFile);
  return match?.[1];
}

/** The interface= and listen-address= settings of a dnsmasq configuration file. */
export function parseDnsmasqConf(text: string): Pick<DnsmasqProcess, 'interfaces' | 'listenAddresses'> {
  const interfaces: string[] = [];
  const listenAddresses: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    const [key, value] = [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)];
    if (key === 'interface') interfaces.push(...value.split(',').filter(Boolean));
    if (key === 'listen-address') listenAddresses.push(...value.split(',').filter(Boolean));
  }
  return { interfaces, listenAddresses };
}

/**
 * Source subnets that `iptables-save -t nat` output translates with MASQUERADE (or SNAT), as
 * libvirt's NAT networks add them: "-A LIBVIRT_PRT -s 192.168.122.0/24 ! -d 192.168.122.0/24 -j MASQUERADE".
 */
export function parseMasqueradedSubnets(iptablesSave: string): string[] {
  const translating = parseIptablesSave(iptablesSave).filter(
    (rule) => rule.table === 'nat' && /^(MASQUERADE|SNAT)$/.test(rule.target ?? '') && rule.source && !rule.sourceNegated,
  );
  return [...new Set(translating.map((rule) => rule.source!))];
}

// A translating rule in the firewall parser's text form: nftables' own statements, or iptables-nft's xt targets.
const TRANSLATING_NFT_RULE = /(^| )(masquerade|snat)( |$)|xt target (MASQUERADE|SNAT)/;

/**
 * Source subnets that `nft -j list ruleset` translates with masquerade or snat: libvirt's own
 * nftables rules ("ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 masquerade") and
 * iptables-nft's (an xt MASQUERADE target), so hosts on either firewall backend are covered.
 */
export function parseNftMasqueradedSubnets(text: string): string[] {
  const subnets = parseNftJson(text).rules.flatMap((rule) => {
    if (!TRANSLATING_NFT_RULE.test(rule.text)) return [];
    // A negated source prints as "ip saddr != …" and does not match: only == has no operator.
    const source = /(?:^| )ip saddr ([0-9.]+(?:\/\d+)?)(?: |$)/.exec(rule.text)?.[1];
    return source ? [source.includes('/') ? source : `${source}/32`] : [];
  });
  return [...new Set(subnets)];
}

/** The parent pid in /proc/PID/status text. */
export function parseParentPid(status: string): number | undefined {
  const match = /^PPid:\s*(\d+)$/m.exec(status);
  return match ? Number(match[1]) : undefined;
}
