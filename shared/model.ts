// The domain model the core reports and the renderer shows. Every type is derived from its
// runtime schema so that what crosses the IPC boundary is checked against the same definition.
import { z } from 'zod';
import { HostTopologySchema } from './topology/host-topology';

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

/** Lease time in seconds (<lease expiry=... unit=.../>); 0 means infinite. */
const LeaseSecondsSchema = z.number().int().nonnegative();

export const DhcpRangeSchema = z.object({
  start: z.string(),
  end: z.string(),
  /** Lease time in seconds, when the range sets one (<lease expiry=.../>); 0 means infinite. */
  leaseSeconds: LeaseSecondsSchema.optional(),
});
export type DhcpRange = z.infer<typeof DhcpRangeSchema>;

export const DhcpHostSchema = z.object({
  mac: z.string().optional(),
  /** DHCPv6 hosts are identified by DUID instead of MAC. */
  id: z.string().optional(),
  name: z.string().optional(),
  ip: z.string(),
  /** The host's own lease time, when it sets one. */
  leaseSeconds: LeaseSecondsSchema.optional(),
});
export type DhcpHost = z.infer<typeof DhcpHostSchema>;

export const IpConfigSchema = z.object({
  family: IpFamilySchema,
  address: z.string(),
  /** Prefix length, also when the XML gave a netmask. */
  prefix: z.number().int().min(0).max(128),
  dhcpRanges: z.array(DhcpRangeSchema),
  dhcpHosts: z.array(DhcpHostSchema),
  /** <dhcp><bootp file server/>: the boot image offered to PXE clients (IPv4 only). */
  bootp: z.object({ file: z.string(), server: z.string().optional() }).optional(),
  /** <tftp root=.../>: the directory dnsmasq serves over TFTP (IPv4 only). */
  tftpRoot: z.string().optional(),
});
export type IpConfig = z.infer<typeof IpConfigSchema>;

export const DnsHostSchema = z.object({
  ip: z.string(),
  hostnames: z.array(z.string()),
});
export type DnsHost = z.infer<typeof DnsHostSchema>;

/** <forwarder addr domain/>: where dnsmasq sends queries (for one domain, or all when no domain). */
export const DnsForwarderSchema = z.object({
  addr: z.string().optional(),
  domain: z.string().optional(),
});
export type DnsForwarder = z.infer<typeof DnsForwarderSchema>;

export const DnsTxtSchema = z.object({ name: z.string(), value: z.string() });
export type DnsTxt = z.infer<typeof DnsTxtSchema>;

/** <srv>: an RFC 2782 service record; only service and protocol are required. */
export const DnsSrvSchema = z.object({
  service: z.string(),
  protocol: z.string(),
  domain: z.string().optional(),
  target: z.string().optional(),
  port: z.number().int().optional(),
  priority: z.number().int().optional(),
  weight: z.number().int().optional(),
});
export type DnsSrv = z.infer<typeof DnsSrvSchema>;

/** <dns> apart from its host entries, which are Network.dnsHosts. */
export const DnsConfigSchema = z.object({
  /** enable='no' turns the network's DNS server off; absent means on. */
  enable: z.boolean().optional(),
  /** forwardPlainNames: whether names without a dot go upstream; absent leaves libvirt's default. */
  forwardPlainNames: z.boolean().optional(),
  forwarders: z.array(DnsForwarderSchema),
  txts: z.array(DnsTxtSchema),
  srvs: z.array(DnsSrvSchema),
});
export type DnsConfig = z.infer<typeof DnsConfigSchema>;

/** <route>: a static route the host adds via this network, to a subnet behind a guest. */
export const StaticRouteSchema = z.object({
  family: IpFamilySchema,
  address: z.string(),
  prefix: z.number().int().min(0).max(128),
  gateway: z.string(),
  metric: z.number().int().optional(),
});
export type StaticRoute = z.infer<typeof StaticRouteSchema>;

/** <forward><nat>: how a nat network translates (libvirt fills in ports 1024–65535 when live). */
export const NatSchema = z.object({
  /** <address start end/>: the public IPv4 addresses outgoing traffic is translated to. */
  addressRange: z.object({ start: z.string(), end: z.string() }).optional(),
  /** <port start end/>: the source ports translation may use. */
  portRange: z.object({ start: z.number().int(), end: z.number().int() }).optional(),
  /** ipv6='yes': masquerade IPv6 too, instead of routing it; absent means no. */
  ipv6: z.boolean().optional(),
});
export type Nat = z.infer<typeof NatSchema>;

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
    /** Only for mode nat. */
    nat: NatSchema.optional(),
  }),
  bridge: z
    .object({
      name: z.string(),
      stp: z.boolean().optional(),
      delay: z.number().optional(),
      /** Who manages the bridge's MAC table: the kernel (learning) or libvirt. */
      macTableManager: z.enum(['kernel', 'libvirt']).optional(),
    })
    .optional(),
  mtu: z.number().int().optional(),
  mac: z.string().optional(),
  /** <domain name=...>: the DNS domain of the network's DHCP clients. */
  domain: z.string().optional(),
  /** <domain localOnly='yes'>: queries for the domain are never forwarded upstream. */
  domainLocalOnly: z.boolean().optional(),
  /** <virtualport type=...>, e.g. openvswitch for a bridge network on an Open vSwitch bridge. */
  virtualPortType: z.string().optional(),
  ips: z.array(IpConfigSchema),
  /** <dns><host ip=...><hostname>...</hostname></host>: names dnsmasq answers on this network. */
  dnsHosts: z.array(DnsHostSchema),
  dns: DnsConfigSchema,
  routes: z.array(StaticRouteSchema),
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

/**
 * Where a lease was read: libvirt's lease database (BRIDGE.status), `virsh net-dhcp-leases` (remote
 * or unreadable files), or the lease file of a dnsmasq libvirt does not run.
 */
export const LeaseSourceSchema = z.enum(['libvirt-status', 'virsh', 'dnsmasq-leases']);
export type LeaseSource = z.infer<typeof LeaseSourceSchema>;

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
  /** True when the network has a DHCP host entry (a reservation) for this MAC and address. */
  reserved: z.boolean(),
  source: LeaseSourceSchema,
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

/** A lease file (or lease query) that could not be read; the leases last read from it are kept. */
export const LeaseProblemSchema = z.object({
  /** The file as the host names it, or the virsh command. */
  source: z.string(),
  network: z.string().optional(),
  error: ErrorValueSchema,
});
export type LeaseProblem = z.infer<typeof LeaseProblemSchema>;

export const SnapshotSchema = z.object({
  connection: ConnectionSchema,
  networks: z.array(NetworkSchema),
  vms: z.array(VmSchema),
  leases: z.array(LeaseSchema),
  /** Lease sources that could not be read at the last attempt; their last good leases stay in `leases`. */
  leaseProblems: z.array(LeaseProblemSchema),
  /** Host-level links; empty where the core cannot see the host (a remote URI). */
  hostInterfaces: z.array(HostInterfaceSchema),
  /** Why host-level reads are missing or failed, when they are. */
  hostError: ErrorValueSchema.optional(),
  /** Routes, NAT, dnsmasq and tap-holding processes on the host; absent where it cannot be read. */
  hostTopology: HostTopologySchema.optional(),
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
