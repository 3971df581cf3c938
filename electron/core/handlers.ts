// The one handler table both shells serve. Every message from a renderer is untrusted: the
// request name is checked against the contract, the input parsed by the contract's schema, and
// whatever happens inside comes back as a Result, never as a throw or a stack trace.
import type { z } from 'zod';
import {
  contract,
  isRequestName,
  isSubscriptionName,
  type Contract,
  type RequestName,
  type RequestOutput,
  type Result,
  type SubscriptionEvent,
  type SubscriptionName,
} from '../../shared/contract';
import { errorFromZod, noSuchNetwork, toErrorValue } from '../../shared/errors';
import type { Network, Snapshot } from '../../shared/model';
import type { SwitchyardCore } from './core';
import * as hostEntries from './host-entry-changes';
import * as lifecycle from './network-lifecycle';

type ParsedInput<N extends RequestName> = z.output<Contract['requests'][N]['input']>;
type ParsedSubscriptionInput<N extends SubscriptionName> = z.output<Contract['subscriptions'][N]['input']>;

export type RequestHandlers = {
  [N in RequestName]: (input: ParsedInput<N>) => Promise<RequestOutput<N>>;
};

export type SubscriptionHandlers = {
  [N in SubscriptionName]: (
    input: ParsedSubscriptionInput<N>,
    emit: (event: SubscriptionEvent<N>) => void,
  ) => () => void;
};

export interface HandlerTable {
  requests: RequestHandlers;
  subscriptions: SubscriptionHandlers;
}

export function createHandlerTable(core: SwitchyardCore): HandlerTable {
  return {
    requests: {
      getSnapshot: async () => core.getSnapshot(),
      getNetworkDetails: ({ name }) => core.getNetworkDetails(name),
      setConnectionUri: ({ uri }) => core.setConnectionUri(uri),
      attachNic: (input) => core.attachNic(input),
      moveNic: (input) => core.moveNic(input),
      detachNic: (input) => core.detachNic(input),
      reserveAddress: (input) => core.changeNetwork(input.network, (libvirt, network) => hostEntries.reserveAddress(libvirt, network, input)),
      updateReservation: (input) =>
        core.changeNetwork(input.network, (libvirt, network) => hostEntries.updateReservation(libvirt, network, input)),
      removeReservation: (input) =>
        core.changeNetwork(input.network, (libvirt, network) => hostEntries.removeReservation(libvirt, network, input)),
      addDnsHost: (input) => core.changeNetwork(input.network, (libvirt, network) => hostEntries.addDnsHost(libvirt, network, input)),
      updateDnsHost: (input) => core.changeNetwork(input.network, (libvirt, network) => hostEntries.updateDnsHost(libvirt, network, input)),
      removeDnsHost: (input) => core.changeNetwork(input.network, (libvirt, network) => hostEntries.removeDnsHost(libvirt, network, input)),
      getHostBridgeOverview: () => core.hostBridges().overview(),
      planHostBridge: (change) => core.hostBridges().plan(change),
      applyHostBridge: (input) => core.hostBridges().apply(input),
      checkHostBridgeGateway: (input) => core.hostBridges().checkGateway(input),
      getHostBridgeTransaction: (input) => core.hostBridges().status(input),
      confirmHostBridge: (input) => core.hostBridges().confirm(input),
      rollbackHostBridge: (input) => core.hostBridges().rollback(input),
      persistHostBridge: (input) => core.hostBridges().persist(input),
      getHostRoutes: async () => {
        const routes = await core.getHostRoutes();
        return routes ? { routes } : {};
      },
      createNetwork: async (input) => {
        const name = await core.changeNetworks((libvirt, host) => lifecycle.createNetwork(libvirt, host, input));
        return requireNetwork(core.getSnapshot(), name);
      },
      updateNetwork: async (input) => {
        const outcome = await core.changeNetworks((libvirt, host) =>
          lifecycle.updateNetwork(libvirt, host, requireNetwork(host.snapshot, input.name), input),
        );
        return { network: requireNetwork(core.getSnapshot(), input.name), ...outcome };
      },
      getNetworkDefinition: ({ name }) => core.getNetworkDefinition(name),
      startNetwork: async ({ name }) => {
        const detachedTaps = await core.changeNetworks((libvirt, host) => lifecycle.startNetwork(libvirt, host, requireNetwork(host.snapshot, name)));
        return { network: requireNetwork(core.getSnapshot(), name), detachedTaps };
      },
      stopNetwork: ({ name }) => core.changeNetwork(name, (libvirt, network) => lifecycle.stopNetwork(libvirt, network)),
      setNetworkAutostart: ({ name, autostart }) =>
        core.changeNetwork(name, (libvirt, network) => lifecycle.setAutostart(libvirt, network, autostart)),
      deleteNetwork: async ({ name }) => {
        await core.changeNetworks((libvirt, host) => lifecycle.deleteNetwork(libvirt, host, requireNetwork(host.snapshot, name)));
        return { name };
      },
      listPortForwards: ({ network }) => core.portForwards().list(network),
      addPortForward: ({ network, forward }) => core.portForwards().add(network, forward),
      removePortForward: ({ network, id }) => core.portForwards().remove(network, id),
      applyPortForwards: ({ network }) => core.portForwards().applyStored(network),
      getFirewallView: ({ network }) => core.portForwards().firewallView(network),
    },
    subscriptions: {
      snapshot: (_input, emit) => core.onSnapshot(emit),
    },
  };
}

