// Topology discovery: what the host kernel (or a lab's namespace) knows about VM networking
// beyond libvirt — link details, default routes, neighbours, NAT rules — and which processes hold
// taps (fdinfo of /dev/net/tun) or serve DHCP (dnsmasq). Programs run through the CommandRunner,
// so they see the right network namespace; /proc is shared by all namespaces of this pid
// namespace and is read directly, keeping the processes whose network namespace is the target's.
import fs from 'node:fs/promises';
import {
  dnsmasqConfFile,
  libvirtNetworkOfConfFile,
  parseDefaultRouteDevs,
  parseDnsmasqConf,
  parseGrepFiles,
  parseIpLinkDetails,
  parseIpNeigh,
  parseMasqueradedSubnets,
  parseNftMasqueradedSubnets,
  parseParentPid,
  parseProcCmdline,
  parseSysfsLink,
  parseTunFdinfo,
  qemuGuestName,
  type IpLinkEntry,
} from '../../shared/topology/host-parsers';
import type { DnsmasqProcess, HostTopology, LinkDetail, TapProcess } from '../../shared/topology/host-topology';
import { runChecked, startProgram, type CommandRunner } from './command-runner';

/** The kernel's part of the topology; guest-agent addresses come from libvirt. */
export type KernelTopology = Omit<HostTopology, 'guestAgentAddresses'>;

export interface TopologyHost {
  readTopology(): Promise<KernelTopology>;
  /**
   * Calls onChange for every kernel link, address or route change and onEnd once when the monitor
   * ends. Returns a function that stops watching.
   */
  watchLinks(onChange: () => void, onEnd: () => void): () => void;
}

// Programs that hold VM taps: QEMU (also as "kvm") and the other common VMMs.
const TAP_HOLDER = /^(qemu|kvm|crosvm|firecracker|cloud-hyperviso)/;

export class KernelTopologyHost implements TopologyHost {
  /**
   * @param runner runs programs in the target's network namespace
   * @param namespacePid a process in the target's network namespace; this process when omitted
   */
  constructor(
    private readonly runner: CommandRunner,
    private readonly namespacePid?: number,
  ) {}

  watchLinks(onChange: () => void, onEnd: () => void): () => void {
    // Each message only triggers a reread, so its text is not parsed (iproute2 6.1 prints text
    // for monitor even with -json).
    const monitor = startProgram(this.runner.argv('ip', ['monitor', 'link', 'address', 'route']));
    let stopped = false;
    monitor.stdout?.on('data', () => onChange());
    monitor.once('exit', () => {
      if (!stopped) onEnd();
    });
    return () => {
      stopped = true;
      monitor.kill();
    };
  }

  async readTopology(): Promise<KernelTopology> {
    const problems: string[] = [];
    const attempt = async <T>(what: string, read: () => Promise<T>, fallback: T): Promise<T> => {
      try {
        return await read();
      } catch (error) {
        problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
        return fallback;
      }
    };
    const ip = (...args: string[]) => runChecked(this.runner, 'ip', args);
    const [links, routes4, routes6, neighbours, nat, processes] = await Promise.all([
      attempt('links', async () => parseIpLinkDetails(await ip('-json', '-details', 'link', 'show')), []),
      attempt('IPv4 routes', async () => parseDefaultRouteDevs(await ip('-json', 'route', 'show', 'default')), []),
      attempt('IPv6 routes', async () => parseDefaultRouteDevs(await ip('-6', '-json', 'route', 'show', 'default')), []),
      attempt('neighbours', async () => parseIpNeigh(await ip('-json', 'neigh', 'show')), []),
      attempt('NAT rules', () => this.readMasqueradedSubnets(), []),
      attempt('processes', () => this.readProcesses(), { tapProcesses: [], dnsmasq: [] }),
    ]);
    const { details, ipForwarding } = await attempt('sysfs', () => this.readSysfs(links), {
      details: links.map((entry) => entry.detail),
      ipForwarding: undefined,
    });
    return {
      defaultRouteDevs: [...new Set([...routes4, ...routes6])],
      ...(ipForwarding !== undefined ? { ipForwarding } : {}),
      links: details,
      neighbours,
      masqueradedSubnets: nat,
      ...processes,
      problems,
    };
  }

  /**
   * Subnets a masquerade rule translates, from nftables (libvirt's nftables backend, and
   * iptables-nft) and from iptables-save (iptables-legacy, whose rules nft cannot see). Fails
   * only when neither can be read.
   */
  private async readMasqueradedSubnets(): Promise<string[]> {
    const [nft, iptables] = await Promise.allSettled([
      runChecked(this.runner, 'nft', ['-j', 'list', 'ruleset']).then(parseNftMasqueradedSubnets),
      runChecked(this.runner, 'iptables-save', ['-t', 'nat']).then(parseMasqueradedSubnets),
    ]);
    if (nft.status === 'rejected' && iptables.status === 'rejected') throw nft.reason;
    return [...new Set([nft, iptables].flatMap((read) => (read.status === 'fulfilled' ? read.value : [])))];
  }

