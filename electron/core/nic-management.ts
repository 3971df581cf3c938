// The checks and decisions behind the NIC requests: which VM, which NIC, which network, which
// MAC, and whether the change applies to the running VM, its persistent definition or both.
// libvirt is asked only once the request makes sense, so errors name the field to fix.
import { randomInt } from 'node:crypto';
import type { RequestInput, RequestOutput } from '../../shared/contract';
import { invalidInput, noSuchNetwork, SwitchyardError } from '../../shared/errors';
import { networkInterfaceXml } from '../../shared/libvirt/interface-xml';
import type { Network, Nic, Snapshot, Vm } from '../../shared/model';
import { checkNewMac, generateMac } from '../../shared/nic';
import type { ChangeScope, NicHost } from '../host/nics';

type NicChange = RequestOutput<'attachNic'>;

const RUNNING_STATES: ReadonlySet<Vm['state']> = new Set(['running', 'idle', 'paused', 'in shutdown']);

export async function attachNic(nics: NicHost, snapshot: Snapshot, input: RequestInput<'attachNic'>): Promise<NicChange> {
  const vm = findVm(snapshot, input.vm);
  const scope = changeScope(vm);
  findNetwork(snapshot, input.network, scope);
  const mac = input.mac ?? generateMac(snapshot.vms, () => randomInt(256));
  checkNewMac(mac, snapshot.vms);
  await nics.attachNic(vm.name, networkInterfaceXml({ network: input.network, mac, model: input.model ?? 'virtio' }), scope);
  return { vm: vm.name, mac };
}

export async function moveNic(nics: NicHost, snapshot: Snapshot, input: RequestInput<'moveNic'>): Promise<NicChange> {
  const vm = findVm(snapshot, input.vm);
  const nic = findNic(vm, input.mac);
  const scope = changeScope(vm);
  findNetwork(snapshot, input.network, scope);
  if (nic.network === input.network) {
    throw invalidInput('network', `The NIC ${nic.mac} is already on network "${input.network}".`, 'Choose a different network to move it to.');
  }
  await nics.moveNic(vm.name, nic.mac!, input.network, scope);
  return { vm: vm.name, mac: nic.mac! };
}

export async function detachNic(nics: NicHost, snapshot: Snapshot, input: RequestInput<'detachNic'>): Promise<NicChange> {
  const vm = findVm(snapshot, input.vm);
  const nic = findNic(vm, input.mac);
  await nics.detachNic(vm.name, nic.type, nic.mac!, changeScope(vm));
  return { vm: vm.name, mac: nic.mac! };
}

/** Running VMs change now (hot-plug) and, when persistent, also in their definition. */
function changeScope(vm: Vm): ChangeScope {
  return { live: RUNNING_STATES.has(vm.state), config: vm.persistent };
}

function findVm(snapshot: Snapshot, name: string): Vm {
  const vm = snapshot.vms.find((candidate) => candidate.name === name);
  if (!vm) {
    throw new SwitchyardError({
      code: 'not-found',
      field: 'vm',
      message: `There is no VM named "${name}".`,
      hint: 'Pick a VM from the list; it may have been removed meanwhile.',
    });
  }
  return vm;
}

function findNic(vm: Vm, mac: string): Nic & { mac: string } {
  const nic = vm.nics.find((candidate) => candidate.mac?.toLowerCase() === mac);
  if (!nic?.mac) {
    throw new SwitchyardError({
      code: 'not-found',
      field: 'mac',
      message: `VM "${vm.name}" has no NIC with MAC ${mac}.`,
      hint: `Use one of its NICs: ${vm.nics.map((n) => n.mac).filter(Boolean).join(', ') || 'it has none'}.`,
    });
  }
  return { ...nic, mac: nic.mac };
}

function findNetwork(snapshot: Snapshot, name: string, scope: ChangeScope): Network {
  const network = snapshot.networks.find((candidate) => candidate.name === name);
  if (!network) throw noSuchNetwork(name);
  // A running VM's new NIC needs the network's bridge now.
  if (scope.live && !network.active) {
    throw invalidInput('network', `Network "${name}" is not running, so a running VM cannot join it.`, `Start network "${name}" first (virsh net-start ${name}).`);
  }
  return network;
}
