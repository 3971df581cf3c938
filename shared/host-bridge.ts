// The host-bridge wizard's rules: which links can become a bridge's port, and the exact ordered
// steps that put a NIC behind a new bridge (or take it back out), computed from the links' state
// as `ip -json` reported it. Pure, so the review the user approves is computed the same way the
// core computes what it applies.
import { z } from 'zod';
import { invalidInput } from './errors';
import {
  InterfaceNameSchema,
  NetworkManagerKindSchema,
  TransactionStatusSchema,
  type AddressSpec,
  type BridgePersistenceSpec,
  type LinkStep,
  type RouteSpec,
} from './helper-protocol';
import { isDefaultRoute, isKernelAddress, isKernelRoute, routesInAddOrder, type LinkState } from './link-state';

/** Kinds that can be a bridge port: plain NICs, and the virtual links that stand in for one. */
const PORT_KINDS = new Set(['device', 'veth', 'bond', 'team', 'vlan']);

export const BridgeCandidateSchema = z.object({
  name: z.string(),
  kind: z.string(),
  mac: z.string().optional(),
  up: z.boolean(),
  addresses: z.array(z.string()),
  /** The NIC the machine's default route leaves through: getting it wrong cuts the machine off. */
  carriesDefaultRoute: z.boolean(),
  /** Why it cannot be a bridge port; absent when it can. */
  unavailableReason: z.string().optional(),
});
export type BridgeCandidate = z.infer<typeof BridgeCandidateSchema>;

export const RemovableBridgeSchema = z.object({
  name: z.string(),
  port: z.string().optional(),
  addresses: z.array(z.string()),
  unavailableReason: z.string().optional(),
});
export type RemovableBridge = z.infer<typeof RemovableBridgeSchema>;

export const AddressingModeSchema = z.enum(['keep', 'dhcp']);

export const BridgeChoicesSchema = z
  .object({
    nic: InterfaceNameSchema,
    bridge: InterfaceNameSchema,
    stp: z.boolean(),
    /** keep: the NIC's addresses and routes move to the bridge; dhcp: the bridge asks DHCP at boot. */
    addressing: AddressingModeSchema,
  })
  .strict();
export type BridgeChoices = z.infer<typeof BridgeChoicesSchema>;

/** The ordered steps of a change and what confirming it will leave behind. */
export interface BridgePlan {
  steps: LinkStep[];
  /** The links the transaction snapshots and restores. */
  interfaces: string[];
  /** Where the connectivity check pings during the countdown. */
  gateway?: { address: string; dev: string };
  persistence: BridgePersistenceSpec;
  warnings: string[];
}

export const WIRELESS_REASON =
  'Wireless: an access point accepts frames only from the MAC address that associated with it, so VMs behind a bridge would get no traffic. Use a NAT or routed network for VMs on Wi-Fi.';

/** Each link with whether it can be bridged, and why not. */
export function classifyBridgeCandidates(states: readonly LinkState[], wireless: ReadonlySet<string>): BridgeCandidate[] {
  return states.map((link) => {
    const reason = portUnavailableReason(link, wireless);
    return {
      name: link.name,
      kind: link.kind,
      ...(link.mac ? { mac: link.mac } : {}),
      up: link.up,
      addresses: link.addresses.filter((a) => !isKernelAddress(a)).map((a) => a.cidr),
      carriesDefaultRoute: link.routes.some(isDefaultRoute),
      ...(reason ? { unavailableReason: reason } : {}),
    };
  });
}

function portUnavailableReason(link: LinkState, wireless: ReadonlySet<string>): string | undefined {
  if (link.kind === 'loopback') return 'Loopback: it never leaves this machine.';
  if (wireless.has(link.name)) return WIRELESS_REASON;
  if (link.kind === 'bridge') return 'Already a bridge.';
  if (link.kind === 'tun') return "A VM's tap device: libvirt attaches it to a bridge itself.";
  if (link.master) return `Already a port of ${link.master}.`;
  if (!PORT_KINDS.has(link.kind)) return `A ${link.kind} link, not a NIC.`;
  return undefined;
}

/** Bridges with the one NIC port a removal would give the addresses back to. */
export function classifyRemovableBridges(states: readonly LinkState[]): RemovableBridge[] {
  return states
    .filter((link) => link.kind === 'bridge')
    .map((bridge) => {
      const reason = removalProblem(states, bridge);
      const port = states.find((link) => link.master === bridge.name && link.kind !== 'tun');
      return {
        name: bridge.name,
        ...(port ? { port: port.name } : {}),
        addresses: bridge.addresses.filter((a) => !isKernelAddress(a)).map((a) => a.cidr),
        ...(reason ? { unavailableReason: reason } : {}),
      };
    });
}

