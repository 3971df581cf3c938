// The host-bridge wizard's backend: reads the host's links (unprivileged), computes the plan the
// user reviews, and drives the privileged operations — a transaction that rolls back unless
// confirmed, the gateway check during the countdown, and persistence once confirmed.
import { displayPath, networkdFiles, networkdFilePaths, networkManagerCommands, networkManagerRemoveCommands } from '../../shared/bridge-persistence';
import { SwitchyardError } from '../../shared/errors';
import type { HelperResult } from '../../shared/helper-protocol';
import { stepCommand } from '../../shared/helper-protocol';
import {
  classifyBridgeCandidates,
  classifyRemovableBridges,
  planBridgeCreation,
  planBridgeRemoval,
  type BridgePlan,
  type HostBridgeChange,
  type HostBridgeOverview,
  type HostBridgePlanView,
  type HostBridgeTransaction,
} from '../../shared/host-bridge';
import type { ErrorValue, Network } from '../../shared/model';
import type { LinkState } from '../../shared/link-state';
import type { CommandRunner } from '../host/command-runner';
import { detectManager, readLinkStates, type PrivilegedOperations } from '../helper/privileged-operations';

export interface HostBridgesOptions {
  /** Runs unprivileged reads in the host's (or the lab's) namespaces. */
  runner: CommandRunner;
  /** The privileged operations, or why there are none (an AppImage, a missing helper). */
  privileged: { mode: 'in-process' | 'helper'; operations: PrivilegedOperations } | { mode: 'unavailable'; error: ErrorValue };
  /** Where the network managers' runtime files are looked for. */
  root: string;
  /** Called after the host's links changed, so the snapshot shows it at once. */
  onChange(): void;
  /** The libvirt networks known now: removing a bridge names those that hand out its ports. */
  networks(): readonly Network[];
}

interface Applied {
  change: HostBridgeChange;
  plan: BridgePlan;
}

/** Wireless NICs in the target namespace: /proc/net/wireless lists them, per network namespace. */
function parseProcNetWireless(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .slice(2)
      .map((line) => /^\s*([^:\s]+):/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined),
  );
}

export class HostBridges {
  private readonly applied = new Map<string, Applied>();

  constructor(private readonly options: HostBridgesOptions) {}

  private async read(): Promise<{ states: LinkState[]; wireless: Set<string> }> {
    const [states, wireless] = await Promise.all([
      readLinkStates(this.options.runner, 'ip'),
      this.options.runner.run('cat', ['/proc/net/wireless']).then((result) => parseProcNetWireless(result.code === 0 ? result.stdout : '')),
    ]);
    // Predictable names of WLAN cards start with "wl" even where the wireless extensions are absent.
    for (const link of states) if (link.name.startsWith('wl')) wireless.add(link.name);
    return { states, wireless };
  }

  private operations(): PrivilegedOperations {
    const privileged = this.options.privileged;
    if (privileged.mode === 'unavailable') throw new SwitchyardError(privileged.error);
    return privileged.operations;
  }

  async overview(): Promise<HostBridgeOverview> {
    const { states, wireless } = await this.read();
    const privileged = this.options.privileged;
    return {
      candidates: classifyBridgeCandidates(states, wireless),
      bridges: classifyRemovableBridges(states),
      manager: detectManager(this.options.root),
      privileges:
        privileged.mode === 'unavailable'
          ? { mode: 'unavailable', message: `${privileged.error.message} ${privileged.error.hint ?? ''}`.trim() }
          : privileged.mode === 'helper'
            ? { mode: 'helper', message: 'Changes run through the Switchyard helper; you will be asked for an administrator password.' }
            : { mode: 'in-process', message: 'Switchyard runs as root here, so changes run directly.' },
    };
  }

  private async computePlan(change: HostBridgeChange): Promise<BridgePlan> {
    const { states, wireless } = await this.read();
    return change.action === 'create' ? planBridgeCreation(states, change, wireless) : planBridgeRemoval(states, change.bridge);
  }

