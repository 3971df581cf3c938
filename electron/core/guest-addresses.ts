// Completes the kernel's topology with guest-agent addresses, asked only for running VMs whose
// NICs neither a lease nor the neighbour table explains: each question costs a virsh call.
import type { Lease, Vm } from '../../shared/model';
import type { HostTopology } from '../../shared/topology/host-topology';
import { nicAddress } from '../../shared/topology/graph';
import type { NicHost } from '../host/nics';
import type { KernelTopology } from '../host/topology';

export async function withGuestAgentAddresses(
  kernel: KernelTopology,
  vms: readonly Vm[],
  leases: readonly Lease[],
  nics: NicHost,
): Promise<HostTopology> {
  const known = { ...kernel, guestAgentAddresses: [] };
  const unexplained = vms.filter(
    (vm) => vm.state === 'running' && vm.nics.some((nic) => nic.mac && !nicAddress(nic.mac, leases, known)),
  );
  if (unexplained.length === 0) return known;
  try {
    return { ...known, guestAgentAddresses: await nics.readAgentAddresses(unexplained.map((vm) => vm.name)) };
  } catch (error) {
    const problem = `guest agents: ${error instanceof Error ? error.message : String(error)}`;
    return { ...known, problems: [...known.problems, problem] };
  }
}
