// Where DHCP leases come from. On this host (or inside a lab's mount namespace) the core reads
// libvirt's lease database files directly and watches their directory, so a new lease reaches the
// renderer milliseconds after dnsmasq grants it, without a virsh process or polling. For a remote
// libvirt, or files this user may not read, it asks `virsh net-dhcp-leases` instead.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SwitchyardError, toErrorValue } from '../../shared/errors';
import { ipv4ConfigFor } from '../../shared/leases/host-entries';
import type { DnsmasqLeaseFile } from '../../shared/leases/dnsmasq-config';
import { parseDnsmasqLeaseFile, parseLeaseStatusFile, type LeaseFileOrigin } from '../../shared/leases/lease-files';
import { parseNetDhcpLeases } from '../../shared/libvirt/virsh-output';
import type { IpFamily, Lease, LeaseProblem, Network } from '../../shared/model';
import { cleanVirshError, type Virsh } from './virsh';

export interface LeaseReading {
  leases: Lease[];
  /** Sources that failed this time; their leases in `leases` are the last good ones. */
  problems: LeaseProblem[];
}

export interface LeaseHost {
  /**
   * The leases of these networks' DHCP servers (plus any other dnsmasq this host knows of). After
   * watch() reported a change, `cause` "change" asks for the changed sources only to be reread,
   * without looking for new ones, so the push stays quick.
   */
  read(networks: readonly Network[], cause?: 'reread' | 'change'): Promise<LeaseReading>;
  /** Calls onChange soon after any lease source changed. Returns the function that stops it. */
  watch(onChange: () => void): () => void;
  /** True when watch() reports changes, so nobody needs to reread leases on a timer. */
  readonly pushesChanges: boolean;
}

/** Where libvirt keeps dnsmasq's files, relative to the file system root. */
export const LIBVIRT_DNSMASQ_DIR = '/var/lib/libvirt/dnsmasq';
/** libvirt refuses lease databases larger than this; so do we. */
const MAX_LEASE_FILE_BYTES = 32 * 1024 * 1024;
// libvirt runs dnsmasq for these forward modes only; the others have no DHCP server of libvirt's.
const MODES_WITH_DNSMASQ = new Set(['nat', 'route', 'open', 'isolated']);

/** The prefix libvirt reports leases with: that of the network's first <ip> of the family. */
function leaseOrigin(network: Network): LeaseFileOrigin {
  const prefixes: Partial<Record<IpFamily, number>> = {};
  for (const ip of network.ips) prefixes[ip.family] ??= ip.prefix;
  return { network: network.name, prefixes };
}

/** Keeps the last leases read from each source, so a bad read shows the last good state. */
class LastGoodLeases {
  private readonly bySource = new Map<string, Lease[]>();

  accept(source: string, leases: Lease[]): Lease[] {
    this.bySource.set(source, leases);
    return leases;
  }

  /** The leases last read from `source`, or none, with the problem recorded. */
  reject(source: string, network: string | undefined, error: unknown, problems: LeaseProblem[]): Lease[] {
    problems.push({ source, ...(network !== undefined ? { network } : {}), error: toErrorValue(error) });
    return this.bySource.get(source) ?? [];
  }
}

/** `virsh net-dhcp-leases` for every running network, in one virsh process. */
export class VirshLeaseHost implements LeaseHost {
  readonly pushesChanges = false;
  private readonly lastGood = new LastGoodLeases();

  constructor(private readonly virsh: Virsh) {}

  async read(networks: readonly Network[]): Promise<LeaseReading> {
    const running = networks.filter((n) => n.active);
    const problems: LeaseProblem[] = [];
    const { outputs, stderr } = await this.virsh.batch(running.map((n) => ['net-dhcp-leases', n.name]));
    // Drivers without a DHCP server of their own (the test driver) answer "not supported".
    if (/not supported by the connection driver/.test(stderr)) return { leases: [], problems };
    const leases = running.flatMap((network, index) => {
      const source = `virsh net-dhcp-leases ${network.name}`;
      try {
        const output = outputs[index] ?? '';
        if (output === '') {
          throw new SwitchyardError({
            code: 'libvirt-error',
            message: cleanVirshError(stderr) || `virsh net-dhcp-leases ${network.name} failed.`,
            hint: 'Check that the network still runs; Switchyard asks again at the next reread.',
          });
        }
        return this.lastGood.accept(source, parseNetDhcpLeases(output, network.name));
      } catch (error) {
        return this.lastGood.reject(source, network.name, error, problems);
      }
    });
    return { leases, problems };
  }

