// The guests a port forward can point at: the network's reservations and live IPv4 leases, one
// entry per address, named after the VM when the MAC belongs to one.
import type { Lease, Network, Vm } from '../model';

export interface GuestCandidate {
  ip: string;
  /** "lab-guest-1", a DHCP hostname or reservation name, or the MAC. */
  name: string;
  mac?: string;
  /** A reservation pins the address, so the forward keeps pointing at the same guest. */
  reserved: boolean;
}

export function guestCandidates(network: Network, leases: readonly Lease[], vms: readonly Vm[]): GuestCandidate[] {
  const vmByMac = new Map(vms.flatMap((vm) => vm.nics.flatMap((nic) => (nic.mac ? [[nic.mac.toLowerCase(), vm.name] as const] : []))));
  const byIp = new Map<string, GuestCandidate>();
  for (const host of network.ips.filter((ip) => ip.family === 'ipv4').flatMap((ip) => ip.dhcpHosts)) {
    const mac = host.mac?.toLowerCase();
    byIp.set(host.ip, { ip: host.ip, name: (mac && vmByMac.get(mac)) || host.name || mac || host.ip, ...(mac ? { mac } : {}), reserved: true });
  }
  for (const lease of leases) {
    if (lease.network !== network.name || lease.family !== 'ipv4' || byIp.has(lease.ip)) continue;
    const mac = lease.mac?.toLowerCase();
    byIp.set(lease.ip, {
      ip: lease.ip,
      name: lease.vm ?? (mac && vmByMac.get(mac)) ?? lease.hostname ?? mac ?? lease.ip,
      ...(mac ? { mac } : {}),
      reserved: lease.reserved,
    });
  }
  return [...byIp.values()];
}
