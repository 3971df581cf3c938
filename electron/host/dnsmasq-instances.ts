// Finds the lease files of dnsmasq instances libvirt does not run (a hand-made bridge's DHCP, the
// distribution's dnsmasq service): the running dnsmasq processes in the watched network namespace,
// their command lines, and the configuration files those name.
import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import {
  confDirFiles,
  DEFAULT_DNSMASQ_CONF_FILE,
  dnsmasqCommandLineOptions,
  dnsmasqConfigOptions,
  dnsmasqLeaseFile,
  type DnsmasqLeaseFile,
  type DnsmasqOption,
} from '../../shared/leases/dnsmasq-config';

export interface DnsmasqInstancesOptions {
  /** Only dnsmasq processes in this process's network namespace count: a lab's holder, or "self". */
  namespacePid: number | 'self';
  /** The file system root their paths are under: "/" here, /proc/PID/root for a lab. */
  root: string;
  /** Where the process table is; a test may point it at a fake one. */
  proc?: string;
}

// conf-file and conf-dir may include each other; dnsmasq itself stops at a small depth too.
const MAX_INCLUDE_DEPTH = 4;

export class DnsmasqInstances {
  // A process's command line never changes and dnsmasq reads its lease file setting only at
  // start, so each process's configuration is read once.
  private readonly leaseFileByProcess = new Map<string, DnsmasqLeaseFile | undefined>();

  constructor(private readonly options: DnsmasqInstancesOptions) {}

  /** The lease files of the running dnsmasq instances that write one (absolute host paths), by path. */
  async leaseFiles(): Promise<DnsmasqLeaseFile[]> {
    const proc = this.options.proc ?? '/proc';
    const namespace = await readlink(path.posix.join(proc, String(this.options.namespacePid), 'ns/net')).catch(() => undefined);
    if (namespace === undefined) return [];
    const pids = (await readdir(proc).catch(() => [])).filter((entry) => /^\d+$/.test(entry));
    const instances = (await Promise.all(pids.map((pid) => this.dnsmasqProcess(proc, pid, namespace)))).filter(
      (instance): instance is string => instance !== undefined,
    );
    const seen = new Set(instances);
    const files = new Map<string, DnsmasqLeaseFile>();
    for (const instance of instances) {
      if (!this.leaseFileByProcess.has(instance)) {
        this.leaseFileByProcess.set(instance, await this.leaseFileOf(instance.split('\0').slice(2)));
      }
      const leaseFile = this.leaseFileByProcess.get(instance);
      if (leaseFile !== undefined) files.set(leaseFile.file, leaseFile);
    }
    for (const instance of this.leaseFileByProcess.keys()) if (!seen.has(instance)) this.leaseFileByProcess.delete(instance);
    return [...files.values()].sort((a, b) => a.file.localeCompare(b.file));
  }

  /** "PID\0ARGV..." for a dnsmasq in the namespace, undefined for anything else (or gone meanwhile). */
  private async dnsmasqProcess(proc: string, pid: string, namespace: string): Promise<string | undefined> {
    try {
      if ((await readFile(path.posix.join(proc, pid, 'comm'), 'utf8')).trim() !== 'dnsmasq') return undefined;
      if ((await readlink(path.posix.join(proc, pid, 'ns/net'))) !== namespace) return undefined;
      const cmdline = await readFile(path.posix.join(proc, pid, 'cmdline'), 'utf8');
      return `${pid}\0${cmdline.replace(/\0$/, '')}`;
    } catch {
      return undefined;
    }
  }

  private async leaseFileOf(argv: readonly string[]): Promise<DnsmasqLeaseFile | undefined> {
    const commandLine = dnsmasqCommandLineOptions(argv);
    // dnsmasq reads /etc/dnsmasq.conf only when the command line names no configuration file.
    const named = commandLine.some((o) => o.name === 'conf-file');
    const fromFiles = await this.expandIncludes(named ? commandLine : [...commandLine, { name: 'conf-file', value: DEFAULT_DNSMASQ_CONF_FILE }], 0);
    return dnsmasqLeaseFile([...commandLine, ...fromFiles]);
  }

  /** The options of every file that these options include, depth first, in dnsmasq's order. */
  private async expandIncludes(options: readonly DnsmasqOption[], depth: number): Promise<DnsmasqOption[]> {
    if (depth >= MAX_INCLUDE_DEPTH) return [];
    const included: DnsmasqOption[] = [];
    for (const option of options) {
      if (!option.value || (option.name !== 'conf-file' && option.name !== 'conf-dir')) continue;
      const files =
        option.name === 'conf-file'
          ? [option.value]
          : confDirFiles(option.value, await readdir(this.hostPath(option.value.split(',')[0]!)).catch(() => []));
      for (const file of files) {
        // An unreadable or missing configuration file is dnsmasq's problem; it has no lease setting for us.
        const text = await readFile(this.hostPath(file), 'utf8').catch(() => '');
        const fileOptions = dnsmasqConfigOptions(text);
        included.push(...fileOptions, ...(await this.expandIncludes(fileOptions, depth + 1)));
      }
    }
    return included;
  }

  private hostPath(file: string): string {
    return path.posix.join(this.options.root, file);
  }
}
