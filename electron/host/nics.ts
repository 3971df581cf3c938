// VM NIC changes through virsh: attach a NIC, move it to another network, detach it — live on a
// running VM, persistent in its definition — and the guest agent's view of its addresses.
import { parseDomIfAddr } from '../../shared/libvirt/domifaddr';
import { retargetedInterfaceXml } from '../../shared/libvirt/interface-xml';
import type { GuestAgentAddress } from '../../shared/topology/host-topology';
import type { CommandRunner } from './command-runner';
import { Virsh, withXmlFile } from './virsh';

/** Which definitions of the VM a change applies to: the running one, the persistent one, or both. */
export interface ChangeScope {
  live: boolean;
  config: boolean;
}

export interface NicHost {
  /** Attaches the <interface> XML. */
  attachNic(vm: string, interfaceXml: string, scope: ChangeScope): Promise<void>;
  /** Points the NIC with `mac` at `network`, keeping its model, address and MAC. */
  moveNic(vm: string, mac: string, network: string, scope: ChangeScope): Promise<void>;
  /** Removes the NIC with `mac`; `type` is its <interface type>. */
  detachNic(vm: string, type: string, mac: string, scope: ChangeScope): Promise<void>;
  /** Guest-agent addresses of running VMs; VMs without a reachable agent report none. */
  readAgentAddresses(vms: readonly string[]): Promise<GuestAgentAddress[]>;
}

export class VirshNicHost implements NicHost {
  private readonly virsh: Virsh;

  constructor(uri: string, runner: CommandRunner) {
    this.virsh = new Virsh(uri, runner);
  }

  async attachNic(vm: string, interfaceXml: string, scope: ChangeScope): Promise<void> {
    await withXmlFile(interfaceXml, (file) => this.virsh.run(['attach-device', vm, file, ...scopeFlags(scope)]));
  }

  async moveNic(vm: string, mac: string, network: string, scope: ChangeScope): Promise<void> {
    // The running and the persistent definition differ (alias, target, port id): each is
    // updated from its own XML. Live first: it is the change libvirt most often refuses.
    if (scope.live) {
      const xml = retargetedInterfaceXml(await this.virsh.run(['dumpxml', vm]), mac, network);
      await withXmlFile(xml, (file) => this.virsh.run(['update-device', vm, file, '--live']));
    }
    if (scope.config) {
      const xml = retargetedInterfaceXml(await this.virsh.run(['dumpxml', '--inactive', vm]), mac, network);
      await withXmlFile(xml, (file) => this.virsh.run(['update-device', vm, file, '--config']));
    }
  }

  async detachNic(vm: string, type: string, mac: string, scope: ChangeScope): Promise<void> {
    await this.virsh.run(['detach-interface', vm, type, '--mac', mac, ...scopeFlags(scope)]);
  }

  async readAgentAddresses(vms: readonly string[]): Promise<GuestAgentAddress[]> {
    const { outputs } = await this.virsh.batch(vms.map((vm) => ['domifaddr', vm, '--source', 'agent']));
    // A VM without an agent fails its command and yields empty output: no addresses, no error.
    return vms.flatMap((vm, index) => (outputs[index] ? parseDomIfAddr(outputs[index], vm) : []));
  }
}

function scopeFlags(scope: ChangeScope): string[] {
  return [...(scope.live ? ['--live'] : []), ...(scope.config ? ['--config'] : [])];
}
