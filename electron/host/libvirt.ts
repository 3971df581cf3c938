// The libvirt host operation: what libvirt knows about networks and VMs, and changes to networks.
// Leases come from the lease module (leases.ts).
import { SwitchyardError } from '../../shared/errors';
import { parseDomainXml } from '../../shared/libvirt/domain-xml';
import { parseNetworkXml } from '../../shared/libvirt/network-xml';
import { parseNameList, parseVmState } from '../../shared/libvirt/virsh-output';
import type { Network, Vm } from '../../shared/model';
import { startProgram, type CommandRunner } from './command-runner';
import { Virsh, withXmlFile } from './virsh';

export interface LibvirtInventory {
  networks: Network[];
  vms: Vm[];
  /** Objects that vanished or failed to parse between listing and reading; reported, not fatal. */
  problems: string[];
}

export interface LibvirtHost {
  readonly uri: string;
  readInventory(): Promise<LibvirtInventory>;
  /**
   * The network's XML: the live definition when active, or with `inactive` the stored one (what
   * the next start uses). not-found when there is none.
   */
  readNetworkXml(name: string, options?: { inactive?: boolean }): Promise<string>;
  /**
   * Calls onChange for every libvirt lifecycle event of a VM or network, and onEnd once when the
   * stream ends (libvirtd went away). Returns a function that stops watching.
   */
  watchEvents(onChange: () => void, onEnd: () => void): () => void;
  /** One `virsh net-update` (live and/or persistent, no restart); throws libvirt's refusal. */
  updateNetwork(name: string, update: NetworkUpdate): Promise<void>;
  /** `virsh net-define`: stores a new network, or replaces the stored definition of one by name. */
  defineNetwork(xml: string): Promise<void>;
  undefineNetwork(name: string): Promise<void>;
  startNetwork(name: string): Promise<void>;
  /** `virsh net-destroy`: stops the network (its bridge, dnsmasq and firewall rules go away). */
  stopNetwork(name: string): Promise<void>;
  setNetworkAutostart(name: string, autostart: boolean): Promise<void>;
}

/** A change to one section of a network's definition, as `virsh net-update` takes it. */
export interface NetworkUpdate {
  command: 'add' | 'modify' | 'delete';
  section: 'ip-dhcp-range' | 'ip-dhcp-host' | 'dns-host';
  xml: string;
  /** Which <ip> element (counting all of them from 0) an ip-dhcp-host change is about. */
  parentIndex?: number;
  /** Change the running network (--live) and/or its stored definition (--config). */
  live: boolean;
  config: boolean;
}

/** The virsh lists an inventory starts from: all, active, autostarted and persistent networks; all and persistent VMs. */
export const INVENTORY_LISTS: readonly (readonly string[])[] = [
  ['net-list', '--all', '--name'],
  ['net-list', '--name'],
  ['net-list', '--all', '--autostart', '--name'],
  ['net-list', '--all', '--persistent', '--name'],
  ['list', '--all', '--name'],
  ['list', '--all', '--persistent', '--name'],
];

export class VirshLibvirtHost implements LibvirtHost {
  private readonly virsh: Virsh;

  constructor(
    readonly uri: string,
    private readonly runner: CommandRunner,
  ) {
    this.virsh = new Virsh(uri, runner);
  }

  watchEvents(onChange: () => void, onEnd: () => void): () => void {
    // virsh can wait for one event kind per process: domain events and network events. net-event
    // has no --all; lifecycle (define, start, stop, undefine) is the network event that matters.
    const streams = [
      ['event', '--all', '--loop'],
      ['net-event', '--event', 'lifecycle', '--loop'],
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
    const lists = await this.virsh.batch(INVENTORY_LISTS);
    const [allNets, activeNets, autostartNets, persistentNets, allVms, persistentVms] = lists.outputs.map(
      (output) => parseNameList(output ?? ''),
    ) as [string[], string[], string[], string[], string[], string[]];
    const active = new Set(activeNets);
    const autostart = new Set(autostartNets);
    const persistentNet = new Set(persistentNets);
    const persistentVm = new Set(persistentVms);

    // Second pass, one process: each network's XML, each VM's XML and state.
    const perNetwork = allNets.map((name) => ['net-dumpxml', name]);
    const perVm = allVms.map((name) => [['dumpxml', name], ['domstate', name]]);
    const details = await this.virsh.batch([...perNetwork, ...perVm.flat()]);
    const outputs = [...details.outputs];
    const problems: string[] = [];

    const networks: Network[] = [];
    for (const name of allNets) {
      const xml = outputs.shift() ?? '';
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
    return { networks, vms, problems };
  }

  async updateNetwork(name: string, update: NetworkUpdate): Promise<void> {
    await this.virsh.run([
      'net-update',
      name,
      update.command,
      update.section,
      update.xml,
      ...(update.parentIndex !== undefined ? ['--parent-index', String(update.parentIndex)] : []),
      ...(update.live ? ['--live'] : []),
      ...(update.config ? ['--config'] : []),
    ]);
  }

  // Names go in as --network values, so a name starting with "-" cannot pass for an option.
  async defineNetwork(xml: string): Promise<void> {
    await withXmlFile(xml, (file) => this.virsh.run(['net-define', '--file', file]));
  }

  async undefineNetwork(name: string): Promise<void> {
    await this.virsh.run(['net-undefine', '--network', name]);
  }

  async startNetwork(name: string): Promise<void> {
    await this.virsh.run(['net-start', '--network', name]);
  }

  async stopNetwork(name: string): Promise<void> {
    await this.virsh.run(['net-destroy', '--network', name]);
  }

  async setNetworkAutostart(name: string, autostart: boolean): Promise<void> {
    await this.virsh.run(['net-autostart', '--network', name, ...(autostart ? [] : ['--disable'])]);
  }

  async readNetworkXml(name: string, options: { inactive?: boolean } = {}): Promise<string> {
    const { outputs, stderr } = await this.virsh.batch([['net-dumpxml', ...(options.inactive ? ['--inactive'] : []), name]]);
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
