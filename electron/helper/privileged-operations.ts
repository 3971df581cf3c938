// The root-only operations behind one interface. HostOperations performs them (in the pkexec
// helper for a desktop user, in-process when the core already runs as root); HelperClient in
// helper-client.ts forwards them to the helper. Transactions live here, on the privileged side,
// so a countdown that runs out rolls back even when the app hung or went away.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { chooseManager, MANAGER_RUNTIME_PATHS, networkdFilePaths, networkdFiles, networkManagerCommands, networkManagerRemoveCommands, type ManagerDetection } from '../../shared/bridge-persistence';
import { SwitchyardError, invalidInput } from '../../shared/errors';
import {
  HELPER_OPERATIONS,
  HELPER_PROTOCOL_VERSION,
  stepCommand,
  stepInterfaces,
  stepIpArguments,
  type HelperArguments,
  type HelperOperation,
  type HelperResult,
  type LinkStep,
  type TransactionStatus,
} from '../../shared/helper-protocol';
import { describeDifferences, IP_STATE_COMMANDS, parseLinkStates, restoreSteps, type LinkState } from '../../shared/link-state';
import { CommandError, runChecked, type CommandRunner } from '../host/command-runner';
import { applyFirewall, readFirewall } from './firewall-operations';

export interface PrivilegedOperations {
  call<O extends HelperOperation>(operation: O, args: HelperArguments<O>): Promise<HelperResult<O>>;
  /** Rolls back an open transaction and releases the helper. */
  close(): Promise<void>;
}

/** Absolute paths of the programs the operations run, found once at start. */
export interface Programs {
  ip: string;
  ping?: string;
  nmcli?: string;
  nft?: string;
  iptablesRestore?: string;
  iptablesSave?: string;
}

const PROGRAM_CANDIDATES = {
  ip: ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'],
  ping: ['/usr/bin/ping', '/bin/ping', '/usr/sbin/ping'],
  nmcli: ['/usr/bin/nmcli'],
  nft: ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'],
  iptablesRestore: ['/usr/sbin/iptables-restore', '/sbin/iptables-restore', '/usr/bin/iptables-restore'],
  iptablesSave: ['/usr/sbin/iptables-save', '/sbin/iptables-save', '/usr/bin/iptables-save'],
} as const;

/** Finds the programs in the system's fixed directories; never through PATH, which a caller could set. */
export function resolvePrograms(exists: (file: string) => boolean = existsSync): Programs {
  const find = (candidates: readonly string[]) => candidates.find(exists);
  const ip = find(PROGRAM_CANDIDATES.ip);
  if (!ip) throw new Error(`iproute2's "ip" is not installed (looked in ${PROGRAM_CANDIDATES.ip.join(', ')}).`);
  const optional = (['ping', 'nmcli', 'nft', 'iptablesRestore', 'iptablesSave'] as const).flatMap((name) => {
    const found = find(PROGRAM_CANDIDATES[name]);
    return found ? [[name, found] as const] : [];
  });
  return { ip, ...Object.fromEntries(optional) };
}

/** Reads the state of host links through `ip -json`: unprivileged, so the core reads it too. */
export async function readLinkStates(runner: CommandRunner, ip: string): Promise<LinkState[]> {
  const [addresses, routes4, routes6] = await Promise.all([
    runChecked(runner, ip, IP_STATE_COMMANDS.addresses),
    runChecked(runner, ip, IP_STATE_COMMANDS.routes4),
    runChecked(runner, ip, IP_STATE_COMMANDS.routes6),
  ]);
  return parseLinkStates({ addresses, routes4, routes6 });
}

/** Which network manager runs, from its runtime files under `root`. */
export function detectManager(root: string): ManagerDetection {
  return chooseManager({
    networkManager: existsSync(path.join(root, MANAGER_RUNTIME_PATHS.networkManager)),
    networkd: existsSync(path.join(root, MANAGER_RUNTIME_PATHS.networkd)),
  });
}

export interface HostOperationsOptions {
  runner: CommandRunner;
  programs: Programs;
  /** Where persistence files go: "/" on a real host, a directory of its own for the lab and tests. */
  root: string;
  /** The user the operations act for (pkexec's PKEXEC_UID), reported by hello. */
  uid: number;
}

interface Transaction {
  status: TransactionStatus;
  before: LinkState[];
  interfaces: string[];
  timer?: ReturnType<typeof setTimeout>;
}

export class HostOperations implements PrivilegedOperations {
  private readonly transactions = new Map<string, Transaction>();
  private open: Transaction | undefined;
  private counter = 0;
  // One operation at a time: a rollback must never interleave with the steps it undoes.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: HostOperationsOptions) {}

