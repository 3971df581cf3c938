// The Switchyard core: owns the connection to libvirt and the host, keeps the current snapshot,
// pushes it to subscribers when it changes, and reconnects by itself when libvirt goes away.
// It knows nothing of Electron or HTTP; both shells drive it through the handler table.
import type { RequestInput, RequestOutput } from '../../shared/contract';
import { noSuchNetwork, SwitchyardError, toErrorValue } from '../../shared/errors';
import { markReservedLeases } from '../../shared/leases/host-entries';
import type { Connection, ErrorValue, HostInterface, Lease, Network, NetworkDetails, Snapshot, Vm } from '../../shared/model';
import type { LeaseHost } from '../host/leases';
import type { LibvirtHost } from '../host/libvirt';
import type { LinkHost } from '../host/links';
import type { HostRoute } from '../../shared/validation/network-validation';
import type { HostContext } from './network-lifecycle';
import type { NicHost } from '../host/nics';
import type { TopologyHost } from '../host/topology';
import type { HostBridges } from './host-bridges';
import type { PortForwards } from './port-forwards';
import { withGuestAgentAddresses } from './guest-addresses';
import * as nicManagement from './nic-management';

export interface CoreHosts {
  libvirt: LibvirtHost;
  /** Host-level reads; absent when the connection is not to this host (or its lab). */
  links?: LinkHost;
  /** Routes, NAT, processes and link monitoring; absent like links. */
  topology?: TopologyHost;
  nics: NicHost;
  /** Lease files (watched) or `virsh net-dhcp-leases` (reread with everything else). */
  leases: LeaseHost;
}

export interface CoreOptions {
  uri: string;
  /** Builds the host operations for a connection URI; called again when the URI changes. */
  connectHosts(uri: string): CoreHosts;
  /**
   * How often a connected core rereads libvirt and the host; by default 30 s while lease files
   * and libvirt's and the kernel's events are watched, 5 s while events are not, and 2 s when
   * leases come only from virsh.
   */
  refreshIntervalMs?: number;
  /** Longest wait between reconnection attempts while libvirt is unreachable. */
  maxRetryIntervalMs?: number;
  /** Host bridges from a NIC, on the machine (or lab) the core was started for; absent for a remote one. */
  hostBridges?: HostBridges;
  /** Port forwards into NAT networks, on the machine (or lab) the core was started for; absent for a remote one. */
  portForwards?: PortForwards;
}

/** How often the core rereads everything while events tell it about changes. */
const SAFETY_NET_INTERVAL_MS = 30_000;

/** An event stream that ended sooner than this after starting waits as long before it is restarted. */
const SHORT_LIVED_WATCH_MS = 10_000;

type SnapshotListener = (snapshot: Snapshot) => void;

const NO_HOST_READS: ErrorValue = {
  code: 'host-not-local',
  message: 'Host interfaces are shown only for a libvirt connection on this machine.',
  hint: 'Run Switchyard (or "switchyard serve") on the hypervisor itself to see its bridges and taps.',
};

