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
import { errorFromZod, toErrorValue } from '../../shared/errors';
import type { SwitchyardCore } from './core';

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
    },
    subscriptions: {
      snapshot: (_input, emit) => core.onSnapshot(emit),
    },
  };
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