  call<O extends HelperOperation>(operation: O, args: HelperArguments<O>): Promise<HelperResult<O>> {
    return this.serialized(() => this.perform(operation, args));
  }

  close(): Promise<void> {
    return this.serialized(async () => {
      if (this.open) await this.rollbackOpen('Switchyard closed before the change was confirmed.');
    });
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async perform<O extends HelperOperation>(operation: O, args: HelperArguments<O>): Promise<HelperResult<O>> {
    // The casts pair each operation with its own argument and result types, which the switch cannot narrow.
    const a = args as never;
    switch (operation) {
      case 'hello':
        return { version: HELPER_PROTOCOL_VERSION, operations: HELPER_OPERATIONS, uid: this.options.uid } as HelperResult<O>;
      case 'transaction.apply':
        return (await this.apply(a)) as HelperResult<O>;
      case 'transaction.confirm':
        return this.confirm(a) as HelperResult<O>;
      case 'transaction.rollback':
        return (await this.rollback(a)) as HelperResult<O>;
      case 'transaction.status':
        return this.transaction((a as HelperArguments<'transaction.status'>).transaction).status as HelperResult<O>;
      case 'probe.gateway':
        return (await this.probe(a)) as HelperResult<O>;
      case 'persistence.write':
        return (await this.writePersistence(a)) as HelperResult<O>;
      case 'persistence.remove':
        return (await this.removePersistence(a)) as HelperResult<O>;
      case 'firewall.apply':
        return (await applyFirewall(this.options.runner, this.options.programs, (a as HelperArguments<'firewall.apply'>).spec)) as HelperResult<O>;
      case 'firewall.read':
        return (await readFirewall(this.options.runner, this.options.programs)) as HelperResult<O>;
    }
    throw invalidInput('op', `Unknown operation "${String(operation)}".`, `Use one of: ${HELPER_OPERATIONS.join(', ')}.`);
  }

  private async readStates(names: readonly string[]): Promise<LinkState[]> {
    const states = await readLinkStates(this.options.runner, this.options.programs.ip);
    return states.filter((link) => names.includes(link.name));
  }

  private async runStep(step: LinkStep): Promise<void> {
    // `ip link delete` would delete a NIC's VLAN or a veth as readily as a bridge: only bridges go.
    if (step.op === 'link.delete-bridge' && (await this.readStates([step.name]))[0]?.kind !== 'bridge') {
      throw invalidInput('name', `${step.name} is not a bridge; the helper deletes only bridges.`, 'Pick a bridge.');
    }
    await runChecked(this.options.runner, this.options.programs.ip, stepIpArguments(step));
  }

  private async apply(args: HelperArguments<'transaction.apply'>): Promise<TransactionStatus> {
    if (this.open) {
      throw new SwitchyardError({
        code: 'busy',
        message: `Transaction ${this.open.status.transaction} is still waiting for confirmation.`,
        hint: 'Confirm it or roll it back first.',
      });
    }
    args.steps.forEach((step, index) => {
      const outside = stepInterfaces(step).filter((name) => !args.interfaces.includes(name));
      if (outside.length > 0) {
        throw invalidInput(
          `steps.${index}`,
          `Step ${index + 1} touches ${outside.join(', ')}, which the transaction does not snapshot.`,
          'List every interface the steps touch in "interfaces", so a rollback can restore it.',
        );
      }
    });
    const before = await this.readStates(args.interfaces);
    for (const [index, step] of args.steps.entries()) {
      try {
        await this.runStep(step);
      } catch (error) {
        const differences = await this.restore(before, args.interfaces);
        const why = error instanceof CommandError ? error.result.stderr.trim() || error.message : (error as Error).message;
        throw new SwitchyardError({
          code: 'step-failed',
          field: `steps.${index}`,
          message:
            `Step ${index + 1} (${stepCommand(step)}) failed: ${why} ` +
            (differences.length === 0 ? 'Everything was rolled back.' : `The rollback left: ${differences.join(' ')}`),
          hint: differences.length === 0 ? 'Nothing changed; fix the cause and try again.' : 'Restore the listed items by hand.',
        });
      }
    }
    const id = `tx-${++this.counter}`;
    const deadline = Date.now() + args.rollbackAfterSeconds * 1000;
    const transaction: Transaction = { status: { transaction: id, state: 'open', deadline }, before, interfaces: args.interfaces };
    transaction.timer = setTimeout(() => {
      void this.serialized(() => this.rollbackOpen('The countdown ran out before the change was confirmed.'));
    }, args.rollbackAfterSeconds * 1000);
    this.transactions.set(id, transaction);
    this.open = transaction;
    return transaction.status;
  }

  private transaction(id: string): Transaction {
    const transaction = this.transactions.get(id);
    if (!transaction) throw invalidInput('transaction', `There is no transaction "${id}".`, 'Apply the change again.');
    return transaction;
  }

  private confirm({ transaction: id }: HelperArguments<'transaction.confirm'>): TransactionStatus {
    const transaction = this.transaction(id);
    if (transaction.status.state !== 'open') {
      throw new SwitchyardError({
        code: 'not-open',
        field: 'transaction',
        message: `Transaction ${id} was already ${transaction.status.state === 'confirmed' ? 'confirmed' : 'rolled back'}${transaction.status.reason ? `: ${transaction.status.reason}` : '.'}`,
        hint: 'Apply the change again if you still want it.',
      });
    }
    clearTimeout(transaction.timer);
    transaction.status = { transaction: id, state: 'confirmed' };
    this.open = undefined;
    return transaction.status;
  }

  private async rollback({ transaction: id }: HelperArguments<'transaction.rollback'>): Promise<TransactionStatus> {
    const transaction = this.transaction(id);
    if (transaction === this.open) await this.rollbackOpen('Rolled back on request.');
    return transaction.status;
  }

  private async rollbackOpen(reason: string): Promise<void> {
    const transaction = this.open;
    if (!transaction) return;
    clearTimeout(transaction.timer);
    this.open = undefined;
    const differences = await this.restore(transaction.before, transaction.interfaces);
    transaction.status = { transaction: transaction.status.transaction, state: 'rolled-back', reason, differences };
  }

  /** Puts the links back as they were; returns what still differs (nothing, normally). */
  private async restore(before: readonly LinkState[], interfaces: readonly string[]): Promise<string[]> {
    // Each pass recomputes from what the kernel says now, so side effects of one step (a route
    // dropped with its address) are repaired in the next; a failing step does not stop the others.
    for (let pass = 0; pass < 4; pass += 1) {
      const current = await this.readStates(interfaces);
      const steps = restoreSteps(before, current);
      if (steps.length === 0) break;
      for (const step of steps) {
        await this.runStep(step).catch(() => undefined);
      }
    }
    return describeDifferences(before, await this.readStates(interfaces));
  }

  private async probe({ dev, address }: HelperArguments<'probe.gateway'>): Promise<HelperResult<'probe.gateway'>> {
    const ping = this.options.programs.ping;
    if (!ping) return { reachable: false, detail: 'ping is not installed (Debian package iputils-ping).' };
    const result = await this.options.runner.run(ping, ['-c', '1', '-W', '1', '-I', dev, address], { timeoutMs: 5000 });
    return result.code === 0
      ? { reachable: true, detail: `${address} answered through ${dev}.` }
      : { reachable: false, detail: `${address} did not answer through ${dev}.` };
  }

  private async runNmcli(commands: readonly string[][]): Promise<{ done: string[] }> {
    const nmcli = this.options.programs.nmcli;
    if (!nmcli) {
      throw new SwitchyardError({
        code: 'missing-program',
        message: 'nmcli is not installed, so NetworkManager profiles cannot be written.',
        hint: 'Install NetworkManager (Debian package network-manager), or write systemd-networkd files instead.',
      });
    }
    for (const args of commands) await runChecked(this.options.runner, nmcli, args);
    return { done: commands.map((args) => ['nmcli', ...args].join(' ')) };
  }

  private async writePersistence({ manager, spec }: HelperArguments<'persistence.write'>): Promise<HelperResult<'persistence.write'>> {
    if (manager === 'networkmanager') return this.runNmcli(networkManagerCommands(spec));
    const files = networkdFiles(spec);
    for (const file of files) {
      const target = path.join(this.options.root, file.path);
      await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
      // Written beside the target and renamed over it, so networkd never reads half a file.
      const partial = `${target}.switchyard-partial`;
      await fs.writeFile(partial, file.content, { mode: 0o644 });
      await fs.rename(partial, target);
    }
    return { done: files.map((file) => `/${file.path}`) };
  }

  private async removePersistence({ manager, bridge, port }: HelperArguments<'persistence.remove'>): Promise<HelperResult<'persistence.remove'>> {
    if (manager === 'networkmanager') return this.runNmcli(networkManagerRemoveCommands(bridge, port));
    const files = Object.values(networkdFilePaths(bridge, port));
    for (const file of files) await fs.rm(path.join(this.options.root, file), { force: true });
    return { done: files.map((file) => `/${file}`) };
  }
}