function requireNetwork(snapshot: Snapshot, name: string): Network {
  const network = snapshot.networks.find((n) => n.name === name);
  if (!network) throw noSuchNetwork(name);
  return network;
}

/** Runs one request from an untrusted sender. */
export async function dispatchRequest(table: HandlerTable, name: unknown, input: unknown): Promise<Result<unknown>> {
  if (!isRequestName(name)) return unknownName(name, 'request');
  const parsed = contract.requests[name].input.safeParse(input ?? {});
  if (!parsed.success) return { ok: false, error: errorFromZod(parsed.error, 'The request') };
  try {
    const handler = table.requests[name] as (input: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    // The core's own output is checked too: a parser bug must not reach the renderer as garbage.
    const checked = contract.requests[name].output.safeParse(value);
    if (!checked.success) {
      return { ok: false, error: { ...errorFromZod(checked.error, 'The answer'), code: 'internal' } };
    }
    return { ok: true, value: checked.data };
  } catch (error) {
    return { ok: false, error: toErrorValue(error) };
  }
}

/** Opens one subscription from an untrusted sender; the value is the function that closes it. */
export function openSubscription(
  table: HandlerTable,
  name: unknown,
  input: unknown,
  emit: (event: unknown) => void,
): Result<() => void> {
  if (!isSubscriptionName(name)) return unknownName(name, 'subscription');
  const parsed = contract.subscriptions[name].input.safeParse(input ?? {});
  if (!parsed.success) return { ok: false, error: errorFromZod(parsed.error, 'The subscription') };
  try {
    const open = table.subscriptions[name] as (input: unknown, emit: (event: unknown) => void) => () => void;
    return { ok: true, value: open(parsed.data, emit) };
  } catch (error) {
    return { ok: false, error: toErrorValue(error) };
  }
}

function unknownName(name: unknown, kind: 'request' | 'subscription'): Result<never> {
  const known = Object.keys(kind === 'request' ? contract.requests : contract.subscriptions).join(', ');
  const shown = typeof name === 'string' ? `"${name.slice(0, 100)}"` : `a ${typeof name}`;
  return {
    ok: false,
    error: {
      code: 'unknown-request',
      field: 'name',
      message: `There is no ${kind} named ${shown}.`,
      hint: `Use one of: ${known}.`,
    },
  };
}