  async plan(change: HostBridgeChange): Promise<HostBridgePlanView> {
    const plan = await this.computePlan(change);
    const detection = detectManager(this.options.root);
    const spec = plan.persistence;
    const removing = change.action === 'remove';
    const files =
      detection.manager === 'networkmanager'
        ? []
        : removing
          ? Object.values(networkdFilePaths(spec.bridge, spec.port)).map((path) => ({ path: displayPath(path), content: '' }))
          : networkdFiles(spec).map((file) => ({ path: displayPath(file.path), content: file.content }));
    const commands =
      detection.manager !== 'networkmanager'
        ? []
        : (removing ? networkManagerRemoveCommands(spec.bridge, spec.port) : networkManagerCommands(spec)).map((args) =>
            ['nmcli', ...args.map((arg) => (/[\s,]/.test(arg) ? `'${arg}'` : arg))].join(' '),
          );
    return {
      change,
      commands: plan.steps.map(stepCommand),
      interfaces: plan.interfaces,
      ...(plan.gateway ? { gateway: plan.gateway } : {}),
      warnings: removing ? [...plan.warnings, ...this.networkWarnings(change.bridge)] : plan.warnings,
      persistence: { manager: detection.manager, files, commands, warnings: detection.warnings },
    };
  }

  private networkWarnings(bridge: string): string[] {
    return this.options
      .networks()
      .filter((network) => network.forward.mode === 'bridge' && network.bridge?.name === bridge)
      .map(
        (network) =>
          `libvirt network ${network.name} plugs VMs into ${bridge}: they lose the LAN when the bridge goes. Delete that network afterwards, or keep the bridge.`,
      );
  }

  async apply(input: { change: HostBridgeChange; reviewedCommands: string[]; confirmWithinSeconds: number }): Promise<HostBridgeTransaction> {
    const plan = await this.computePlan(input.change);
    const commands = plan.steps.map(stepCommand);
    if (JSON.stringify(commands) !== JSON.stringify(input.reviewedCommands)) {
      throw new SwitchyardError({
        code: 'plan-changed',
        field: 'reviewedCommands',
        message: 'The host changed since you reviewed the commands, so nothing was applied.',
        hint: 'Go back to the review and check the new commands.',
      });
    }
    try {
      const status = await this.operations().call('transaction.apply', {
        steps: plan.steps,
        interfaces: plan.interfaces,
        rollbackAfterSeconds: input.confirmWithinSeconds,
      });
      this.applied.set(status.transaction, { change: input.change, plan });
      return this.view(status);
    } finally {
      this.options.onChange();
    }
  }

  private view(status: HelperResult<'transaction.status'>): HostBridgeTransaction {
    const applied = this.applied.get(status.transaction);
    if (!applied) throw new SwitchyardError({ code: 'not-found', field: 'transaction', message: `Unknown transaction "${status.transaction}".` });
    return { ...status, change: applied.change, ...(applied.plan.gateway ? { gateway: applied.plan.gateway } : {}) };
  }

  private known(transaction: string): Applied {
    const applied = this.applied.get(transaction);
    if (!applied) {
      throw new SwitchyardError({
        code: 'not-found',
        field: 'transaction',
        message: `There is no host-bridge change "${transaction}".`,
        hint: 'Apply the change again from the wizard.',
      });
    }
    return applied;
  }

  async checkGateway({ transaction }: { transaction: string }): Promise<HelperResult<'probe.gateway'>> {
    const { plan } = this.known(transaction);
    if (!plan.gateway) return { reachable: false, detail: 'There is no default gateway to ping; check the network yourself.' };
    return this.operations().call('probe.gateway', plan.gateway);
  }

  async status({ transaction }: { transaction: string }): Promise<HostBridgeTransaction> {
    this.known(transaction);
    return this.view(await this.operations().call('transaction.status', { transaction }));
  }

  async confirm({ transaction }: { transaction: string }): Promise<HostBridgeTransaction> {
    this.known(transaction);
    return this.view(await this.operations().call('transaction.confirm', { transaction }));
  }

  async rollback({ transaction }: { transaction: string }): Promise<HostBridgeTransaction> {
    this.known(transaction);
    try {
      return this.view(await this.operations().call('transaction.rollback', { transaction }));
    } finally {
      this.options.onChange();
    }
  }

  async persist({ transaction, manager }: { transaction: string; manager: 'networkd' | 'networkmanager' }): Promise<{ done: string[] }> {
    const { change, plan } = this.known(transaction);
    const status = await this.operations().call('transaction.status', { transaction });
    if (status.state !== 'confirmed') {
      throw new SwitchyardError({
        code: 'not-confirmed',
        field: 'transaction',
        message: 'Only a confirmed change is made permanent.',
        hint: 'Confirm the change while the countdown runs, then persist it.',
      });
    }
    const spec = plan.persistence;
    return change.action === 'create'
      ? this.operations().call('persistence.write', { manager, spec })
      : this.operations().call('persistence.remove', { manager, bridge: spec.bridge, port: spec.port });
  }

  close(): Promise<void> {
    const privileged = this.options.privileged;
    return privileged.mode === 'unavailable' ? Promise.resolve() : privileged.operations.close();
  }
}
