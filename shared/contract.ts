// The one IPC contract: every request and every push subscription, with the runtime schemas
// the privileged side enforces. Both shells (Electron IPC and the serve WebSocket), the preload
// API and the renderer's client are all derived from this object.
import { z } from 'zod';
import { requestNames, subscriptionNames } from './contract-names';
import {
  ApplyHostBridgeInputSchema,
  HostBridgeChangeSchema,
  HostBridgeOverviewSchema,
  HostBridgePlanViewSchema,
  HostBridgeTransactionSchema,
  PersistHostBridgeInputSchema,
  TransactionInputSchema,
} from './host-bridge';
import { helperResults } from './helper-protocol';
import { FirewallViewSchema } from './firewall/firewall-view';
import { NetworkPortForwardsSchema, PortForwardFieldsSchema, PortForwardSchema } from './firewall/port-forward';
import { MacSchema, NicModelSchema } from './nic';
import { ErrorValueSchema, NetworkDetailsSchema, NetworkSchema, SnapshotSchema, ConnectionSchema, type ErrorValue } from './model';

/** libvirt object names are free-form in libvirt, but nothing sane is longer than this. */
const MAX_NAME_LENGTH = 200;
const MAX_URI_LENGTH = 2048;

export const NetworkNameSchema = z
  .string()
  .min(1, 'A network name cannot be empty.')
  .max(MAX_NAME_LENGTH, `A network name is at most ${MAX_NAME_LENGTH} characters.`);

export const ConnectionUriSchema = z
  .string()
  .min(1, 'The connection URI cannot be empty.')
  .max(MAX_URI_LENGTH, `A connection URI is at most ${MAX_URI_LENGTH} characters.`)
  .regex(/^[a-z0-9+.-]+:\/\/[^\s]*$/i, 'Use a libvirt URI such as qemu:///system or test:///default.');

const NoInput = z.object({}).strict();

export const VmNameSchema = z
  .string()
  .min(1, 'A VM name cannot be empty.')
  .max(MAX_NAME_LENGTH, `A VM name is at most ${MAX_NAME_LENGTH} characters.`);

/** What a NIC request changed: the VM and the MAC of the NIC (generated when none was given). */
const NicChangeSchema = z.object({
  vm: z.string(),
  mac: z.string(),
  /**
   * Detach only: the running guest has not released the NIC yet. PCI hot-unplug needs the
   * guest OS to acknowledge; it is already gone from the definition and leaves at the next reset.
   */
  unplugPending: z.boolean().optional(),
});

// Host entry values are only bounded here; shared/leases/host-entries.ts checks them against the
// network, with the same messages the renderer shows at the field.
const HostValueSchema = z.string().max(253, 'At most 253 characters.');
const DhcpHostFieldsSchema = z
  .object({ mac: HostValueSchema, ip: HostValueSchema, name: HostValueSchema.optional() })
  .strict();
const DhcpHostRequestSchema = DhcpHostFieldsSchema.extend({ network: NetworkNameSchema }).strict();
const DnsHostFieldsSchema = z
  .object({ ip: HostValueSchema, hostnames: z.array(HostValueSchema).max(64, 'At most 64 names.') })
  .strict();
const DnsHostRequestSchema = DnsHostFieldsSchema.extend({ network: NetworkNameSchema }).strict();

/** A network's whole XML as the user or the wizard wrote it; libvirt's own documents stay far below this. */
const NetworkXmlSchema = z
  .string()
  .min(1, 'The network XML cannot be empty.')
  .max(1_000_000, 'The network XML is at most 1,000,000 characters.');
const NetworkRequestSchema = z.object({ name: NetworkNameSchema }).strict();
/**
 * Taps of running guests that could not be put back on the network's bridge after it started
 * again (libvirt leaves them off; the host's links could not be reached or changed): those
 * guests stay cut off until their NIC is reattached or they restart.
 */
const DetachedTapsSchema = z.array(z.string());
const HostRouteSchema = z.object({ destination: z.string(), dev: z.string().optional(), gateway: z.string().optional() });

