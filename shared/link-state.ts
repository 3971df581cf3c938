// The state of host links as a transaction snapshots it: link flags, master, addresses and
// main-table routes, read from `ip -json`. From two states this module computes the steps that
// turn one back into the other, which is how a host-bridge transaction rolls back from wherever
// it stopped, and names the differences that remain, which is how a rollback is verified.
import { z } from 'zod';
import {
  AddressSpecSchema,
  RouteSpecSchema,
  type AddressSpec,
  type LinkStep,
  type RouteSpec,
} from './helper-protocol';
import { parseJsonOutput } from './topology/host-parsers';

export const LinkStateSchema = z.object({
  name: z.string(),
  /** Kernel link kind (bridge, veth, tun, …) or "device" for a plain NIC. */
  kind: z.string(),
  mac: z.string().optional(),
  master: z.string().optional(),
  /** Administratively up (the UP flag), whatever the carrier says. */
  up: z.boolean(),
  operState: z.string(),
  /** For bridges: whether STP runs. */
  stp: z.boolean().optional(),
  addresses: z.array(AddressSpecSchema),
  routes: z.array(RouteSpecSchema),
});
export type LinkState = z.infer<typeof LinkStateSchema>;

/** `ip` prints this for lifetimes that never end. */
const FOREVER = 4294967295;

/** `ip -json -details address show`: only the fields read here and by the links host module. */
export const IpAddressOutputSchema = z.array(
  z.object({
    ifname: z.string(),
    flags: z.array(z.string()).optional(),
    link_type: z.string().optional(),
    address: z.string().optional(),
    master: z.string().optional(),
    operstate: z.string().optional(),
    mtu: z.number().optional(),
    linkinfo: z
      .object({ info_kind: z.string().optional(), info_data: z.object({ stp_state: z.number().optional() }).optional() })
      .optional(),
    addr_info: z
      .array(
        z.object({
          family: z.string(),
          local: z.string().optional(),
          prefixlen: z.number().optional(),
          broadcast: z.string().optional(),
          scope: z.string().optional(),
          label: z.string().optional(),
          valid_life_time: z.number().optional(),
          preferred_life_time: z.number().optional(),
          noprefixroute: z.boolean().optional(),
        }),
      )
      .optional(),
  }),
);

const IpRouteOutputSchema = z.array(
  z.object({
    type: z.string().optional(),
    dst: z.string(),
    gateway: z.string().optional(),
    dev: z.string().optional(),
    protocol: z.string().optional(),
    scope: z.string().optional(),
    metric: z.number().optional(),
    prefsrc: z.string().optional(),
    flags: z.array(z.string()).optional(),
  }),
);

export interface IpJsonOutputs {
  /** `ip -json -details address show` */
  addresses: string;
  /** `ip -json -4 route show table main` */
  routes4: string;
  /** `ip -json -6 route show table main` */
  routes6: string;
}

/** The argument arrays that produce IpJsonOutputs, so readers and tests run the same commands. */
export const IP_STATE_COMMANDS: Record<keyof IpJsonOutputs, readonly string[]> = {
  addresses: ['-json', '-details', 'address', 'show'],
  routes4: ['-json', '-4', 'route', 'show', 'table', 'main'],
  routes6: ['-json', '-6', 'route', 'show', 'table', 'main'],
};

export function parseLinkStates(outputs: IpJsonOutputs): LinkState[] {
  const links = parseJsonOutput(outputs.addresses, IpAddressOutputSchema, 'ip -json -details address show');
  const routes = [
    ...parseRoutes(outputs.routes4, 'ipv4'),
    ...parseRoutes(outputs.routes6, 'ipv6'),
  ];
  return links.map((link) => {
    const kind = link.linkinfo?.info_kind ?? (link.link_type === 'loopback' ? 'loopback' : 'device');
    const stpState = link.linkinfo?.info_data?.stp_state;
    return {
      name: link.ifname,
      kind,
      ...(link.address ? { mac: link.address } : {}),
      ...(link.master ? { master: link.master } : {}),
      up: (link.flags ?? []).includes('UP'),
      operState: (link.operstate ?? 'UNKNOWN').toLowerCase(),
      ...(kind === 'bridge' && stpState !== undefined ? { stp: stpState !== 0 } : {}),
      addresses: (link.addr_info ?? []).flatMap((entry): AddressSpec[] => {
        const family = entry.family === 'inet' ? 'ipv4' : entry.family === 'inet6' ? 'ipv6' : undefined;
        if (!family || entry.local === undefined || entry.prefixlen === undefined) return [];
        return [
          {
            family,
            cidr: `${entry.local}/${entry.prefixlen}`,
            ...(entry.broadcast ? { broadcast: entry.broadcast } : {}),
            ...(entry.scope && entry.scope !== 'global' ? { scope: entry.scope as AddressSpec['scope'] } : {}),
            ...(entry.label && entry.label !== link.ifname ? { label: entry.label } : {}),
            ...lifetime('validLifetime', entry.valid_life_time),
            ...lifetime('preferredLifetime', entry.preferred_life_time),
            ...(entry.noprefixroute ? { noPrefixRoute: true } : {}),
          },
        ];
      }),
      routes: routes.filter((route) => route.dev === link.ifname).map((route) => route.spec),
    };
  });
}