function removalProblem(states: readonly LinkState[], bridge: LinkState): string | undefined {
  const ports = states.filter((link) => link.master === bridge.name);
  const taps = ports.filter((link) => link.kind === 'tun').map((link) => link.name);
  if (taps.length > 0) return `VMs are attached (${taps.join(', ')}): shut them down or move their NICs first.`;
  if (ports.length === 0) return 'It has no NIC port to give its addresses back to (libvirt networks manage their own bridges).';
  if (ports.length > 1) return `It has ${ports.length} ports (${ports.map((p) => p.name).join(', ')}); Switchyard removes bridges with one NIC.`;
  return undefined;
}

/** Moved addresses become permanent on their new link: the persisted configuration owns them from the next boot. */
function movedAddress(address: AddressSpec): AddressSpec {
  const { label: _label, validLifetime: _valid, preferredLifetime: _preferred, ...rest } = address;
  return rest;
}

function movableAddresses(link: LinkState): AddressSpec[] {
  return link.addresses.filter((address) => !isKernelAddress(address));
}

function movableRoutes(link: LinkState): RouteSpec[] {
  return link.routes.filter((route) => !isKernelRoute(route));
}

/** Steps that move addresses and routes from one link to another, around the steps that rewire them. */
function moveSteps(from: LinkState, to: string, rewire: LinkStep[], after: LinkStep[]): LinkStep[] {
  const routes = movableRoutes(from);
  const addresses = movableAddresses(from);
  return [
    // Gateway routes go first: they depend on the addresses removed next.
    ...[...routesInAddOrder(routes)].reverse().map((route): LinkStep => ({ op: 'route.delete', dev: from.name, route })),
    ...addresses.map((address): LinkStep => ({ op: 'address.delete', dev: from.name, address })),
    ...rewire,
    ...addresses.map((address): LinkStep => ({ op: 'address.add', dev: to, address: movedAddress(address) })),
    ...after,
    ...routesInAddOrder(routes).map((route): LinkStep => ({ op: 'route.add', dev: to, route })),
  ];
}

function gatewayOf(routes: readonly RouteSpec[], dev: string): BridgePlan['gateway'] {
  const defaults = routes.filter((route) => isDefaultRoute(route) && route.gateway);
  const preferred = defaults.find((route) => route.family === 'ipv4') ?? defaults[0];
  return preferred?.gateway ? { address: preferred.gateway, dev } : undefined;
}

/**
 * The seeds' commands, made safe and complete: create the bridge with the NIC's MAC, take the
 * NIC's routes and addresses off it, enslave it, put the addresses on the bridge, bring both up
 * and add the routes (the default route last) through the bridge.
 */
export function planBridgeCreation(states: readonly LinkState[], choices: BridgeChoices, wireless: ReadonlySet<string>): BridgePlan {
  const nic = states.find((link) => link.name === choices.nic);
  if (!nic) throw invalidInput('nic', `There is no interface named "${choices.nic}".`, 'Pick one of the listed interfaces.');
  const reason = portUnavailableReason(nic, wireless);
  if (reason) throw invalidInput('nic', `${nic.name} cannot be bridged. ${reason}`, 'Pick a wired NIC.');
  if (states.some((link) => link.name === choices.bridge)) {
    throw invalidInput('bridge', `An interface named "${choices.bridge}" already exists.`, 'Choose another bridge name, such as br1.');
  }
  const steps = moveSteps(
    nic,
    choices.bridge,
    [
      { op: 'link.add-bridge', name: choices.bridge, ...(nic.mac ? { mac: nic.mac } : {}), stp: choices.stp },
      { op: 'link.set-master', name: nic.name, master: choices.bridge },
    ],
    [
      { op: 'link.set-state', name: nic.name, up: true },
      { op: 'link.set-state', name: choices.bridge, up: true },
    ],
  );
  const routes = movableRoutes(nic);
  const addresses = movableAddresses(nic);
  const gateway = gatewayOf(routes, choices.bridge);
  const warnings: string[] = [];
  if (nic.routes.some(isDefaultRoute)) {
    warnings.push(
      `${nic.name} carries the default route: while this runs the machine may lose its LAN and Internet; if the gateway stops answering, everything is rolled back.`,
    );
  }
  if (!gateway) warnings.push(`${nic.name} has no default gateway, so there is nothing to ping: confirm only when you checked the network yourself.`);
  const dynamic = addresses.some((a) => a.validLifetime !== undefined);
  if (choices.addressing === 'keep' && dynamic) {
    warnings.push(`${nic.name}'s addresses came from DHCP or SLAAC; keeping them writes them as static addresses. Choose DHCP to keep asking the DHCP server.`);
  }
  if (choices.addressing === 'dhcp' && addresses.length > 0 && !dynamic) {
    warnings.push(`${nic.name} has static addresses; with DHCP the bridge gets whatever the DHCP server gives ${nic.mac ?? 'its MAC'} after the next boot.`);
  }
  if (choices.stp) warnings.push('With STP the port listens and learns for about 8 s before it forwards; the check waits for it.');
  return {
    steps,
    interfaces: [nic.name, choices.bridge],
    ...(gateway ? { gateway } : {}),
    persistence: {
      bridge: choices.bridge,
      port: nic.name,
      ...(nic.mac ? { mac: nic.mac } : {}),
      stp: choices.stp,
      addressing:
        choices.addressing === 'dhcp'
          ? { mode: 'dhcp' }
          : { mode: 'static', addresses: addresses.map((a) => a.cidr), routes },
    },
    warnings,
  };
}