export const contract = {
  requests: {
    /** Everything the core currently knows, in one read. */
    getSnapshot: { input: NoInput, output: SnapshotSchema },
    /** One network with its XML, the VMs attached to it and its leases. */
    getNetworkDetails: {
      input: z.object({ name: NetworkNameSchema }).strict(),
      output: NetworkDetailsSchema,
    },
    /** Point the core at another libvirt connection; answers once the first read finished. */
    setConnectionUri: {
      input: z.object({ uri: ConnectionUriSchema }).strict(),
      output: ConnectionSchema,
    },
    /** Adds a NIC on a network: hot-plugged when the VM runs, and in its definition when persistent. */
    attachNic: {
      input: z
        .object({
          vm: VmNameSchema,
          network: NetworkNameSchema,
          model: NicModelSchema.optional(),
          /** Generated in 52:54:00:… when absent; must not be used by any VM. */
          mac: MacSchema.optional(),
        })
        .strict(),
      output: NicChangeSchema,
    },
    /** Moves the NIC with this MAC to another network (update-device, live and persistent). */
    moveNic: {
      input: z.object({ vm: VmNameSchema, mac: MacSchema, network: NetworkNameSchema }).strict(),
      output: NicChangeSchema,
    },
    /** Removes the NIC with this MAC, live and from the definition. */
    detachNic: {
      input: z.object({ vm: VmNameSchema, mac: MacSchema }).strict(),
      output: NicChangeSchema,
    },
    /** Turns an address into a DHCP reservation (net-update add ip-dhcp-host, live and persistent). */
    reserveAddress: { input: DhcpHostRequestSchema, output: NetworkSchema },
    /** Replaces the reservation `original` (matched exactly) with the new values. */
    updateReservation: { input: DhcpHostRequestSchema.extend({ original: DhcpHostFieldsSchema }).strict(), output: NetworkSchema },
    removeReservation: { input: DhcpHostRequestSchema, output: NetworkSchema },
    /** Adds a DNS host record (net-update add dns-host): names dnsmasq answers with this address. */
    addDnsHost: { input: DnsHostRequestSchema, output: NetworkSchema },
    /** Replaces the DNS host record `original`; libvirt cannot modify one, so it is removed and re-added. */
    updateDnsHost: { input: DnsHostRequestSchema.extend({ original: DnsHostFieldsSchema }).strict(), output: NetworkSchema },
    removeDnsHost: { input: DnsHostRequestSchema, output: NetworkSchema },
    /** Host bridges from a NIC: the links that can (and cannot) be bridged, bridges that can be removed, who manages the network. */
    getHostBridgeOverview: { input: NoInput, output: HostBridgeOverviewSchema },
    /** The exact commands and persistence files of creating or removing a host bridge, for review. */
    planHostBridge: { input: HostBridgeChangeSchema, output: HostBridgePlanViewSchema },
    /** Applies the reviewed commands as a transaction that rolls back unless confirmed in time. */
    applyHostBridge: { input: ApplyHostBridgeInputSchema, output: HostBridgeTransactionSchema },
    /** Pings the gateway through the new path, inside the host's namespace. */
    checkHostBridgeGateway: { input: TransactionInputSchema, output: helperResults['probe.gateway'] },
    getHostBridgeTransaction: { input: TransactionInputSchema, output: HostBridgeTransactionSchema },
    confirmHostBridge: { input: TransactionInputSchema, output: HostBridgeTransactionSchema },
    /** Restores the exact previous state now (addresses, routes, master, link state). */
    rollbackHostBridge: { input: TransactionInputSchema, output: HostBridgeTransactionSchema },
    /** Writes (or, after a removal, deletes) the confirmed bridge's configuration for a network manager. */
    persistHostBridge: { input: PersistHostBridgeInputSchema, output: helperResults['persistence.write'] },
    /** The host's routes, which a new network's subnet must not overlap; absent where the host cannot be read. */
    getHostRoutes: { input: NoInput, output: z.object({ routes: z.array(HostRouteSchema).optional() }) },
    /** Defines a network from XML, then starts it and marks it autostart as asked; undone entirely on any failure. */
    createNetwork: {
      input: z.object({ xml: NetworkXmlSchema, start: z.boolean(), autostart: z.boolean() }).strict(),
      output: NetworkSchema,
    },
    /**
     * Replaces a network's definition. A running network gets live changes in place; other changes
     * restart it, which only happens with allowRestart (else the answer is a "restart-required" error).
     */
    updateNetwork: {
      input: z.object({ name: NetworkNameSchema, xml: NetworkXmlSchema, allowRestart: z.boolean() }).strict(),
      output: z.object({
        network: NetworkSchema,
        applied: z.enum(['unchanged', 'stored', 'live', 'restarted']),
        detachedTaps: DetachedTapsSchema.optional(),
      }),
    },
    /** The stored definition (net-dumpxml --inactive): what the next start uses, and what an edit starts from. */
    getNetworkDefinition: { input: NetworkRequestSchema, output: z.object({ xml: z.string() }) },
    /** Starts the network and puts running guests' NICs on it back on its bridge. */
    startNetwork: { input: NetworkRequestSchema, output: z.object({ network: NetworkSchema, detachedTaps: DetachedTapsSchema }) },
    /** Stops the network: its guests lose connectivity until it starts again. */
    stopNetwork: { input: NetworkRequestSchema, output: NetworkSchema },
    setNetworkAutostart: { input: z.object({ name: NetworkNameSchema, autostart: z.boolean() }).strict(), output: NetworkSchema },
    /** Stops (when running) and undefines the network. */
    deleteNetwork: { input: NetworkRequestSchema, output: z.object({ name: z.string() }) },
    /** The port forwards into a NAT network, and why they are not in effect when they are not. */
    listPortForwards: { input: z.object({ network: NetworkNameSchema }).strict(), output: NetworkPortForwardsSchema },
    /** Adds a forward "host port → guest IP:port" after checking the subnet, other forwards and the host's listeners. */
    addPortForward: {
      input: z.object({ network: NetworkNameSchema, forward: PortForwardFieldsSchema }).strict(),
      output: NetworkPortForwardsSchema,
    },
    removePortForward: {
      input: z.object({ network: NetworkNameSchema, id: PortForwardSchema.shape.id }).strict(),
      output: NetworkPortForwardsSchema,
    },
    /** Applies every stored forward now (on a desktop, Switchyard waits for this before asking for a password); answers the network's. */
    applyPortForwards: { input: z.object({ network: NetworkNameSchema }).strict(), output: NetworkPortForwardsSchema },
    /** The firewall rules in effect that concern a network (libvirt's, Switchyard's, others'), explained. */
    getFirewallView: { input: z.object({ network: NetworkNameSchema }).strict(), output: FirewallViewSchema },
  },
  subscriptions: {
    /** A new snapshot each time anything in it changes (and the current one at once). */
    snapshot: { input: NoInput, event: SnapshotSchema },
  },
} as const;

