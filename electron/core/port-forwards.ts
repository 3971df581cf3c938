// Port forwards into NAT networks: kept in Switchyard's state file, checked against the network,
// the other forwards and the host's listeners, and applied through the privileged operations as
// one spec of every forward whose network runs. The core calls reconcile() with each snapshot,
// so a network that starts gets its forwards back and a deleted network loses them.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { noSuchNetwork, SwitchyardError } from '../../shared/errors';
import { buildFirewallView, type FirewallView } from '../../shared/firewall/firewall-view';
import {
  networkForwardingProblem,
  portForwardProblems,
  PortForwardSchema,
  subnetHolding,
  type NetworkPortForwards,
  type PortForwardFields,
  type StoredForward,
} from '../../shared/firewall/port-forward';
import type { AppliedForward, FirewallSpec } from '../../shared/helper-protocol';
import type { ErrorValue, Network, Snapshot } from '../../shared/model';
import type { CommandRunner } from '../host/command-runner';
import { readListeners } from '../host/firewall';
import type { HostBridgesOptions } from './host-bridges';

const StoreSchema = z.object({
  version: z.literal(1),
  forwards: z.array(PortForwardSchema.extend({ network: z.string() }).strict()),
});

export const PORT_FORWARDS_FILE = 'port-forwards.json';

export interface PortForwardsOptions {
  /** The libvirt connection the forwards belong to; other connections' networks are never touched. */
  uri: string;
  /** Unprivileged reads (listeners) in the host's, or the lab's, namespace. */
  runner: CommandRunner;
  privileged: HostBridgesOptions['privileged'];
  /** Directory of Switchyard's state; the forwards live in port-forwards.json inside it. */
  stateDirectory: string;
  snapshot(): Snapshot;
}

/** The spec of every forward whose network runs, with the network reduced to bridge and subnet. */
export function desiredSpec(forwards: readonly StoredForward[], networks: readonly Network[]): FirewallSpec {
  const applied: AppliedForward[] = [];
  for (const forward of forwards) {
    const network = networks.find((candidate) => candidate.name === forward.network);
    if (!network?.active || networkForwardingProblem(network)) continue;
    const subnet = subnetHolding(network, forward.guestIp);
    if (!subnet || !network.bridge) continue;
    applied.push({
      bridge: network.bridge.name,
      subnet,
      protocol: forward.protocol,
      hostPort: forward.hostPort,
      ...(forward.hostAddress ? { hostAddress: forward.hostAddress } : {}),
      guestIp: forward.guestIp,
      guestPort: forward.guestPort,
    });
  }
  return { forwards: applied };
}

