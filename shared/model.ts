// The domain model the core reports and the renderer shows. Every type is derived from its
// runtime schema so that what crosses the IPC boundary is checked against the same definition.
import { z } from 'zod';

/** Forward modes libvirt documents; "isolated" stands for a network without <forward>. */
export const ForwardModeSchema = z.enum([
  'nat',
  'route',
  'open',
  'isolated',
  'bridge',
  'private',
  'vepa',
  'passthrough',
  'hostdev',
]);
export type ForwardMode = z.infer<typeof ForwardModeSchema>;

export const IpFamilySchema = z.enum(['ipv4', 'ipv6']);
export type IpFamily = z.infer<typeof IpFamilySchema>;

export const DhcpRangeSchema = z.object({
  start: z.string(),
  end: z.string(),
  /** Lease time in seconds, when the range sets one (<lease expiry=.../>); 0 means infinite. */
  leaseSeconds: z.number().int().nonnegative().optional(),
});
export type DhcpRange = z.infer<typeof DhcpRangeSchema>;

export const DhcpHostSchema = z.object({
  mac: z.string().optional(),
  /** DHCPv6 hosts are identified by DUID instead of MAC. */
  id: z.string().optional(),
  name: z.string().optional(),
  ip: z.string(),
});
export type DhcpHost = z.infer<typeof DhcpHostSchema>;

export const IpConfigSchema = z.object({
  family: IpFamilySchema,
  address: z.string(),
  /** Prefix length, also when the XML gave a netmask. */
  prefix: z.number().int().min(0).max(128),
  dhcpRanges: z.array(DhcpRangeSchema),
  dhcpHosts: z.array(DhcpHostSchema),
});
export type IpConfig = z.infer<typeof IpConfigSchema>;

export const DnsHostSchema = z.object({
  ip: z.string(),
  hostnames: z.array(z.string()),
});
export type DnsHost = z.infer<typeof DnsHostSchema>;

export const NetworkSchema = z.object({
  name: z.string(),
  uuid: z.string(),
  active: z.boolean(),
  autostart: z.boolean(),
  persistent: z.boolean(),
  forward: z.object({
    mode: ForwardModeSchema,
    /** <forward dev=...>: the uplink a nat/route network is restricted to. */
    dev: z.string().optional(),
  }),
  bridge: z
    .object({
      name: z.string(),
      stp: z.boolean().optional(),
      delay: z.number().optional(),
    })
    .optional(),
  mtu: z.number().int().optional(),
  mac: z.string().optional(),
  domain: z.string().optional(),
  ips: z.array(IpConfigSchema),
  /** <dns><host ip=...><hostname>...</hostname></host>: names dnsmasq answers on this network. */
  dnsHosts: z.array(DnsHostSchema),
});
export type Network = z.infer<typeof NetworkSchema>;

export const VmStateSchema = z.enum([
  'running',
  'idle',
  'paused',
  'in shutdown',
  'shut off',
  'crashed',
  'pmsuspended',
  'unknown',
]);
export type VmState = z.infer<typeof VmStateSchema>;

export const NicSchema = z.object({
  /** <interface type=...>: network, bridge, direct, user, ... */
  type: z.string(),
  mac: z.string().optional(),
  model: z.string().optional(),
  /** Set when type is "network". */
  network: z.string().optional(),
  /** The host bridge: <source bridge=...> for type "bridge", the network's bridge once running. */
  bridge: z.string().optional(),
  /** The host-side tap device (<target dev=...>), present while the VM runs. */
  tap: z.string().optional(),
});
export type Nic = z.infer<typeof NicSchema>;

export const VmSchema = z.object({
  name: z.string(),
  uuid: z.string(),
  state: VmStateSchema,
  persistent: z.boolean(),
  nics: z.array(NicSchema),
});
export type Vm = z.infer<typeof VmSchema>;

export const LeaseSchema = z.object({
  network: z.string(),
  family: IpFamilySchema,
  ip: z.string(),
  prefix: z.number().int().min(0).max(128).optional(),
  mac: z.string().optional(),
  hostname: z.string().optional(),
  clientId: z.string().optional(),
  /** Expiry as Unix seconds. */
  expiresAt: z.number(),
  /** The VM whose NIC has this lease's MAC, when one does. */
  vm: z.string().optional(),
});
export type Lease = z.infer<typeof LeaseSchema>;

export const HostAddressSchema = z.object({
  family: IpFamilySchema,
  address: z.string(),
  prefix: z.number().int(),
});
export type HostAddress = z.infer<typeof HostAddressSchema>;

/** A link as the host kernel (or the lab's namespace) reports it. */
export const HostInterfaceSchema = z.object({
  name: z.string(),
  /** Kernel link kind: bridge, tun, veth, ... or "device" for a plain NIC. */
  kind: z.string(),
  mac: z.string().optional(),
  /** The bridge this link is enslaved to. */
  master: z.string().optional(),
  operState: z.string(),
  mtu: z.number().int().optional(),
  addresses: z.array(HostAddressSchema),
});
export type HostInterface = z.infer<typeof HostInterfaceSchema>;

export const ErrorValueSchema = z.object({
  /** A stable machine-readable code, e.g. "invalid-input", "not-found", "libvirt-unreachable". */
  code: z.string(),
  message: z.string(),
  /** The input or document field the error is about, as a dotted path. */
  field: z.string().optional(),
  /** What the user can do about it. */
  hint: z.string().optional(),
});
export type ErrorValue = z.infer<typeof ErrorValueSchema>;

export const ConnectionSchema = z.object({
  uri: z.string(),
  state: z.enum(['connecting', 'connected', 'disconnected']),
  /** Why the last attempt failed, verbatim from libvirt where it said something. */
  error: ErrorValueSchema.optional(),
  /** Unix milliseconds of the last successful read. */
  lastReadAt: z.number().optional(),
});
export type Connection = z.infer<typeof ConnectionSchema>;

export const SnapshotSchema = z.object({
  connection: ConnectionSchema,
  networks: z.array(NetworkSchema),
  vms: z.array(VmSchema),
  leases: z.array(LeaseSchema),
  /** Host-level links; empty where the core cannot see the host (a remote URI). */
  hostInterfaces: z.array(HostInterfaceSchema),
  /** Why host-level reads are missing or failed, when they are. */
  hostError: ErrorValueSchema.optional(),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

export const NetworkDetailsSchema = z.object({
  network: NetworkSchema,
  /** The network's XML as libvirt reports it (the live definition when it runs). */
  xml: z.string(),
  /** VMs with at least one NIC on this network, and which of their NICs. */
  attached: z.array(z.object({ vm: z.string(), state: VmStateSchema, nics: z.array(NicSchema) })),
  leases: z.array(LeaseSchema),
});
export type NetworkDetails = z.infer<typeof NetworkDetailsSchema>;