export type Contract = typeof contract;
export type RequestName = keyof Contract['requests'];
export type SubscriptionName = keyof Contract['subscriptions'];
export type RequestInput<N extends RequestName> = z.input<Contract['requests'][N]['input']>;
export type RequestOutput<N extends RequestName> = z.output<Contract['requests'][N]['output']>;
export type SubscriptionInput<N extends SubscriptionName> = z.input<Contract['subscriptions'][N]['input']>;
export type SubscriptionEvent<N extends SubscriptionName> = z.output<Contract['subscriptions'][N]['event']>;

export { requestNames, subscriptionNames } from './contract-names';

// Compile-time proof that contract-names.ts lists exactly the contract's keys, both ways.
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const requestNamesMatch: SameKeys<(typeof requestNames)[number], RequestName> = true;
const subscriptionNamesMatch: SameKeys<(typeof subscriptionNames)[number], SubscriptionName> = true;
void requestNamesMatch;
void subscriptionNamesMatch;

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(contract.requests, name);
}

export function isSubscriptionName(name: unknown): name is SubscriptionName {
  return typeof name === 'string' && Object.hasOwn(contract.subscriptions, name);
}

/** What a request yields across the boundary: a value, or a structured error, never a throw. */
export const ResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorValueSchema }),
]);
export type Result<T> = { ok: true; value: T } | { ok: false; error: z.infer<typeof ErrorValueSchema> };

/** The API both shells offer the renderer: one typed function per request, one per subscription. */
export type SwitchyardApi = {
  [N in RequestName]: (input: RequestInput<N>) => Promise<RequestOutput<N>>;
} & {
  subscribe<N extends SubscriptionName>(
    name: N,
    input: SubscriptionInput<N>,
    onEvent: (event: SubscriptionEvent<N>) => void,
  ): () => void;
};

/** What one subscription's port carries in the Electron shell: events, or one refusal. */
export type SubscriptionMessage<N extends SubscriptionName> = { event: SubscriptionEvent<N> } | { error: ErrorValue };

/**
 * What the Electron preload exposes as window.switchyard: the same functions as SwitchyardApi, but
 * answering Results, since errors thrown across contextBridge lose their code, field and hint.
 */
export type SwitchyardBridge = {
  [N in RequestName]: (input: RequestInput<N>) => Promise<Result<RequestOutput<N>>>;
} & {
  subscribe<N extends SubscriptionName>(
    name: N,
    input: SubscriptionInput<N>,
    onMessage: (message: SubscriptionMessage<N>) => void,
  ): () => void;
};