export class PortForwards {
  private forwards: StoredForward[] | undefined;
  private appliedKey: string | undefined;
  private applyError: ErrorValue | undefined;
  private connected = false;
  // A desktop user's helper starts behind a password prompt. Switchyard does not raise it on its
  // own at start just to re-apply stored forwards (often still in effect, and the prompt would
  // come without context): they wait until the user applies them or otherwise lets the helper run.
  private authorized: boolean;
  // One change or reconciliation at a time: each works from the store the previous one left.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PortForwardsOptions) {
    this.authorized = options.privileged.mode !== 'helper';
  }

  private get file(): string {
    return path.join(this.options.stateDirectory, PORT_FORWARDS_FILE);
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async load(): Promise<StoredForward[]> {
    if (this.forwards) return this.forwards;
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.forwards = [];
      return this.forwards;
    }
    const parsed = StoreSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new SwitchyardError({
        code: 'invalid-state',
        message: `${this.file} is not a port-forward list Switchyard wrote.`,
        hint: 'Move the file away to start with no port forwards.',
      });
    }
    this.forwards = parsed.data.forwards;
    return this.forwards;
  }

  private async save(forwards: StoredForward[]): Promise<void> {
    await fs.mkdir(this.options.stateDirectory, { recursive: true, mode: 0o755 });
    const partial = `${this.file}.partial`;
    await fs.writeFile(partial, `${JSON.stringify({ version: 1, forwards }, null, 2)}\n`, { mode: 0o644 });
    await fs.rename(partial, this.file);
    this.forwards = forwards;
  }

  private checkConnection(): Snapshot {
    const snapshot = this.options.snapshot();
    if (snapshot.connection.uri !== this.options.uri) {
      throw new SwitchyardError({
        code: 'host-not-local',
        message: `Port forwards belong to ${this.options.uri}, the connection Switchyard was started with.`,
        hint: 'Switch back to that connection, or start Switchyard on the other host.',
      });
    }
    return snapshot;
  }

  private network(snapshot: Snapshot, name: string): Network {
    const network = snapshot.networks.find((candidate) => candidate.name === name);
    if (!network) throw noSuchNetwork(name);
    return network;
  }

  /** Why the network's forwards are not in effect, and whether only the user's authorization is missing. */
  private inactiveReason(network: Network): { reason: string; awaitingAuthorization?: true } | undefined {
    const privileged = this.options.privileged;
    if (privileged.mode === 'unavailable') return { reason: `${privileged.error.message} ${privileged.error.hint ?? ''}`.trim() };
    const problem = networkForwardingProblem(network);
    if (problem) return { reason: problem };
    if (!network.active) return { reason: `${network.name} is stopped; its forwards are applied again when it starts.` };
    const failure = this.applyError && `The last attempt to apply the forwards failed: ${this.applyError.message}`;
    if (!this.authorized) {
      return { reason: `Not re-applied since Switchyard started: applying asks for an administrator password.${failure ? ` ${failure}` : ''}`, awaitingAuthorization: true };
    }
    return failure ? { reason: failure } : undefined;
  }

  private describe(network: Network, forwards: readonly StoredForward[]): NetworkPortForwards {
    const inactive = this.inactiveReason(network);
    return {
      network: network.name,
      forwards: forwards.filter((forward) => forward.network === network.name).map(({ network: _network, ...forward }) => forward),
      ...(inactive ? { inactiveReason: inactive.reason, ...(inactive.awaitingAuthorization ? { awaitingAuthorization: true } : {}) } : {}),
    };
  }

  list(name: string): Promise<NetworkPortForwards> {
    return this.serialized(async () => this.describe(this.network(this.checkConnection(), name), await this.load()));
  }

  add(name: string, fields: PortForwardFields): Promise<NetworkPortForwards> {
    return this.serialized(async () => {
      const network = this.network(this.checkConnection(), name);
      // A forward that could not be applied would only look like one.
      if (this.options.privileged.mode === 'unavailable') throw new SwitchyardError(this.options.privileged.error);
      const existing = await this.load();
      const listeners = await readListeners(this.options.runner).catch(() => undefined);
      const [problem] = portForwardProblems(fields, { network, existing, ...(listeners ? { listeners } : {}) });
      if (problem) throw new SwitchyardError(problem);
      const forward: StoredForward = { ...fields, id: `pf-${randomBytes(6).toString('hex')}`, network: name };
      return this.change(network, existing, [...existing, forward]);
    });
  }

  remove(name: string, id: string): Promise<NetworkPortForwards> {
    return this.serialized(async () => {
      const network = this.network(this.checkConnection(), name);
      const existing = await this.load();
      if (!existing.some((forward) => forward.id === id && forward.network === name)) {
        throw new SwitchyardError({ code: 'not-found', field: 'id', message: `${name} has no port forward ${id}.`, hint: 'It may have been removed meanwhile.' });
      }
      return this.change(network, existing, existing.filter((forward) => forward.id !== id));
    });
  }

  /** Applies the stored forwards at the user's request: on a desktop, the first apply since start asks for a password. */
  applyStored(name: string): Promise<NetworkPortForwards> {
    return this.serialized(async () => {
      const network = this.network(this.checkConnection(), name);
      if (this.options.privileged.mode === 'unavailable') throw new SwitchyardError(this.options.privileged.error);
      const forwards = await this.load();
      await this.apply(forwards, { force: true, byUser: true });
      return this.describe(network, forwards);
    });
  }

  /** Stores the new list and applies it; a failed apply restores the previous list and rules. */
  private async change(network: Network, before: StoredForward[], after: StoredForward[]): Promise<NetworkPortForwards> {
    await this.save(after);
    try {
      await this.apply(after, { force: true, byUser: true });
    } catch (error) {
      await this.save(before);
      await this.apply(before, { force: true, byUser: true }).catch(() => undefined);
      throw error;
    }
    return this.describe(network, after);
  }

  /**
   * Applies the spec when it differs from the one last applied (or `force`). The core's own
   * re-applies (`byUser` false) wait while a desktop user has not let the helper run yet.
   */
  private async apply(forwards: readonly StoredForward[], { force, byUser }: { force: boolean; byUser: boolean }): Promise<void> {
    const privileged = this.options.privileged;
    if (privileged.mode === 'unavailable') return;
    const networks = this.options.snapshot().networks;
    const spec = desiredSpec(forwards, networks);
    // Starting a network again re-applies even an unchanged spec: libvirt may have re-created its chains first.
    const key = JSON.stringify({ spec, active: networks.filter((network) => network.active).map((network) => network.name).sort() });
    if (!force && key === this.appliedKey) return;
    // With nothing stored there is nothing of ours to remove: a desktop user is not asked for a password at start.
    if (!force && this.appliedKey === undefined && forwards.length === 0) {
      this.appliedKey = key;
      return;
    }
    if (!byUser && !this.authorized) return;
    try {
      await privileged.operations.call('firewall.apply', { spec });
      this.appliedKey = key;
      this.applyError = undefined;
      this.authorized = true;
    } catch (error) {
      this.appliedKey = undefined;
      this.applyError = error instanceof SwitchyardError ? error.value : { code: 'internal', message: (error as Error).message };
      throw error;
    }
  }

  /**
   * Brings the host's rules in line with a new snapshot of the connection the forwards belong to:
   * forgets the forwards of networks that no longer exist, applies those of running networks.
   */
  reconcile(snapshot: Snapshot): Promise<void> {
    const ours = snapshot.connection.uri === this.options.uri;
    const connected = ours && snapshot.connection.state === 'connected';
    // A libvirtd that comes back re-creates its rules above ours (its nftables backend does): apply again.
    const reconnected = connected && !this.connected;
    if (ours) this.connected = connected;
    if (!connected) return Promise.resolve();
    return this.serialized(async () => {
      const forwards = await this.load();
      const kept = forwards.filter((forward) => snapshot.networks.some((network) => network.name === forward.network));
      if (kept.length !== forwards.length) await this.save(kept);
      await this.apply(kept, { force: reconnected && kept.length > 0, byUser: false }).catch(() => undefined);
    });
  }

  /** The rules in effect for one network, grouped and explained. */
  async firewallView(name: string): Promise<FirewallView> {
    const network = this.network(this.checkConnection(), name);
    const privileged = this.options.privileged;
    if (privileged.mode === 'unavailable') throw new SwitchyardError(privileged.error);
    const reading = await privileged.operations.call('firewall.read', {});
    if (!this.authorized) {
      // The helper runs now: the stored forwards go on without another prompt.
      this.authorized = true;
      void this.serialized(async () => this.apply(await this.load(), { force: false, byUser: false })).catch(() => undefined);
    }
    return buildFirewallView(network, reading);
  }
}