  /**
   * Wireless and speed of hardware NICs from sysfs, and IPv4 forwarding, in one grep. Sysfs shows
   * the namespace that mounted it, which may not be the target's (a lab keeps the host's /sys):
   * a link's sysfs entry counts only when its ifindex matches the one `ip` reported.
   */
  private async readSysfs(links: IpLinkEntry[]): Promise<{ details: LinkDetail[]; ipForwarding: boolean | undefined }> {
    const physical = links.filter((entry) => entry.detail.physical);
    const forwarding = '/proc/sys/net/ipv4/ip_forward';
    const files = [forwarding, ...physical.flatMap(({ detail }) => [`/sys/class/net/${detail.name}/uevent`, `/sys/class/net/${detail.name}/speed`])];
    // grep exits 2 when some file is unreadable (e.g. speed of a down link); its output still counts.
    const result = await this.runner.run('grep', ['-s', '-H', '.', ...files]);
    const read = parseGrepFiles(result.stdout);
    const details = links.map(({ detail, ifindex }) => {
      if (!detail.physical) return detail;
      const sysfs = parseSysfsLink(read.get(`/sys/class/net/${detail.name}/uevent`), read.get(`/sys/class/net/${detail.name}/speed`));
      if (sysfs.ifindex === undefined || sysfs.ifindex !== ifindex) return detail;
      return { ...detail, wireless: sysfs.wireless, ...(sysfs.speedMbps ? { speedMbps: sysfs.speedMbps } : {}) };
    });
    const value = read.get(forwarding)?.[0];
    return { details, ipForwarding: value === undefined ? undefined : value.trim() === '1' };
  }

  private async readProcesses(): Promise<{ tapProcesses: TapProcess[]; dnsmasq: DnsmasqProcess[] }> {
    const target = await fs.readlink(`/proc/${this.namespacePid ?? 'self'}/ns/net`);
    const tapProcesses: TapProcess[] = [];
    const dnsmasq: (DnsmasqProcess & { parent?: number })[] = [];
    for (const entry of await fs.readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      // Any read can fail when the process exits meanwhile; such a process is simply skipped.
      const namespace = await fs.readlink(`/proc/${pid}/ns/net`).catch(() => undefined);
      if (namespace !== target) continue;
      const command = (await fs.readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
      if (TAP_HOLDER.test(command)) {
        const taps = await tapsOfProcess(pid);
        if (taps.length === 0) continue;
        const args = parseProcCmdline(await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''));
        tapProcesses.push({ pid, name: qemuGuestName(args) ?? command, command, taps });
      } else if (command === 'dnsmasq') {
        const found = await readDnsmasq(pid);
        if (found) dnsmasq.push(found);
      }
    }
    // dnsmasq forks a helper for its lease script: keep the process whose parent is not a dnsmasq.
    const dnsmasqPids = new Set(dnsmasq.map((process) => process.pid));
    const servers = dnsmasq
      .filter((process) => process.parent === undefined || !dnsmasqPids.has(process.parent))
      .map(({ parent: _parent, ...process }) => process);
    return { tapProcesses, dnsmasq: servers };
  }
}

/** The taps a process holds: the `iff:` line in the fdinfo of each fd open on /dev/net/tun. */
async function tapsOfProcess(pid: number): Promise<string[]> {
  const taps: string[] = [];
  for (const fd of await fs.readdir(`/proc/${pid}/fd`).catch(() => [])) {
    const target = await fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    if (target !== '/dev/net/tun') continue;
    const tap = parseTunFdinfo(await fs.readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => ''));
    if (tap && !taps.includes(tap)) taps.push(tap);
  }
  return taps;
}

async function readDnsmasq(pid: number): Promise<(DnsmasqProcess & { parent?: number }) | undefined> {
  const args = parseProcCmdline(await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''));
  const confFile = dnsmasqConfFile(args);
  if (!confFile) return undefined;
  // The file lives in the process's mount namespace, which /proc/PID/root looks into.
  const conf = await fs.readFile(`/proc/${pid}/root${confFile}`, 'utf8').catch(() => '');
  const parent = parseParentPid(await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''));
  const network = libvirtNetworkOfConfFile(confFile);
  return {
    pid,
    confFile,
    ...(network ? { network } : {}),
    ...parseDnsmasqConf(conf),
    ...(parent !== undefined ? { parent } : {}),
  };
}