/** Services that change the host exist only when the core runs on the hypervisor it manages. */
function onThisHostOnly<T>(service: T | undefined, what: string): T {
  if (service) return service;
  throw new SwitchyardError({
    code: 'host-not-local',
    message: `${what} can be made only on the machine Switchyard runs on.`,
    hint: 'Run Switchyard (or "switchyard serve") on the hypervisor itself.',
  });
}

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
  private watchRetryAt = 0;
  private stopLeaseWatch: (() => void) | undefined;
  private leaseTimer: ReturnType<typeof setTimeout> | undefined;
  // Bumped on every URI change so that a read of the old connection cannot overwrite the new one.
  private generation = 0;

  constructor(private readonly options: CoreOptions) {
    this.hosts = options.connectHosts(options.uri);
    this.snapshot = emptySnapshot({ uri: options.uri, state: 'connecting' });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.watchLeases();
    void this.refreshAndReschedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.eventTimer) clearTimeout(this.eventTimer);
    this.timer = this.eventTimer = undefined;
    this.stopWatching?.();
    this.stopWatching = undefined;
    this.stopLeaseWatch?.();
    this.stopLeaseWatch = undefined;
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
  }

  /** Rolls back a host-bridge change still waiting for confirmation, then stops. */
  async shutdown(): Promise<void> {
    this.stop();
    await this.options.hostBridges?.close();
  }

  hostBridges(): HostBridges {
    return onThisHostOnly(this.options.hostBridges, 'Host bridges');
  }

  portForwards(): PortForwards {
    return onThisHostOnly(this.options.portForwards, 'Port forwards');
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
    this.stopLeaseWatch?.();
    this.stopLeaseWatch = undefined;
    this.hosts = this.options.connectHosts(uri);
    if (this.running) this.watchLeases();
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
    if (!network) throw noSuchNetwork(name, 'name');
    const attached = snapshot.vms
      .map((vm) => ({ vm: vm.name, state: vm.state, nics: vm.nics.filter((nic) => nic.network === name) }))
      .filter((entry) => entry.nics.length > 0);
    return { network, xml, attached, leases: snapshot.leases.filter((l) => l.network === name) };
  }

  /** The network's stored definition, which an edit starts from. */
  async getNetworkDefinition(name: string): Promise<{ xml: string }> {
    return { xml: await this.hosts.libvirt.readNetworkXml(name, { inactive: true }) };
  }

  private async refreshAndReschedule(): Promise<void> {
    const snapshot = await this.refresh().catch(() => undefined);
    if (!this.running) return;
    if (snapshot?.connection.state === 'connected') this.watchEvents();
    this.reschedule();
  }

  /** libvirt events make VM and network changes show at once instead of at the next reread. */
  private watchEvents(): void {
    // A stream that ends as soon as it starts (a driver without events) is not restarted in a
    // tight loop: the periodic reread covers the gap. One that ended after a good while (libvirtd
    // went away) is restarted with the first read that reaches libvirt again.
    if (this.stopWatching || Date.now() < this.watchRetryAt) return;
    const generation = this.generation;
    const startedAt = Date.now();
    // Events come in bursts (a VM start emits several, a tap appearing several link and address
    // messages): one reread per 150 ms window, counted from the burst's first event so that a
    // steady stream still gets read. A read already under way may predate the event: wait for it,
    // then read anew.
    const onChange = () => {
      this.eventTimer ??= setTimeout(() => {
        this.eventTimer = undefined;
        void (this.inFlight ?? Promise.resolve())
          .catch(() => undefined)
          .then(() => this.refreshAndReschedule());
      }, 150);
    };
    const onEnd = () => {
      if (generation !== this.generation) return;
      stopAll();
      this.stopWatching = undefined;
      if (Date.now() - startedAt < SHORT_LIVED_WATCH_MS) this.watchRetryAt = Date.now() + SHORT_LIVED_WATCH_MS;
      if (this.running) void this.refreshAndReschedule();
    };
    const stops = [this.hosts.libvirt.watchEvents(onChange, onEnd)];
    if (this.hosts.topology) stops.push(this.hosts.topology.watchLinks(onChange, onEnd));
    const stopAll = () => stops.forEach((stop) => stop());
    this.stopWatching = stopAll;
  }

  /** Adds a NIC to a VM; answers once the snapshot shows it. */
  attachNic(input: RequestInput<'attachNic'>): Promise<RequestOutput<'attachNic'>> {
    return this.changeNics((snapshot) => nicManagement.attachNic(this.hosts.nics, snapshot, input));
  }

  moveNic(input: RequestInput<'moveNic'>): Promise<RequestOutput<'moveNic'>> {
    return this.changeNics((snapshot) => nicManagement.moveNic(this.hosts.nics, snapshot, input));
  }

  async detachNic(input: RequestInput<'detachNic'>): Promise<RequestOutput<'detachNic'>> {
    const change = await this.changeNics((snapshot) => nicManagement.detachNic(this.hosts.nics, snapshot, input));
    const vm = this.snapshot.vms.find((candidate) => candidate.name === change.vm);
    return vm?.nics.some((nic) => nic.mac === change.mac) ? { ...change, unplugPending: true } : change;
  }

  /** Runs a change against a fresh snapshot, then rereads so the answer and the next push agree. */
  private async changeNics<T>(change: (snapshot: Snapshot) => Promise<T>): Promise<T> {
    try {
      return await change(await this.refresh());
    } finally {
      // Also after a failure, which may have changed and restored things. A read that started
      // before the change may still be under way: wait for it, then read anew.
      await this.inFlight?.catch(() => undefined);
      await this.refresh().catch(() => undefined);
    }
  }

  /**
   * Runs a change to one network's definition against its current state, then rereads so the
   * answer and the next push agree. Answers the network as it is afterwards.
   */
  async changeNetwork(name: string, change: (libvirt: LibvirtHost, network: Network) => Promise<void>): Promise<Network> {
    const current = (await this.refresh()).networks.find((n) => n.name === name);
    if (!current) throw noSuchNetwork(name);
    await change(this.hosts.libvirt, current);
    await this.inFlight?.catch(() => undefined);
    const changed = (await this.refresh()).networks.find((n) => n.name === name);
    if (!changed) throw noSuchNetwork(name);
    return changed;
  }

  /** The host's routes; undefined where the core cannot read the host (a remote libvirt). */
  async getHostRoutes(): Promise<HostRoute[] | undefined> {
    return this.hosts.links?.listRoutes();
  }

  /**
   * Runs a change that creates, edits or removes networks against a fresh snapshot and the host's
   * routes (what a new subnet must not overlap), then rereads so the answer and the next push agree.
   */
  changeNetworks<T>(change: (libvirt: LibvirtHost, host: HostContext) => Promise<T>): Promise<T> {
    return this.changeNics(async (snapshot) => {
      const hostRoutes = await this.getHostRoutes().catch(() => undefined);
      const { links } = this.hosts;
      return change(this.hosts.libvirt, { snapshot, ...(hostRoutes ? { hostRoutes } : {}), ...(links ? { links } : {}) });
    });
  }

  /** Lease file changes reach subscribers without waiting for the next libvirt reread. */
  private watchLeases(): void {
    const generation = this.generation;
    this.stopLeaseWatch = this.hosts.leases.watch(() => {
      // libvirt's helper writes a new file and renames it over the old one: several events.
      if (this.leaseTimer) clearTimeout(this.leaseTimer);
      this.leaseTimer = setTimeout(() => void this.refreshLeases(generation), 5);
    });
  }

  private async refreshLeases(generation: number): Promise<void> {
    const { networks, vms, connection } = this.snapshot;
    if (generation !== this.generation || connection.state !== 'connected') return;
    const reading = await this.hosts.leases.read(networks, 'change');
    // A full reread or a URI change that finished meanwhile has the newer word.
    if (generation !== this.generation || this.snapshot.networks !== networks) return;
    this.publish({ ...this.snapshot, leases: describeLeases(reading.leases, networks, vms), leaseProblems: reading.problems });
  }

  private reschedule(): void {
    if (this.timer) clearTimeout(this.timer);
    // Leases read through virsh have no event: poll them. Otherwise libvirt's and the kernel's
    // events drive rereads, and while they are watched the periodic reread is only a safety net
    // for what has none (neighbour entries, guest agent addresses, firewall rules).
    const interval =
      this.options.refreshIntervalMs ??
      (!this.hosts.leases.pushesChanges ? 2000 : this.stopWatching ? SAFETY_NET_INTERVAL_MS : 5000);
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
    const [inventory, host, kernelTopology] = await Promise.all([
      libvirt.readInventory().then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error: toErrorValue(error) }),
      ),
      readHostInterfaces(links),
      this.hosts.topology?.readTopology(),
    ]);
    if (generation !== this.generation) return this.snapshot;

    if (!inventory.ok) {
      this.failures += 1;
      this.publish({
        ...this.snapshot,
        connection: { uri: libvirt.uri, state: 'disconnected', error: inventory.error, ...lastRead(this.snapshot) },
        ...host,
        ...(kernelTopology ? { hostTopology: { ...kernelTopology, guestAgentAddresses: [] } } : {}),
      });
      return this.snapshot;
    }
    this.failures = 0;
    const { networks, vms } = inventory.value;
    const { leases, problems: leaseProblems } = await this.hosts.leases.read(networks);
    const hostTopology =
      kernelTopology && (await withGuestAgentAddresses(kernelTopology, vms, leases, this.hosts.nics));
    if (generation !== this.generation) return this.snapshot;
    this.publish({
      connection: { uri: libvirt.uri, state: 'connected', lastReadAt: Date.now() },
      networks,
      vms,
      leases: describeLeases(leases, networks, vms),
      leaseProblems,
      ...host,
      ...(hostTopology ? { hostTopology } : {}),
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

/** Leases with their VM and whether a reservation pins them. */
function describeLeases(leases: Lease[], networks: readonly Network[], vms: Vm[]): Lease[] {
  return markReservedLeases(attributeLeasesToVms(leases, vms), networks);
}

function emptySnapshot(connection: Connection): Snapshot {
  return { connection, networks: [], vms: [], leases: [], leaseProblems: [], hostInterfaces: [] };
}

function lastRead(snapshot: Snapshot): { lastReadAt?: number } {
  return snapshot.connection.lastReadAt !== undefined ? { lastReadAt: snapshot.connection.lastReadAt } : {};
}

function withoutReadTime(snapshot: Snapshot): Snapshot {
  const { lastReadAt: _ignored, ...connection } = snapshot.connection;
  return { ...snapshot, connection };
}
