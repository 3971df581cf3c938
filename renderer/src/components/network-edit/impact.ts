// Who a change to a network touches: the VMs with a NIC on it, and what a stop, a restart or a
// delete does to each. Pure, so the dialogs and the tests read the same answer.
import type { NetUpdateCommand } from '../../../../shared/libvirt/network-update-plan';
import type { Vm, VmState } from '../../../../shared/model';

export interface NetworkNic {
  vm: string;
  state: VmState;
  mac?: string;
  /** The host-side tap while the VM runs: the NIC is plugged into the network now. */
  tap?: string;
}

/** Every NIC on `network`, VM by VM in snapshot order. */
export function nicsOnNetwork(vms: readonly Vm[], network: string): NetworkNic[] {
  return vms.flatMap((vm) =>
    vm.nics
      .filter((nic) => nic.type === 'network' && nic.network === network)
      .map((nic) => ({ vm: vm.name, state: vm.state, ...(nic.mac ? { mac: nic.mac } : {}), ...(nic.tap ? { tap: nic.tap } : {}) })),
  );
}

/** True for a NIC whose guest is cut off while the network is down. */
export function isPluggedIn(nic: NetworkNic): boolean {
  return nic.tap !== undefined;
}

/** The names of the VMs among `nics`, each once. */
export function vmNames(nics: readonly NetworkNic[]): string[] {
  return [...new Set(nics.map((nic) => nic.vm))];
}

export type NetworkChange = 'live' | 'restart' | 'stop' | 'delete' | 'stored';

/** What `change` does to one NIC, in a few words. */
export function nicEffect(nic: NetworkNic, change: NetworkChange): string {
  const plugged = isPluggedIn(nic);
  switch (change) {
    case 'live':
      return plugged ? 'Keeps its link; new DHCP and DNS settings apply at its next request.' : 'Not running; gets the new settings when it starts.';
    case 'restart':
      return plugged ? 'Loses connectivity for a moment; its NIC is plugged back into the bridge.' : 'Not running; unaffected.';
    case 'stop':
      return plugged ? 'Loses connectivity until the network starts again.' : 'Cannot start with this NIC until the network runs.';
    case 'delete':
      return plugged ? 'Loses connectivity; the NIC points at a network that no longer exists.' : 'Cannot start until the NIC is moved to another network.';
    case 'stored':
      return 'Unaffected until the network next starts.';
  }
}

const SECTION_NAMES: Record<NetUpdateCommand['section'], string> = {
  'ip-dhcp-range': 'DHCP range',
  'ip-dhcp-host': 'DHCP reservation',
  'dns-host': 'DNS host entry',
};

/** "Add DHCP range" for one net-update command (its XML is shown beside it). */
export function liveCommandTitle(command: NetUpdateCommand): string {
  return `${command.command === 'add' ? 'Add' : 'Remove'} ${SECTION_NAMES[command.section]}`;
}
