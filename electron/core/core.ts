// The Switchyard core: owns the connection to libvirt and the host, keeps the current snapshot,
// pushes it to subscribers when it changes, and reconnects by itself when libvirt goes away.
// It knows nothing of Electron or HTTP; both shells drive it through the handler table.
import { SwitchyardError, toErrorValue } from '../../shared/errors';
import type { Connection, ErrorValue, HostInterface, Lease, NetworkDetails, Snapshot, Vm } from '../../shared/model';
import type { LibvirtHost } from '../host/libvirt';
import type { LinkHost } from '../host/links';

export interface CoreHosts {
  libvirt: LibvirtHost;
  /** Host-level reads; absent when the connection is not to this host (or its lab). */
  links?: LinkHost;
}

export interface CoreOptions {
  uri: string;
  /** Builds the host operations for a connection URI; called again when the URI changes. */
  connectHosts(uri: string): CoreHosts;
  /** How often a connected core rereads libvirt (leases have no libvirt event). */
  refreshIntervalMs?: number;
  /** Longest wait between reconnection attempts while libvirt is unreachable. */
  maxRetryIntervalMs?: number;
}

type SnapshotListener = (snapshot: Snapshot) => void;

const NO_HOST_READS: ErrorValue = {
  code: 'host-not-local',
  message: 'Host interfaces are shown only for a libvirt connection on this machine.',
  hint: 'Run Switchyard (or "switchyard serve") on the hypervisor itself to see its bridges and taps.',
};

export class SwitchyardCore {
  private hosts: CoreHosts;
  private snapshot: Snapshot;
  private readonly listeners = new Set<SnapshotListener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private inFlight: Promise<Snapshot> | undefined;
  private failures = 0;
  private stopWatching: (() => void) | undefined;
  private eventTimer: ReturnType<typeof setTimeout> | undefined;
  private watchEndedAt = 0;
  // Bumped on every URI change so that a read of the old connection cannot overwrite the new one.
  private generation = 0;

  constructor(private readonly options: CoreOptions) {
    this.hosts = options.connectHosts(options.uri);
    this.snapshot = emptySnapshot({ uri: options.uri, state: 'connecting' });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.refreshAndReschedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.eventTimer) clearTimeout(this.eventTimer);
    this.timer = this.eventTimer = undefined;
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  getSnapshot(): Snapshot {
    return this.snapshot;
  }

  /** Calls the listener now with the current snapshot, then on every change. */
  onSnapshot(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    listener(this.snapshot);
    return () => this.listeners.delete(listener);
  }