function lifetime(key: 'validLifetime' | 'preferredLifetime', seconds: number | undefined) {
  return seconds !== undefined && seconds !== FOREVER ? { [key]: seconds } : {};
}

const KNOWN_PROTOCOLS = new Set(RouteSpecSchema.shape.protocol.unwrap().options);
const KNOWN_SCOPES = new Set(RouteSpecSchema.shape.scope.unwrap().options);

function parseRoutes(text: string, family: 'ipv4' | 'ipv6'): { dev: string; spec: RouteSpec }[] {
  const command = `ip -json -${family === 'ipv4' ? 4 : 6} route show table main`;
  // Multipath, blackhole and other non-unicast routes belong to no single device: no bridge step moves them.
  return parseJsonOutput(text, IpRouteOutputSchema, command).flatMap((route) => {
    if (!route.dev || (route.type !== undefined && route.type !== 'unicast')) return [];
    const protocol = route.protocol ?? 'boot';
    return [
      {
        dev: route.dev,
        spec: {
          family,
          destination: route.dst,
          ...(route.gateway ? { gateway: route.gateway } : {}),
          ...(route.metric !== undefined ? { metric: route.metric } : {}),
          // ip prints numbers for protocols it has no name for; those routes are kept as "static".
          protocol: (KNOWN_PROTOCOLS.has(protocol as never) ? protocol : 'static') as RouteSpec['protocol'],
          ...(route.scope && route.scope !== 'global' && KNOWN_SCOPES.has(route.scope as never)
            ? { scope: route.scope as RouteSpec['scope'] }
            : {}),
          ...(route.prefsrc ? { source: route.prefsrc } : {}),
          ...(route.flags?.includes('onlink') ? { onlink: true } : {}),
        },
      },
    ];
  });
}

/** Addresses the kernel makes by itself (IPv6 link-local): nobody moves or restores them. */
export function isKernelAddress(address: AddressSpec): boolean {
  return address.family === 'ipv6' && address.scope === 'link';
}

/** Routes the kernel derives from addresses: they come back when the address does. */
export function isKernelRoute(route: RouteSpec): boolean {
  return route.protocol === 'kernel';
}

export function isDefaultRoute(route: RouteSpec): boolean {
  return route.destination === 'default';
}

/** Routes in the order they can be added: on-link routes before gateways, the default route last. */
export function routesInAddOrder(routes: readonly RouteSpec[]): RouteSpec[] {
  const rank = (route: RouteSpec) => (isDefaultRoute(route) ? 2 : route.gateway ? 1 : 0);
  return [...routes].sort((a, b) => rank(a) - rank(b));
}

// Lifetimes tick down between two reads, so they are not part of an address's identity.
const addressKey = (address: AddressSpec) =>
  JSON.stringify([address.cidr, address.broadcast, address.scope, address.label, address.noPrefixRoute]);
const routeKey = (route: RouteSpec) =>
  JSON.stringify([route.family, route.destination, route.gateway, route.metric, route.protocol, route.scope, route.source, route.onlink]);

function missing<T>(wanted: readonly T[], present: readonly T[], key: (item: T) => string): T[] {
  const have = new Set(present.map(key));
  return wanted.filter((item) => !have.has(key(item)));
}

function emptyState(name: string): LinkState {
  return { name, kind: 'bridge', up: false, operState: 'down', addresses: [], routes: [] };
}