/** The reverse: the bridge's addresses and routes go back to its NIC, and the bridge is deleted. */
export function planBridgeRemoval(states: readonly LinkState[], bridgeName: string): BridgePlan {
  const bridge = states.find((link) => link.name === bridgeName && link.kind === 'bridge');
  if (!bridge) throw invalidInput('bridge', `There is no bridge named "${bridgeName}".`, 'Pick one of the listed bridges.');
  const problem = removalProblem(states, bridge);
  if (problem) throw invalidInput('bridge', `${bridge.name} cannot be removed here. ${problem}`, 'Pick another bridge.');
  const port = states.find((link) => link.master === bridge.name)!;
  const steps = moveSteps(
    bridge,
    port.name,
    [
      { op: 'link.set-nomaster', name: port.name },
      { op: 'link.delete-bridge', name: bridge.name },
    ],
    [{ op: 'link.set-state', name: port.name, up: true }],
  );
  const gateway = gatewayOf(movableRoutes(bridge), port.name);
  return {
    steps,
    interfaces: [port.name, bridge.name],
    ...(gateway ? { gateway } : {}),
    persistence: {
      bridge: bridge.name,
      port: port.name,
      ...(port.mac ? { mac: port.mac } : {}),
      stp: bridge.stp ?? false,
      addressing: { mode: 'static', addresses: movableAddresses(bridge).map((a) => a.cidr), routes: movableRoutes(bridge) },
    },
    warnings: bridge.routes.some(isDefaultRoute)
      ? [`${bridge.name} carries the default route: if the gateway stops answering through ${port.name}, everything is rolled back.`]
      : [],
  };
}

// ---------------------------------------------------------------------------------------------
// What the wizard exchanges with the core (the contract's host-bridge requests).

export const HostBridgeChangeSchema = z.discriminatedUnion('action', [
  BridgeChoicesSchema.extend({ action: z.literal('create') }).strict(),
  z.object({ action: z.literal('remove'), bridge: InterfaceNameSchema }).strict(),
]);
export type HostBridgeChange = z.infer<typeof HostBridgeChangeSchema>;

const ManagerDetectionSchema = z.object({ manager: NetworkManagerKindSchema, warnings: z.array(z.string()) });

export const HostBridgeOverviewSchema = z.object({
  candidates: z.array(BridgeCandidateSchema),
  bridges: z.array(RemovableBridgeSchema),
  manager: ManagerDetectionSchema,
  /** How root-only operations run here, or why they cannot. */
  privileges: z.object({ mode: z.enum(['in-process', 'helper', 'unavailable']), message: z.string() }),
});
export type HostBridgeOverview = z.infer<typeof HostBridgeOverviewSchema>;

export const HostBridgePlanViewSchema = z.object({
  change: HostBridgeChangeSchema,
  /** The exact commands, in order, that apply the change. */
  commands: z.array(z.string()),
  interfaces: z.array(z.string()),
  gateway: z.object({ address: z.string(), dev: z.string() }).optional(),
  warnings: z.array(z.string()),
  persistence: z.object({
    manager: NetworkManagerKindSchema,
    /** What confirming writes (or, for a removal, deletes) for the manager, and for networkd when none runs. */
    files: z.array(z.object({ path: z.string(), content: z.string() })),
    commands: z.array(z.string()),
    warnings: z.array(z.string()),
  }),
});
export type HostBridgePlanView = z.infer<typeof HostBridgePlanViewSchema>;

export const ApplyHostBridgeInputSchema = z
  .object({
    change: HostBridgeChangeSchema,
    /** The commands the user reviewed: the core refuses to apply anything else. */
    reviewedCommands: z.array(z.string().max(512)).max(128),
    confirmWithinSeconds: z.number().int().min(10, 'Give yourself at least 10 s.').max(300, 'At most 300 s.'),
  })
  .strict();

export const HostBridgeTransactionSchema = TransactionStatusSchema.extend({
  change: HostBridgeChangeSchema,
  gateway: z.object({ address: z.string(), dev: z.string() }).optional(),
});
export type HostBridgeTransaction = z.infer<typeof HostBridgeTransactionSchema>;

export const TransactionInputSchema = z.object({ transaction: z.string().max(32) }).strict();

export const PersistHostBridgeInputSchema = z
  .object({ transaction: z.string().max(32), manager: NetworkManagerKindSchema.exclude(['none']) })
  .strict();
