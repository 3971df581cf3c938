// The libvirt host operation: what libvirt knows about networks, VMs and leases.
import { SwitchyardError } from '../../shared/errors';
import { parseDomainXml } from '../../shared/libvirt/domain-xml';
import { parseNetworkXml } from '../../shared/libvirt/network-xml';
import { parseNameList, parseNetDhcpLeases, parseVmState } from '../../shared/libvirt/virsh-output';
import type { Lease, Network, Vm } from '../../shared/model';
import { startProgram, type CommandRunner } from './command-runner';
import { Virsh } from './virsh';

export interface LibvirtInventory {
  networks: Network[];
  vms: Vm[];
  /** Leases as libvirt reports them, not yet matched to VMs. */
  leases: Lease[];
  /** Objects that vanished or failed to parse between listing and reading; reported, not fatal. */
  problems: string[];
}

export interface LibvirtHost {
  readonly uri: string;
  readInventory(): Promise<LibvirtInventory>;
  /** The network's XML (live definition when active); not-found when there is none. */
  readNetworkXml(name: string): Promise<string>;
  /**
   * Calls onChange for every libvirt lifecycle event of a VM or network, and onEnd once when the
   * stream ends (libvirtd went away). Returns a function that stops watching.
   */
  watchEvents(onChange: () => void, onEnd: () => void): () => void;
}

export class VirshLibvirtHost implements LibvirtHost {
  private readonly virsh: Virsh;

  constructor(
    readonly uri: string,
    private readonly runner: CommandRunner,
  ) {
    this.virsh = new Virsh(uri, runner);
  }

  watchEvents(onChange: () => void, onEnd: () => void): () => void {
    // virsh can wait for one event kind per process: domain events and network events.
    const streams = [
      ['event', '--all', '--loop'],
      ['net-event', '--all', '--loop'],
    ].map((command) => startProgram(this.runner.argv('virsh', ['--connect', this.uri, ...command])));
    let ended = false;
    const stop = () => {
      ended = true;
      for (const stream of streams) stream.kill();
    };
    for (const stream of streams) {
      stream.stdout?.on('data', () => onChange());
      stream.once('exit', () => {
        if (ended) return;
        stop();
        onEnd();
      });
    }
    return stop;
  }

  async readInventory(): Promise<LibvirtInventory> {
    const lists = await this.virsh.batch([
      ['net-list', '--all', '--name'],
      ['net-list', '--name'],
      ['net-list', '--all', '--autostart', '--name'],
      ['net-list', '--all', '--persistent', '--name'],
      ['list', '--all', '--name'],
      ['list', '--all', '--persistent', '--name'],
    ]);
    const [allNets, activeNets, autostartNets, persistentNets, allVms, persistentVms] = lists.outputs.map(
      (output) => parseNameList(output ?? ''),
    ) as [string[], string[], string[], string[], string[], string[]];
    const active = new Set(activeNets);
    const autostart = new Set(autostartNets);
    const persistentNet = new Set(persistentNets);
    const persistentVm = new Set(persistentVms);

    // Second pass, one process: each network's XML and leases, each VM's XML and state.
    const perNetwork = allNets.map((name) =>
      active.has(name) ? [['net-dumpxml', name], ['net-dhcp-leases', name]] : [['net-dumpxml', name]],
    );
    const perVm = allVms.map((name) => [['dumpxml', name], ['domstate', name]]);
    const details = await this.virsh.batch([...perNetwork.flat(), ...perVm.flat()]);
    const outputs = [...details.outputs];
    const problems: string[] = [];

    const networks: Network[] = [];
    const leases: Lease[] = [];
    for (const [index, name] of allNets.entries()) {
      const xml = outputs.shift() ?? '';
      const leaseTable = perNetwork[index]!.length > 1 ? (outputs.shift() ?? '') : '';
      if (!xml) {
        problems.push(`Network "${name}" vanished while it was being read.`);
        continue;
      }
      try {
        const definition = parseNetworkXml(xml);
        networks.push({
          ...definition,
          active: active.has(name),
          autostart: autostart.has(name),
          persistent: persistentNet.has(name),
        });
        if (leaseTable) leases.push(...parseNetDhcpLeases(leaseTable, name));
      } catch (error) {
        problems.push(`Network "${name}": ${error instanceof Error ? error.message : String(error)}`);
      }
    }

    const vms: Vm[] = [];
    for (const name of allVms) {
      const xml = outputs.shift() ?? '';
      const state = outputs.shift() ?? '';
      if (!xml) {
        problems.push(`VM "${name}" vanished while it was being read.`);
        continue;
      }
      try {
        const domain = parseDomainXml(xml);
        vms.push({ ...domain, state: parseVmState(state), persistent: persistentVm.has(name) });
      } catch (error) {
        problems.push(`VM "${name}": ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { networks, vms, leases, problems };
  }

  async readNetworkXml(name: string): Promise<string> {
    const { outputs, stderr } = await this.virsh.batch([['net-dumpxml', name]]);
    const xml = outputs[0] ?? '';
    if (!xml) {
      throw new SwitchyardError({
        code: 'not-found',
        field: 'name',
        message: `There is no network named "${name}"${stderr ? ` (libvirt: ${stderr.trim()})` : ''}.`,
        hint: 'Pick a network from the list; it may have been deleted meanwhile.',
      });
    }
    return xml;
  }
}
