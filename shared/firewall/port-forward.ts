// Port forwards into NAT networks: "host port (tcp/udp, optionally on one host address) → guest
// IP:port". The checks run in the renderer at the field and in the core before anything is
// applied, with the same functions and messages.
import { formatCidr, parseIpv4, subnetOf } from '../address';
import { z } from 'zod';
import type { ErrorValue, Network } from '../model';
import { ipv4ConfigFor } from '../leases/host-entries';
import type { Listener } from './listeners';

export const PortProtocolSchema = z.enum(['tcp', 'udp']);
export type PortProtocol = z.infer<typeof PortProtocolSchema>;

export const PortNumberSchema = z.number().int('A port is a whole number.').min(1, 'Ports go from 1 to 65535.').max(65535, 'Ports go from 1 to 65535.');

const Ipv4TextSchema = z
  .string()
  .max(15, 'An IPv4 address is at most 15 characters.')
  .refine((text) => parseIpv4(text) !== undefined, 'Write an IPv4 address such as 192.168.122.10.');

/** What the user asks for. */
export const PortForwardFieldsSchema = z
  .object({
    protocol: PortProtocolSchema,
    hostPort: PortNumberSchema,
    /** Only connections to this host address are forwarded; absent means any of the host's addresses. */
    hostAddress: Ipv4TextSchema.optional(),
    guestIp: Ipv4TextSchema,
    guestPort: PortNumberSchema,
    /** Free text shown beside the rule ("web server"); never reaches the firewall. */
    description: z.string().max(200, 'A description is at most 200 characters.').optional(),
  })
  .strict();
export type PortForwardFields = z.infer<typeof PortForwardFieldsSchema>;

/** A stored forward: the fields plus a stable id the UI removes it by. */
export const PortForwardSchema = PortForwardFieldsSchema.extend({
  id: z.string().regex(/^pf-[0-9a-z]{1,24}$/, 'A port forward id looks like "pf-1a2b".'),
}).strict();
export type PortForward = z.infer<typeof PortForwardSchema>;

/** A network's forwards, as the core answers them. */
export const NetworkPortForwardsSchema = z.object({
  network: z.string(),
  forwards: z.array(PortForwardSchema),
  /** Why the forwards cannot be in effect right now (the network is stopped, no privileges…), if so. */
  inactiveReason: z.string().optional(),
  /** Not applied since Switchyard started, because applying asks for a password: the user applies them. */
  awaitingAuthorization: z.boolean().optional(),
});
export type NetworkPortForwards = z.infer<typeof NetworkPortForwardsSchema>;

export interface StoredForward extends PortForward {
  network: string;
}

function problem(field: string, message: string, hint: string): ErrorValue {
  return { code: 'invalid-input', field, message, hint };
}

/** Why port forwards cannot go into `network` at all, or undefined when they can. */
export function networkForwardingProblem(network: Network): string | undefined {
  if (network.forward.mode !== 'nat') {
    return `Port forwards are for NAT networks; "${network.name}" is ${network.forward.mode === 'isolated' ? 'isolated' : `in ${network.forward.mode} mode`}.`;
  }
  if (!network.bridge) return `"${network.name}" has no bridge for forwarded traffic to leave through.`;
  if (!network.ips.some((ip) => ip.family === 'ipv4')) return `"${network.name}" has no IPv4 subnet to forward into.`;
  return undefined;
}

/** The IPv4 subnet ("192.168.122.0/24") of `network` that holds `ip`. */
export function subnetHolding(network: Network, ip: string): string | undefined {
  const found = ipv4ConfigFor(network, ip);
  const subnet = found && subnetOf(found.config.address, found.config.prefix);
  return subnet ? formatCidr(subnet) : undefined;
}