  watch(): () => void {
    // libvirt has no lease events: the core's periodic reread is all there is.
    return () => undefined;
  }
}

export interface LeaseFileHostOptions {
  /** The file system root the host's paths are under: "/" here, /proc/PID/root for a lab. */
  root: string;
  /** Asked for networks whose lease database this process may not read. */
  fallback: LeaseHost;
  /** Lease files of dnsmasq instances libvirt does not run (absolute paths on the host), found anew at each reread. */
  findDnsmasqLeaseFiles?: () => Promise<readonly DnsmasqLeaseFile[]>;
}

/**
 * Reads libvirt's BRIDGE.status files and plain dnsmasq lease files, and watches them change.
 * While watching, a file is read again only after its directory's watch named it (or could not
 * name anything): the periodic libvirt reread costs no file reads.
 */
export class LeaseFileHost implements LeaseHost {
  readonly pushesChanges = true;
  private readonly lastGood = new LastGoodLeases();
  private readonly watchers = new Map<string, FSWatcher>();
  private onChange: (() => void) | undefined;
  private dnsmasqLeaseFiles: readonly DnsmasqLeaseFile[] = [];
  /** What each file held when last read, kept while no change to it was seen. */
  private readonly contents = new Map<string, FileContent>();
  /** Bumped by every change seen, so a read that a change overtook is not kept. */
  private changesSeen = 0;

  constructor(private readonly options: LeaseFileHostOptions) {}

  async read(networks: readonly Network[], cause: 'reread' | 'change' = 'reread'): Promise<LeaseReading> {
    if (cause === 'reread') this.dnsmasqLeaseFiles = (await this.options.findDnsmasqLeaseFiles?.()) ?? [];
    // A directory that did not exist when watching began (no network ever ran) may exist now.
    this.watchDirectories();
    const problems: LeaseProblem[] = [];
    const unreadable: Network[] = [];
    const served = networks.filter((n) => n.active && n.bridge && MODES_WITH_DNSMASQ.has(n.forward.mode));
    const fromStatus = await Promise.all(
      served.map(async (network) => {
        const file = path.posix.join(LIBVIRT_DNSMASQ_DIR, `${network.bridge!.name}.status`);
        const content = await this.readHostFile(file);
        if (content.kind === 'unreadable') unreadable.push(network);
        return this.parseFile(file, content, network.name, problems, (text) => parseLeaseStatusFile(text, leaseOrigin(network)));
      }),
    );
    const fromDnsmasq = await Promise.all(
      this.dnsmasqLeaseFiles.map(async ({ file, name }) =>
        this.parseFile(file, withoutFallback(file, await this.readHostFile(file)), undefined, problems, (text) =>
          assignToNetworks(parseDnsmasqLeaseFile(text, { network: name }), networks),
        ),
      ),
    );
    const fallback = unreadable.length > 0 ? await this.options.fallback.read(unreadable) : { leases: [], problems: [] };
    return {
      leases: [...fromStatus.flat(), ...fromDnsmasq.flat(), ...fallback.leases],
      problems: [...problems, ...fallback.problems],
    };
  }

  /** The file's leases; the last good ones (and a problem) when it could not be read or parsed. */
  private parseFile(
    file: string,
    content: FileContent,
    network: string | undefined,
    problems: LeaseProblem[],
    parse: (text: string) => Lease[],
  ): Lease[] {
    switch (content.kind) {
      case 'missing':
      case 'unreadable':
        return [];
      case 'failed':
        return this.lastGood.reject(file, network, content.error, problems);
      case 'text':
        try {
          return this.lastGood.accept(file, parse(content.text));
        } catch (error) {
          return this.lastGood.reject(file, network, error, problems);
        }
    }
  }

  watch(onChange: () => void): () => void {
    this.onChange = onChange;
    this.watchDirectories();
    return () => {
      this.onChange = undefined;
      for (const watcher of this.watchers.values()) watcher.close();
      this.watchers.clear();
      this.contents.clear();
    };
  }

