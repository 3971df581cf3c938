// The privileged helper's protocol: a closed, versioned set of operations, one JSON object per
// line over stdio. Every argument is a typed value (interface names, addresses, routes, enums)
// checked here by the helper before anything runs; no operation carries a command, a path or a
// shell string. The same schemas describe the in-process operations a core running as root uses.
import { z } from 'zod';
import { cidrContains, isIpv4, isIpv6, normalizeMac, parseCidr, parseIpAddress } from './address';
import { IpFamilySchema } from './model';

export const HELPER_PROTOCOL_VERSION = 1;
/** Longer lines are refused before parsing, so a hostile peer cannot make the helper buffer much. */
export const MAX_REQUEST_LINE_BYTES = 64 * 1024;

/** The kernel's IFNAMSIZ is 16 bytes including the terminating NUL. */
export const MAX_INTERFACE_NAME_LENGTH = 15;
// The kernel refuses '/', ':' and whitespace; we also refuse everything a program could read as
// an option or a pattern (a leading '-', quotes, '$', '*', …) so a name is only ever a name.
const INTERFACE_NAME_CHARACTERS = /^[A-Za-z0-9_.-]+$/;

export const InterfaceNameSchema = z.string().superRefine((name, context) => {
  const problem = interfaceNameProblem(name);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

/** Why `name` cannot be a Linux interface name we accept, or undefined when it can. */
export function interfaceNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'An interface name cannot be empty.';
  if (name.length > MAX_INTERFACE_NAME_LENGTH) {
    return `An interface name is at most ${MAX_INTERFACE_NAME_LENGTH} characters ("${name.slice(0, 20)}…" has ${name.length}).`;
  }
  if (name === '.' || name === '..') return `"${name}" is not a valid interface name.`;
  if (!INTERFACE_NAME_CHARACTERS.test(name)) {
    const bad = [...name].find((character) => !INTERFACE_NAME_CHARACTERS.test(character)) ?? '';
    return `An interface name may contain only letters, digits, "_", "." and "-", not ${JSON.stringify(bad)}.`;
  }
  if (name.startsWith('-')) return 'An interface name cannot start with "-".';
  return undefined;
}

export const IpAddressSchema = z
  .string()
  .max(64, 'An IP address is at most 64 characters.')
  .refine((text) => isIpv4(text) || isIpv6(text), 'Write an IPv4 address such as 192.168.1.1 or an IPv6 address.');

/** An address with its prefix length ("192.168.4.7/16"), IPv4 or IPv6. */
export const CidrSchema = z.string().superRefine((text, context) => {
  const problem = cidrProblem(text);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

function cidrProblem(text: string): string | undefined {
  const hint = 'Write an address with its prefix length, such as 192.168.4.7/24 or 2001:db8::7/64.';
  if (text.length > 64) return `A CIDR is at most 64 characters. ${hint}`;
  const slash = text.indexOf('/');
  if (slash < 0) return `"${text}" has no prefix length. ${hint}`;
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  const maxPrefix = isIpv4(address) ? 32 : isIpv6(address) ? 128 : undefined;
  if (maxPrefix === undefined) return `"${address}" is not an IP address. ${hint}`;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefix) || Number(prefix) > maxPrefix) {
    return `The prefix length of "${text}" must be a number from 0 to ${maxPrefix}.`;
  }
  return undefined;
}

export const MacAddressSchema = z
  .string()
  .max(17, 'A MAC address is 17 characters.')
  .refine((text) => normalizeMac(text) === text, 'Write the MAC address as six lowercase hex pairs, such as 52:54:00:12:34:56.');

/** An address as `ip address add` takes it back: enough to restore it exactly. */
export const AddressSpecSchema = z
  .object({
    family: IpFamilySchema,
    cidr: CidrSchema,
    broadcast: IpAddressSchema.optional(),
    scope: z.enum(['global', 'site', 'link', 'host']).optional(),
    /** IPv4 alias label such as "eno1:1"; absent when it is just the device name. */
    label: z.string().max(MAX_INTERFACE_NAME_LENGTH).regex(/^[A-Za-z0-9_.:-]+$/).optional(),
    /** Remaining lifetimes in seconds, for addresses a DHCP client or SLAAC gave; absent means forever. */
    validLifetime: z.number().int().min(0).max(0xfffffffe).optional(),
    preferredLifetime: z.number().int().min(0).max(0xfffffffe).optional(),
    noPrefixRoute: z.boolean().optional(),
  })
  .strict();
export type AddressSpec = z.infer<typeof AddressSpecSchema>;

/** Route origins `ip route` can set; "kernel" routes come and go with addresses, so nobody adds them. */
export const RouteProtocolSchema = z.enum(['boot', 'static', 'dhcp', 'ra', 'redirect', 'kernel']);

/** A main-table unicast route through one device, as `ip route add` takes it back. */
export const RouteSpecSchema = z
  .object({
    family: IpFamilySchema,
    /** "default" or a CIDR. */
    destination: z.union([z.literal('default'), CidrSchema]),
    gateway: IpAddressSchema.optional(),
    metric: z.number().int().min(0).max(0xffffffff).optional(),
    protocol: RouteProtocolSchema.optional(),
    scope: z.enum(['global', 'link', 'host']).optional(),
    source: IpAddressSchema.optional(),
    onlink: z.boolean().optional(),
  })
  .strict();
export type RouteSpec = z.infer<typeof RouteSpecSchema>;

/** The centiseconds of forward delay we give STP bridges: 4 s, so the port forwards after ~8 s. */
export const STP_FORWARD_DELAY_CENTISECONDS = 400;

/** One change to the kernel's links, addresses or routes: everything a host-bridge plan is made of. */
export const LinkStepSchema = z.discriminatedUnion('op', [
  z
    .object({
      op: z.literal('link.add-bridge'),
      name: InterfaceNameSchema,
      mac: MacAddressSchema.optional(),
      stp: z.boolean(),
    })
    .strict(),
  z.object({ op: z.literal('link.delete-bridge'), name: InterfaceNameSchema }).strict(),
  z.object({ op: z.literal('link.set-master'), name: InterfaceNameSchema, master: InterfaceNameSchema }).strict(),
  z.object({ op: z.literal('link.set-nomaster'), name: InterfaceNameSchema }).strict(),
  z.object({ op: z.literal('link.set-state'), name: InterfaceNameSchema, up: z.boolean() }).strict(),
  z.object({ op: z.literal('address.add'), dev: InterfaceNameSchema, address: AddressSpecSchema }).strict(),
  z.object({ op: z.literal('address.delete'), dev: InterfaceNameSchema, address: AddressSpecSchema }).strict(),
  z.object({ op: z.literal('route.add'), dev: InterfaceNameSchema, route: RouteSpecSchema }).strict(),
  z.object({ op: z.literal('route.delete'), dev: InterfaceNameSchema, route: RouteSpecSchema }).strict(),
]);
export type LinkStep = z.infer<typeof LinkStepSchema>;

/** The interfaces a step touches; a transaction refuses steps outside the interfaces it snapshotted. */
export function stepInterfaces(step: LinkStep): string[] {
  switch (step.op) {
    case 'link.set-master':
      return [step.name, step.master];
    case 'address.add':
    case 'address.delete':
    case 'route.add':
    case 'route.delete':
      return [step.dev];
    default:
      return [step.name];
  }
}

/**
 * The `ip` arguments that perform a step. The review screen shows exactly these, and the helper
 * runs exactly these (after its absolute path to ip), so what the user approves is what runs.
 * Every token is a validated name, address or number, so joining them with spaces is unambiguous.
 */
export function stepIpArguments(step: LinkStep): string[] {
  switch (step.op) {
    case 'link.add-bridge':
      return [
        'link', 'add', 'name', step.name,
        ...(step.mac ? ['address', step.mac] : []),
        'type', 'bridge', 'stp_state', step.stp ? '1' : '0',
        ...(step.stp ? ['forward_delay', String(STP_FORWARD_DELAY_CENTISECONDS)] : []),
      ];
    case 'link.delete-bridge':
      return ['link', 'delete', 'dev', step.name, 'type', 'bridge'];
    case 'link.set-master':
      return ['link', 'set', 'dev', step.name, 'master', step.master];
    case 'link.set-nomaster':
      return ['link', 'set', 'dev', step.name, 'nomaster'];
    case 'link.set-state':
      return ['link', 'set', 'dev', step.name, step.up ? 'up' : 'down'];
    case 'address.add':
      return ['address', 'add', ...addressArguments(step.address), 'dev', step.dev];
    case 'address.delete':
      return ['address', 'delete', step.address.cidr, 'dev', step.dev];
    case 'route.add':
    case 'route.delete':
      return [
        step.route.family === 'ipv4' ? '-4' : '-6',
        'route',
        step.op === 'route.add' ? 'add' : 'delete',
        ...routeArguments(step.route, step.dev),
      ];
  }
}

function addressArguments(address: AddressSpec): string[] {
  return [
    address.cidr,
    ...(address.broadcast ? ['broadcast', address.broadcast] : []),
    ...(address.scope ? ['scope', address.scope] : []),
    ...(address.label ? ['label', address.label] : []),
    ...(address.validLifetime !== undefined ? ['valid_lft', String(address.validLifetime)] : []),
    ...(address.preferredLifetime !== undefined ? ['preferred_lft', String(address.preferredLifetime)] : []),
    ...(address.noPrefixRoute ? ['noprefixroute'] : []),
  ];
}

function routeArguments(route: RouteSpec, dev: string): string[] {
  return [
    route.destination,
    ...(route.gateway ? ['via', route.gateway] : []),
    'dev', dev,
    ...(route.metric !== undefined ? ['metric', String(route.metric)] : []),
    ...(route.protocol ? ['proto', route.protocol] : []),
    ...(route.scope ? ['scope', route.scope] : []),
    ...(route.source ? ['src', route.source] : []),
    ...(route.onlink ? ['onlink'] : []),
  ];
}

/** The shell-free text of a step, as the review shows it. */
export function stepCommand(step: LinkStep): string {
  return ['ip', ...stepIpArguments(step)].join(' ');
}

// ---------------------------------------------------------------------------------------------
// Persistence: what the helper writes so a confirmed bridge survives a reboot.

export const NetworkManagerKindSchema = z.enum(['networkmanager', 'networkd', 'none']);
export type NetworkManagerKind = z.infer<typeof NetworkManagerKindSchema>;

/** A bridge as a network manager should bring it up at boot. */
export const BridgePersistenceSpecSchema = z
  .object({
    bridge: InterfaceNameSchema,
    port: InterfaceNameSchema,
    /** The bridge takes the port's MAC, so DHCP reservations and leases keep working. */
    mac: MacAddressSchema.optional(),
    stp: z.boolean(),
    addressing: z.discriminatedUnion('mode', [
      z.object({ mode: z.literal('dhcp') }).strict(),
      z
        .object({
          mode: z.literal('static'),
          addresses: z.array(CidrSchema).max(32),
          routes: z.array(RouteSpecSchema).max(64),
        })
        .strict(),
    ]),
  })
  .strict();
export type BridgePersistenceSpec = z.infer<typeof BridgePersistenceSpecSchema>;

// ---------------------------------------------------------------------------------------------
// Port forwards: a typed spec the helper turns into Switchyard's own nftables table (or, without
// nft, its iptables nat chains) and the accept that lets forwarded connections past libvirt's
// reject rules. Never a rule text.

const Ipv4AddressSchema = z.string().max(15).refine(isIpv4, 'Write an IPv4 address such as 192.168.122.10.');
const PortSchema = z.number().int().min(1).max(65535);

/** One forward as the firewall applies it: the network reduced to its bridge and IPv4 subnet. */
export const AppliedForwardSchema = z
  .object({
    bridge: InterfaceNameSchema,
    /** The network's IPv4 subnet, e.g. 192.168.122.0/24; the guest must lie inside it. */
    subnet: CidrSchema.refine((cidr) => isIpv4(cidr.split('/')[0] ?? ''), 'Port forwards go into IPv4 subnets.'),
    protocol: z.enum(['tcp', 'udp']),
    hostPort: PortSchema,
    /** Never loopback: connections to 127.0.0.0/8 stay the host's (the rules exclude it). */
    hostAddress: Ipv4AddressSchema.refine((address) => !address.startsWith('127.'), 'Forwards never apply to loopback addresses.').optional(),
    guestIp: Ipv4AddressSchema,
    guestPort: PortSchema,
  })
  .strict()
  .superRefine((forward, context) => {
    const subnet = parseCidr(forward.subnet);
    const guest = parseIpAddress(forward.guestIp);
    if (subnet && guest && !cidrContains(subnet, guest)) {
      context.addIssue({ code: 'custom', path: ['guestIp'], message: `${forward.guestIp} is not inside ${forward.subnet}.` });
    }
  });
export type AppliedForward = z.infer<typeof AppliedForwardSchema>;

/** Every forward in effect on the host: applying a spec replaces the previous one entirely. */
export const FirewallSpecSchema = z
  .object({ forwards: z.array(AppliedForwardSchema).max(1024, 'At most 1024 port forwards.') })
  .strict()
  .superRefine((spec, context) => {
    const seen = new Set<string>();
    spec.forwards.forEach((forward, index) => {
      // A duplicate would make the second rule dead; the core checks first, the helper refuses too.
      const key = `${forward.protocol}/${forward.hostPort}/${forward.hostAddress ?? '*'}`;
      if (seen.has(key)) context.addIssue({ code: 'custom', path: ['forwards', index, 'hostPort'], message: `Host port ${forward.hostPort}/${forward.protocol} is forwarded twice.` });
      seen.add(key);
    });
  });
export type FirewallSpec = z.infer<typeof FirewallSpecSchema>;

/** The firewall as the kernel has it, for the firewall view; a missing program leaves its field out. */
export const FirewallReadingSchema = z.object({
  /** `iptables-save` (libvirt's iptables backend, and Switchyard's accept chain). */
  iptablesSave: z.string().max(4_000_000).optional(),
  /** `nft -j list ruleset`. */
  nftRuleset: z.string().max(16_000_000).optional(),
  /** Why a reading is missing. */
  problems: z.array(z.string()),
});
export type FirewallReading = z.infer<typeof FirewallReadingSchema>;

// ---------------------------------------------------------------------------------------------
// The operations and their envelopes.

const TransactionIdSchema = z.string().regex(/^tx-[0-9]{1,12}$/, 'A transaction id looks like "tx-1".');

/** Each operation: its argument schema. The set is closed: anything else is refused. */
export const helperOperations = {
  /** Protocol version, operations offered and the uid the helper acts for. */
  hello: z.object({}).strict(),
  /** Applies steps in order after snapshotting `interfaces`; rolls back by itself unless confirmed in time. */
  'transaction.apply': z
    .object({
      steps: z.array(LinkStepSchema).min(1).max(128),
      interfaces: z.array(InterfaceNameSchema).min(1).max(8),
      rollbackAfterSeconds: z.number().int().min(5).max(600),
    })
    .strict(),
  'transaction.confirm': z.object({ transaction: TransactionIdSchema }).strict(),
  'transaction.rollback': z.object({ transaction: TransactionIdSchema }).strict(),
  'transaction.status': z.object({ transaction: TransactionIdSchema }).strict(),
  /** One ping of `address` out of `dev`, inside the namespace the operations act on. */
  'probe.gateway': z.object({ dev: InterfaceNameSchema, address: IpAddressSchema }).strict(),
  /** Writes (or removes) the bridge's configuration for the given network manager. */
  'persistence.write': z.object({ manager: NetworkManagerKindSchema.exclude(['none']), spec: BridgePersistenceSpecSchema }).strict(),
  'persistence.remove': z
    .object({ manager: NetworkManagerKindSchema.exclude(['none']), bridge: InterfaceNameSchema, port: InterfaceNameSchema })
    .strict(),
  /** Replaces Switchyard's port forwards on the host with exactly these. */
  'firewall.apply': z.object({ spec: FirewallSpecSchema }).strict(),
  /** Reads the rules in effect (iptables-save, nft -j list ruleset) for the firewall view. */
  'firewall.read': z.object({}).strict(),
} as const;
export type HelperOperation = keyof typeof helperOperations;
export type HelperArguments<O extends HelperOperation> = z.infer<(typeof helperOperations)[O]>;
export const HELPER_OPERATIONS = Object.keys(helperOperations) as HelperOperation[];

export const HelperRequestSchema = z
  .object({
    v: z.literal(HELPER_PROTOCOL_VERSION, `This helper speaks protocol version ${HELPER_PROTOCOL_VERSION}.`),
    id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    op: z.string().max(64),
    args: z.unknown(),
  })
  .strict();
export type HelperRequest = z.infer<typeof HelperRequestSchema>;

const HelperErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
  hint: z.string().optional(),
});

