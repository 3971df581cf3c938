// What the host kernel and its processes say about VM networking, beyond libvirt's own view:
// link details, the default route, neighbours, NAT rules, dnsmasq and QEMU processes. The core
// discovers it; the topology graph builder combines it with the snapshot.
import { z } from 'zod';

export const LinkDetailSchema = z.object({
  name: z.string(),
  /** The kernel reports a carrier (LOWER_UP). */
  carrier: z.boolean(),
  /** A NIC backed by hardware (it has a parent bus such as pci or usb), not a virtual link. */
  physical: z.boolean(),
  wireless: z.boolean(),
  /** Negotiated speed in Mbit/s, when the driver reports one. */
  speedMbps: z.number().int().positive().optional(),
  /** The STP state of a bridge port: forwarding, blocking, disabled, ... */
  portState: z.string().optional(),
});
export type LinkDetail = z.infer<typeof LinkDetailSchema>;

export const NeighbourSchema = z.object({ ip: z.string(), mac: z.string(), dev: z.string() });
export type Neighbour = z.infer<typeof NeighbourSchema>;

/** A process holding tap devices open, found through /proc/PID/fdinfo of its /dev/net/tun fds. */
export const TapProcessSchema = z.object({
  pid: z.number().int().positive(),
  /** The guest's name (QEMU's -name) or else the program name. */
  name: z.string(),
  /** The kernel's short program name (/proc/PID/comm). */
  command: z.string(),
  taps: z.array(z.string()),
});
export type TapProcess = z.infer<typeof TapProcessSchema>;

export const DnsmasqProcessSchema = z.object({
  pid: z.number().int().positive(),
  confFile: z.string(),
  /** The libvirt network the configuration file belongs to (…/dnsmasq/NAME.conf). */
  network: z.string().optional(),
  /** interface= lines: dnsmasq answers on these links. */
  interfaces: z.array(z.string()),
  /** listen-address= lines. */
  listenAddresses: z.array(z.string()),
});
export type DnsmasqProcess = z.infer<typeof DnsmasqProcessSchema>;

export const GuestAgentAddressSchema = z.object({ vm: z.string(), mac: z.string(), ip: z.string() });
export type GuestAgentAddress = z.infer<typeof GuestAgentAddressSchema>;

export const HostTopologySchema = z.object({
  /** Links the default routes leave through (IPv4 and IPv6). */
  defaultRouteDevs: z.array(z.string()),
  /** net.ipv4.ip_forward; undefined when it could not be read. */
  ipForwarding: z.boolean().optional(),
  links: z.array(LinkDetailSchema),
  neighbours: z.array(NeighbourSchema),
  /** Source subnets (CIDR) that a MASQUERADE rule translates. */
  masqueradedSubnets: z.array(z.string()),
  tapProcesses: z.array(TapProcessSchema),
  dnsmasq: z.array(DnsmasqProcessSchema),
  /** Addresses running guests' agents report, for NICs without a lease or neighbour entry. */
  guestAgentAddresses: z.array(GuestAgentAddressSchema),
  /** Reads that failed; the rest of the topology is still shown. */
  problems: z.array(z.string()),
});
export type HostTopology = z.infer<typeof HostTopologySchema>;