  /**
   * Watches each lease file's directory, not the file: libvirt's helper replaces BRIDGE.status by
   * renaming a new file over it, which a watch on the old file's inode would never see.
   */
  private watchDirectories(): void {
    if (!this.onChange) return;
    const interesting = new Map<string, (name: string) => boolean>([[LIBVIRT_DNSMASQ_DIR, (name) => name.endsWith('.status')]]);
    for (const { file } of this.dnsmasqLeaseFiles) {
      const directory = path.posix.dirname(file);
      const earlier = interesting.get(directory);
      const base = path.posix.basename(file);
      interesting.set(directory, (name) => name === base || (earlier?.(name) ?? false));
    }
    for (const [directory, watcher] of this.watchers) {
      if (interesting.has(directory)) continue;
      // That dnsmasq is gone.
      watcher.close();
      this.watchers.delete(directory);
    }
    for (const [directory, matches] of interesting) {
      if (this.watchers.has(directory)) continue;
      try {
        const watcher = watch(this.hostPath(directory), { persistent: false }, (_event, name) => {
          // Without a name (some file systems) any file of the directory may have changed.
          if (name === null) this.forgetContents(directory);
          else if (matches(name.toString())) this.forgetContent(path.posix.join(directory, name.toString()));
          else return;
          this.onChange?.();
        });
        watcher.on('error', () => {
          // The directory went away (libvirt reinstalled, lab torn down): watch again at the next read.
          watcher.close();
          this.watchers.delete(directory);
          this.forgetContents(directory);
        });
        this.watchers.set(directory, watcher);
        // Whatever was read before this watch began may have changed unseen.
        this.forgetContents(directory);
      } catch {
        // Not there yet; read() tries again.
      }
    }
  }

  private forgetContents(directory: string): void {
    this.changesSeen += 1;
    for (const file of this.contents.keys()) if (path.posix.dirname(file) === directory) this.contents.delete(file);
  }

  private forgetContent(file: string): void {
    this.changesSeen += 1;
    this.contents.delete(file);
  }

  private hostPath(file: string): string {
    return path.posix.join(this.options.root, file);
  }

  /** The file's content as last read while its directory is watched and no change was seen; else read now. */
  private async readHostFile(file: string): Promise<FileContent> {
    const watched = this.watchers.has(path.posix.dirname(file));
    const known = watched ? this.contents.get(file) : undefined;
    if (known) return known;
    const changesBefore = this.changesSeen;
    const content = await this.readHostFileNow(file);
    if (this.watchers.has(path.posix.dirname(file)) && this.changesSeen === changesBefore) this.contents.set(file, content);
    return content;
  }

  /** The file's text, or why there is none: missing means no leases yet, as for libvirt. */
  private async readHostFileNow(file: string): Promise<FileContent> {
    try {
      const buffer = await readFile(this.hostPath(file));
      if (buffer.length > MAX_LEASE_FILE_BYTES) {
        return {
          kind: 'failed',
          error: new Error(`${file} is ${buffer.length} bytes; lease databases over ${MAX_LEASE_FILE_BYTES} bytes are refused, as libvirt does.`),
        };
      }
      return { kind: 'text', text: buffer.toString('utf8') };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { kind: 'missing' };
      if (code === 'EACCES' || code === 'EPERM') return { kind: 'unreadable' };
      return { kind: 'failed', error };
    }
  }
}

type FileContent = { kind: 'text'; text: string } | { kind: 'missing' } | { kind: 'unreadable' } | { kind: 'failed'; error: unknown };

/** virsh knows nothing of a dnsmasq libvirt does not run: a file this user may not read is a problem to show. */
function withoutFallback(file: string, content: FileContent): FileContent {
  if (content.kind !== 'unreadable') return content;
  return {
    kind: 'failed',
    error: new SwitchyardError({
      code: 'permission-denied',
      message: `This user may not read the dnsmasq lease file ${file}.`,
      hint: 'Make the file readable to this user, or run Switchyard as a user who may read it.',
    }),
  };
}

/** A dnsmasq lease belongs to the libvirt network whose IPv4 subnet holds it, if any; else to its dnsmasq. */
function assignToNetworks(leases: Lease[], networks: readonly Network[]): Lease[] {
  return leases.map((lease) => {
    const network = networks.find((n) => ipv4ConfigFor(n, lease.ip));
    return network ? { ...lease, network: network.name, ...leaseOriginPrefix(network, lease.family) } : lease;
  });
}

function leaseOriginPrefix(network: Network, family: IpFamily): { prefix?: number } {
  const prefix = leaseOrigin(network).prefixes?.[family];
  return prefix !== undefined ? { prefix } : {};
}