function hostAddressesOverlap(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** A listener on one of the host's addresses that a forward of `hostAddress` would shadow. */
function listenerShadowed(listener: Listener, hostAddress: string | undefined): boolean {
  // Loopback listeners stay reachable: forwards never apply to 127.0.0.0/8.
  if (listener.address.startsWith('127.') || listener.address === '::1') return false;
  if (hostAddress === undefined) return true;
  return listener.wildcard || listener.address === hostAddress;
}

export interface ForwardContext {
  network: Network;
  /** Every stored forward on every network, to catch the same host port twice. */
  existing: readonly StoredForward[];
  /** Sockets listening on the host; absent when they could not be read. */
  listeners?: readonly Listener[];
}

/** Every problem with a forward, at most one per field, or an empty list when it can be applied. */
export function portForwardProblems(fields: PortForwardFields, context: ForwardContext): ErrorValue[] {
  const { network, existing, listeners } = context;
  const problems: ErrorValue[] = [];
  const networkProblem = networkForwardingProblem(network);
  if (networkProblem) return [problem('network', networkProblem, 'Pick a NAT network.')];

  const guest = parseIpv4(fields.guestIp);
  const found = ipv4ConfigFor(network, fields.guestIp);
  if (guest === undefined) {
    problems.push(problem('guestIp', `"${fields.guestIp}" is not an IPv4 address.`, 'Write an address such as 192.168.122.10.'));
  } else if (!found) {
    const subnets = network.ips.filter((ip) => ip.family === 'ipv4').map((ip) => subnetHolding(network, ip.address));
    problems.push(
      problem('guestIp', `${fields.guestIp} is not inside ${network.name}'s subnet ${subnets.join(', ')}.`, 'Pick a guest on this network.'),
    );
  } else {
    const { address, prefix } = found.config;
    const hostBits = prefix >= 31 ? 0 : 2 ** (32 - prefix) - 1;
    const offset = (guest & hostBits) >>> 0;
    if (fields.guestIp === address) {
      problems.push(problem('guestIp', `${fields.guestIp} is the host's own address on ${network.name}.`, 'Forward to a guest, not to the host.'));
    } else if (hostBits > 0 && (offset === 0 || offset === hostBits)) {
      problems.push(problem('guestIp', `${fields.guestIp} is the subnet's network or broadcast address.`, 'Pick a guest address.'));
    }
  }

  const hostAddress = fields.hostAddress === undefined ? undefined : parseIpv4(fields.hostAddress);
  if (hostAddress !== undefined && hostAddress >>> 24 === 127) {
    problems.push(
      problem('hostAddress', `${fields.hostAddress} is a loopback address: connections to loopback stay on the host and are never forwarded.`, 'Leave the host address empty, or give one of the host’s other addresses.'),
    );
  }

  const clash = existing.find(
    (other) =>
      other.protocol === fields.protocol &&
      other.hostPort === fields.hostPort &&
      hostAddressesOverlap(other.hostAddress, fields.hostAddress),
  );
  if (clash) {
    problems.push(
      problem(
        'hostPort',
        `Host port ${fields.hostPort}/${fields.protocol} already goes to ${clash.guestIp}:${clash.guestPort} on ${clash.network}.`,
        'Pick another host port, or remove the other forward first.',
      ),
    );
  } else {
    const busy = listeners?.find(
      (listener) => listener.protocol === fields.protocol && listener.port === fields.hostPort && listenerShadowed(listener, fields.hostAddress),
    );
    if (busy) {
      problems.push(
        problem(
          'hostPort',
          `A service on the host already listens on ${busy.wildcard ? 'every address' : busy.address}, port ${busy.port}/${busy.protocol}${busy.process ? ` (${busy.process})` : ''}; the forward would hide it.`,
          'Pick another host port, or limit the forward to a host address that service does not use.',
        ),
      );
    }
  }
  return problems;
}

/** A short, stable text of a forward, for tables, badges and logs. */
export function forwardText(forward: PortForwardFields): string {
  return `${forward.hostAddress ?? '*'}:${forward.hostPort}/${forward.protocol} → ${forward.guestIp}:${forward.guestPort}`;
}