  /** Rereads everything now; concurrent callers share one read. */
  refresh(): Promise<Snapshot> {
    this.inFlight ??= this.readSnapshot().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  async setConnectionUri(uri: string): Promise<Connection> {
    this.generation += 1;
    this.stopWatching?.();
    this.stopWatching = undefined;
    this.hosts = this.options.connectHosts(uri);
    this.failures = 0;
    this.publish(emptySnapshot({ uri, state: 'connecting' }));
    await this.inFlight?.catch(() => undefined);
    const snapshot = await this.refresh();
    if (this.running) this.reschedule();
    return snapshot.connection;
  }

  async getNetworkDetails(name: string): Promise<NetworkDetails> {
    const xml = await this.hosts.libvirt.readNetworkXml(name);
    const snapshot = this.snapshot.networks.some((n) => n.name === name) ? this.snapshot : await this.refresh();
    const network = snapshot.networks.find((n) => n.name === name);
    if (!network) {
      throw new SwitchyardError({
        code: 'not-found',
        field: 'name',
        message: `There is no network named "${name}".`,
        hint: 'Pick a network from the list; it may have been deleted meanwhile.',
      });
    }
    const attached = snapshot.vms
      .map((vm) => ({ vm: vm.name, state: vm.state, nics: vm.nics.filter((nic) => nic.network === name) }))
      .filter((entry) => entry.nics.length > 0);
    return { network, xml, attached, leases: snapshot.leases.filter((l) => l.network === name) };
  }

  private async refreshAndReschedule(): Promise<void> {
    const snapshot = await this.refresh().catch(() => undefined);
    if (!this.running) return;
    if (snapshot?.connection.state === 'connected') this.watchEvents();
    this.reschedule();
  }

  /** libvirt events make VM and network changes show at once instead of at the next reread. */
  private watchEvents(): void {
    // A stream that keeps ending (a driver without events) is not restarted in a tight loop;
    // the periodic reread covers the gap.
    if (this.stopWatching || Date.now() - this.watchEndedAt < 10_000) return;
    const generation = this.generation;
    this.stopWatching = this.hosts.libvirt.watchEvents(
      () => {
        // Events come in bursts (a VM start emits several): one reread after the burst settles.
        if (this.eventTimer) clearTimeout(this.eventTimer);
        this.eventTimer = setTimeout(() => void this.refreshAndReschedule(), 150);
      },
      () => {
        if (generation !== this.generation) return;
        this.stopWatching = undefined;
        this.watchEndedAt = Date.now();
        if (this.running) void this.refreshAndReschedule();
      },
    );
  }

  private reschedule(): void {
    if (this.timer) clearTimeout(this.timer);
    const interval = this.options.refreshIntervalMs ?? 2000;
    // Back off while libvirt is unreachable: 0.5 s, 1 s, 2 s, ... up to the maximum.
    const delay =
      this.failures === 0
        ? interval
        : Math.min(500 * 2 ** (this.failures - 1), this.options.maxRetryIntervalMs ?? 5000);
    this.timer = setTimeout(() => void this.refreshAndReschedule(), delay);
  }

  private async readSnapshot(): Promise<Snapshot> {
    const generation = this.generation;
    const { libvirt, links } = this.hosts;
    const [inventory, host] = await Promise.all([
      libvirt.readInventory().then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error: toErrorValue(error) }),
      ),
      readHostInterfaces(links),
    ]);
    if (generation !== this.generation) return this.snapshot;

    if (!inventory.ok) {
      this.failures += 1;
      this.publish({
        ...this.snapshot,
        connection: { uri: libvirt.uri, state: 'disconnected', error: inventory.error, ...lastRead(this.snapshot) },
        ...host,
      });
      return this.snapshot;
    }
    this.failures = 0;
    const { networks, vms, leases } = inventory.value;
    this.publish({
      connection: { uri: libvirt.uri, state: 'connected', lastReadAt: Date.now() },
      networks,
      vms,
      leases: attributeLeasesToVms(leases, vms),
      ...host,
    });
    return this.snapshot;
  }

  private publish(next: Snapshot): void {
    // Compare without the read time, so an unchanged host does not wake every renderer.
    const changed = JSON.stringify(withoutReadTime(next)) !== JSON.stringify(withoutReadTime(this.snapshot));
    this.snapshot = next;
    if (!changed) return;
    for (const listener of this.listeners) listener(next);
  }
}

async function readHostInterfaces(
  links: LinkHost | undefined,
): Promise<{ hostInterfaces: HostInterface[]; hostError?: ErrorValue }> {
  if (!links) return { hostInterfaces: [], hostError: NO_HOST_READS };
  try {
    return { hostInterfaces: await links.listInterfaces() };
  } catch (error) {
    return { hostInterfaces: [], hostError: toErrorValue(error) };
  }
}

/** Names the VM behind each lease by matching the lease's MAC with the VMs' NICs. */
export function attributeLeasesToVms(leases: Lease[], vms: Vm[]): Lease[] {
  const vmByMac = new Map<string, string>();
  for (const vm of vms) {
    for (const nic of vm.nics) if (nic.mac) vmByMac.set(nic.mac.toLowerCase(), vm.name);
  }
  return leases.map((lease) => {
    const vm = lease.mac ? vmByMac.get(lease.mac.toLowerCase()) : undefined;
    return vm ? { ...lease, vm } : lease;
  });
}

function emptySnapshot(connection: Connection): Snapshot {
  return { connection, networks: [], vms: [], leases: [], hostInterfaces: [] };
}

function lastRead(snapshot: Snapshot): { lastReadAt?: number } {
  return snapshot.connection.lastReadAt !== undefined ? { lastReadAt: snapshot.connection.lastReadAt } : {};
}

function withoutReadTime(snapshot: Snapshot): Snapshot {
  const { lastReadAt: _ignored, ...connection } = snapshot.connection;
  return { ...snapshot, connection };
}
