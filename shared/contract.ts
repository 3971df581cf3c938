// The one IPC contract: every request and every push subscription, with the runtime schemas
// the privileged side enforces. Both shells (Electron IPC and the serve WebSocket), the preload
// API and the renderer's client are all derived from this object.
import { z } from 'zod';
import { requestNames, subscriptionNames } from './contract-names';
import { ErrorValueSchema, NetworkDetailsSchema, SnapshotSchema, ConnectionSchema, type ErrorValue } from './model';

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
