// The links host operation: interfaces, bridges, ports and addresses as the kernel reports them,
// read from `ip -json` (run through a CommandRunner, so it can look into a lab's namespace).
import { z } from 'zod';
import { IpAddressOutputSchema } from '../../shared/link-state';
import type { HostInterface } from '../../shared/model';
import { parseJsonOutput } from '../../shared/topology/host-parsers';
import type { HostRoute } from '../../shared/validation/network-validation';
import { runChecked, type CommandRunner } from './command-runner';

export interface LinkHost {
  listInterfaces(): Promise<HostInterface[]>;
  /** The main routing table, IPv4 and IPv6: what a new network's subnet must not overlap. */
  listRoutes(): Promise<HostRoute[]>;
  /** Enslaves a link to a bridge (`ip link set dev LINK master BRIDGE`): a guest's tap back onto its network. */
  attachToBridge(link: string, bridge: string): Promise<void>;
}


const IpRouteOutputSchema = z.array(z.object({ dst: z.string(), dev: z.string().optional(), gateway: z.string().optional() }));

/**
 * Maps `ip -json route show` output to HostRoutes; a host route ("10.1.2.3", no prefix) becomes
 * a /32 or /128 so every destination is "default" or a CIDR.
 */
export function parseIpRouteJson(text: string): HostRoute[] {
  return parseJsonOutput(text, IpRouteOutputSchema, 'ip -json route show').map((route) => ({
    destination: route.dst === 'default' || route.dst.includes('/') ? route.dst : `${route.dst}/${route.dst.includes(':') ? 128 : 32}`,
    ...(route.dev ? { dev: route.dev } : {}),
    ...(route.gateway ? { gateway: route.gateway } : {}),
  }));
}

/** Maps `ip -json -details addr show` output to HostInterfaces. */
export function parseIpAddrJson(text: string): HostInterface[] {
  const entries = parseJsonOutput(text, IpAddressOutputSchema, 'ip -json addr show');
  return entries.map((entry) => ({
    name: entry.ifname,
    kind: entry.linkinfo?.info_kind ?? (entry.link_type === 'loopback' ? 'loopback' : 'device'),
    ...(entry.address ? { mac: entry.address } : {}),
    ...(entry.master ? { master: entry.master } : {}),
    operState: (entry.operstate ?? 'UNKNOWN').toLowerCase(),
    ...(entry.mtu !== undefined ? { mtu: entry.mtu } : {}),
    addresses: (entry.addr_info ?? [])
      .filter((a) => (a.family === 'inet' || a.family === 'inet6') && a.local !== undefined)
      .map((a) => ({
        family: a.family === 'inet' ? ('ipv4' as const) : ('ipv6' as const),
        address: a.local!,
        prefix: a.prefixlen ?? (a.family === 'inet' ? 32 : 128),
      })),
  }));
}

export class IprouteLinkHost implements LinkHost {
  constructor(private readonly runner: CommandRunner) {}

  async listInterfaces(): Promise<HostInterface[]> {
    return parseIpAddrJson(await runChecked(this.runner, 'ip', ['-json', '-details', 'addr', 'show']));
  }

  async listRoutes(): Promise<HostRoute[]> {
    const [ipv4, ipv6] = await Promise.all(
      [['-4'], ['-6']].map(async (family) => parseIpRouteJson(await runChecked(this.runner, 'ip', [...family, '-json', 'route', 'show']))),
    );
    return [...ipv4!, ...ipv6!];
  }

  async attachToBridge(link: string, bridge: string): Promise<void> {
    await runChecked(this.runner, 'ip', ['link', 'set', 'dev', link, 'master', bridge]);
  }
}