export const HelperResponseSchema = z.discriminatedUnion('ok', [
  z.object({ v: z.literal(HELPER_PROTOCOL_VERSION), id: z.number().nullable(), ok: z.literal(true), result: z.unknown() }),
  z.object({ v: z.literal(HELPER_PROTOCOL_VERSION), id: z.number().nullable(), ok: z.literal(false), error: HelperErrorSchema }),
]);
export type HelperResponse = z.infer<typeof HelperResponseSchema>;

export const TransactionStatusSchema = z.object({
  transaction: z.string(),
  state: z.enum(['open', 'confirmed', 'rolled-back']),
  /** Unix milliseconds at which an open transaction rolls back by itself. */
  deadline: z.number().optional(),
  /** Why it rolled back: the user asked, the countdown ran out, a step failed, the app went away. */
  reason: z.string().optional(),
  /** What a rollback could not restore; empty when the previous state is back exactly. */
  differences: z.array(z.string()).optional(),
});
export type TransactionStatus = z.infer<typeof TransactionStatusSchema>;

/** What each operation answers; the client checks answers against these. */
export const helperResults = {
  hello: z.object({ version: z.number(), operations: z.array(z.string()), uid: z.number() }),
  'transaction.apply': TransactionStatusSchema,
  'transaction.confirm': TransactionStatusSchema,
  'transaction.rollback': TransactionStatusSchema,
  'transaction.status': TransactionStatusSchema,
  'probe.gateway': z.object({ reachable: z.boolean(), detail: z.string() }),
  'persistence.write': z.object({ done: z.array(z.string()) }),
  'persistence.remove': z.object({ done: z.array(z.string()) }),
  'firewall.apply': z.object({ done: z.array(z.string()), rules: z.number().int() }),
  'firewall.read': FirewallReadingSchema,
} as const satisfies Record<HelperOperation, z.ZodType>;
export type HelperResult<O extends HelperOperation> = z.infer<(typeof helperResults)[O]>;