/**
 * The steps that turn `current` back into `before`, for the links a transaction watched. Bridges
 * that appeared are deleted, bridges that vanished are recreated; then routes, masters, addresses
 * and link states are put back phase by phase, in the order the kernel accepts them. Applying
 * the steps and computing again yields nothing once the state matches.
 */
export function restoreSteps(before: readonly LinkState[], current: readonly LinkState[]): LinkStep[] {
  const currentByName = new Map(current.map((link) => [link.name, link]));
  const beforeNames = new Set(before.map((link) => link.name));
  const created = current.filter((link) => !beforeNames.has(link.name) && link.kind === 'bridge');
  const recreated = before.filter((link) => !currentByName.has(link.name) && link.kind === 'bridge');
  const pairs = before
    .filter((link) => currentByName.has(link.name) || link.kind === 'bridge')
    .map((link) => ({ before: link, now: currentByName.get(link.name) ?? emptyState(link.name) }));

  const steps: LinkStep[] = [
    ...created.map((link): LinkStep => ({ op: 'link.delete-bridge', name: link.name })),
    ...recreated.map((link): LinkStep => ({
      op: 'link.add-bridge',
      name: link.name,
      ...(link.mac ? { mac: link.mac } : {}),
      stp: link.stp ?? false,
    })),
  ];
  for (const { before: link, now } of pairs) {
    const extra = missing(now.routes, link.routes, routeKey).filter((route) => !isKernelRoute(route));
    steps.push(...extra.map((route): LinkStep => ({ op: 'route.delete', dev: link.name, route })));
  }
  for (const { before: link, now } of pairs) {
    if (link.master === now.master) continue;
    steps.push(
      link.master
        ? { op: 'link.set-master', name: link.name, master: link.master }
        : { op: 'link.set-nomaster', name: link.name },
    );
  }
  for (const { before: link, now } of pairs) {
    const extra = missing(now.addresses, link.addresses, addressKey).filter((a) => !isKernelAddress(a));
    const absent = missing(link.addresses, now.addresses, addressKey).filter((a) => !isKernelAddress(a));
    steps.push(...extra.map((address): LinkStep => ({ op: 'address.delete', dev: link.name, address })));
    steps.push(...absent.map((address): LinkStep => ({ op: 'address.add', dev: link.name, address })));
  }
  for (const { before: link, now } of pairs) {
    if (link.up !== now.up) steps.push({ op: 'link.set-state', name: link.name, up: link.up });
  }
  for (const { before: link, now } of pairs) {
    const absent = missing(link.routes, now.routes, routeKey).filter((route) => !isKernelRoute(route));
    steps.push(...routesInAddOrder(absent).map((route): LinkStep => ({ op: 'route.add', dev: link.name, route })));
  }
  return steps;
}

/** What still differs between two states of the same links, in words; empty when they match. */
export function describeDifferences(before: readonly LinkState[], after: readonly LinkState[]): string[] {
  const afterByName = new Map(after.map((link) => [link.name, link]));
  const differences: string[] = [];
  for (const link of after) {
    if (!before.some((b) => b.name === link.name)) differences.push(`${link.name} exists but did not before.`);
  }
  for (const link of before) {
    const now = afterByName.get(link.name);
    if (!now) {
      differences.push(`${link.name} is gone.`);
      continue;
    }
    if (link.master !== now.master) {
      differences.push(`${link.name}: master is ${now.master ?? 'none'}, was ${link.master ?? 'none'}.`);
    }
    if (link.up !== now.up) differences.push(`${link.name} is ${now.up ? 'up' : 'down'}, was ${link.up ? 'up' : 'down'}.`);
    for (const address of missing(link.addresses, now.addresses, addressKey)) {
      differences.push(`${link.name} lost address ${address.cidr}.`);
    }
    for (const address of missing(now.addresses, link.addresses, addressKey)) {
      differences.push(`${link.name} has an extra address ${address.cidr}.`);
    }
    for (const route of missing(link.routes, now.routes, routeKey)) {
      differences.push(`${link.name} lost route ${describeRoute(route)}.`);
    }
    for (const route of missing(now.routes, link.routes, routeKey)) {
      differences.push(`${link.name} has an extra route ${describeRoute(route)}.`);
    }
  }
  return differences;
}

export function describeRoute(route: RouteSpec): string {
  return `${route.destination}${route.gateway ? ` via ${route.gateway}` : ''}`;
}
