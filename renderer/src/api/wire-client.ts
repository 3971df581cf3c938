// The serve shell's WebSocket client (protocol in shared/wire.ts), offering the same SwitchyardApi
// as the Electron preload. It survives the service restarting: it reconnects with backoff and
// re-sends its subscriptions, so the UI only ever sees a gap in snapshots.
import type {
  RequestInput,
  RequestName,
  RequestOutput,
  SubscriptionEvent,
  SubscriptionInput,
  SubscriptionName,
  SwitchyardApi,
} from '../../../shared/contract';
import { SwitchyardError } from '../../../shared/errors';
import type { ErrorValue } from '../../../shared/model';
import { WIRE_PATH, type ClientMessage } from '../../../shared/wire';
import type { Transport, TransportState } from './transport';

const TOKEN_STORAGE_KEY = 'switchyard.token';
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

const LOST_CONTACT: ErrorValue = {
  code: 'service-unreachable',
  message: 'Lost contact with the Switchyard service before it answered.',
  hint: 'Switchyard reconnects by itself; try again once it is back.',
};

/**
 * The WebSocket URL for this page. The token arrives once as ?token= in the page URL; it is kept
 * in sessionStorage so that a reload still works, and taken out of the address bar so that it
 * does not end up in history or in a screenshot.
 */
export function serviceUrl(location: Location, storage: Storage, history: History): string {
  const pageParams = new URLSearchParams(location.search);
  const fromPage = pageParams.get('token');
  if (fromPage) {
    storage.setItem(TOKEN_STORAGE_KEY, fromPage);
    pageParams.delete('token');
    const query = pageParams.toString();
    history.replaceState(history.state, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
  }
  const token = fromPage ?? storage.getItem(TOKEN_STORAGE_KEY);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}://${location.host}${WIRE_PATH}${query}`;
}

interface PendingRequest {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface ActiveSubscription {
  name: SubscriptionName;
  input: unknown;
  onEvent(event: unknown): void;
}

class WireClient {
  private socket: WebSocket | undefined;
  private current: TransportState = 'connecting';
  private nextId = 1;
  private failedAttempts = 0;
  private readonly pending = new Map<number, PendingRequest>();
  /** Requests made before the first connection opened; sent as soon as it does. */
  private readonly queued: ClientMessage[] = [];
  private readonly subscriptions = new Map<number, ActiveSubscription>();
  private readonly listeners = new Set<(state: TransportState) => void>();

  constructor(private readonly url: string) {
    this.open();
  }

  state(): TransportState {
    return this.current;
  }

  onStateChange(listener: (state: TransportState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  request<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
    if (this.current === 'reconnecting') return Promise.reject(new SwitchyardError(LOST_CONTACT));
    const id = this.nextId++;
    return new Promise<RequestOutput<N>>((resolve, reject) => {
      this.pending.set(id, { resolve: (value) => resolve(value as RequestOutput<N>), reject });
      const message: ClientMessage = { t: 'req', id, name, input };
      if (this.current === 'connected') this.send(message);
      else this.queued.push(message);
    });
  }

  subscribe<N extends SubscriptionName>(
    name: N,
    input: SubscriptionInput<N>,
    onEvent: (event: SubscriptionEvent<N>) => void,
  ): () => void {
    const id = this.nextId++;
    this.subscriptions.set(id, { name, input, onEvent: (event) => onEvent(event as SubscriptionEvent<N>) });
    if (this.current === 'connected') this.send({ t: 'sub', id, name, input });
    return () => {
      if (this.subscriptions.delete(id) && this.current === 'connected') this.send({ t: 'unsub', id });
    };
  }

  private open(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.failedAttempts = 0;
      this.setState('connected');
      for (const [id, sub] of this.subscriptions) this.send({ t: 'sub', id, name: sub.name, input: sub.input });
      for (const message of this.queued.splice(0)) this.send(message);
    };
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') this.receive(event.data);
    };
    // An error is always followed by close, which is where recovery happens.
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.queued.length = 0;
      for (const request of this.pending.values()) request.reject(new SwitchyardError(LOST_CONTACT));
      this.pending.clear();
      this.setState('reconnecting');
      const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.failedAttempts);
      this.failedAttempts += 1;
      setTimeout(() => this.open(), delay);
    };
  }

  private receive(data: string): void {
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      console.error('Switchyard service sent a message that is not JSON:', data.slice(0, 200));
      return;
    }
    if (!isServerMessage(message)) return;
    if (message.t === 'ev') {
      this.subscriptions.get(message.id)?.onEvent(message.event);
      return;
    }
    const request = this.pending.get(message.id);
    if (request) {
      this.pending.delete(message.id);
      if (message.result.ok) request.resolve(message.result.value);
      else request.reject(new SwitchyardError(message.result.error));
      return;
    }
    // A failed "res" to a subscription id means the server refused the subscription.
    const refused = this.subscriptions.get(message.id);
    if (refused && !message.result.ok) {
      this.subscriptions.delete(message.id);
      console.error(`Switchyard refused the "${refused.name}" subscription:`, message.result.error);
    }
  }

  private send(message: ClientMessage): void {
    this.socket?.send(JSON.stringify(message));
  }

  private setState(state: TransportState): void {
    if (state === this.current) return;
    this.current = state;
    for (const listener of this.listeners) listener(state);
  }
}

type ServerMessage =
  | { t: 'res'; id: number; result: { ok: true; value: unknown } | { ok: false; error: ErrorValue } }
  | { t: 'ev'; id: number; event: unknown };

// A structural check rather than the zod schema: zod compiles validators with new Function(),
// which the page's CSP (no 'unsafe-eval') forbids. The service is trusted; this guards against garbage.
function isServerMessage(value: unknown): value is ServerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (typeof message.id !== 'number') return false;
  if (message.t === 'ev') return true;
  if (message.t !== 'res' || typeof message.result !== 'object' || message.result === null) return false;
  const result = message.result as Record<string, unknown>;
  return result.ok === true || (result.ok === false && typeof result.error === 'object' && result.error !== null);
}

export function createWireTransport(url: string): Transport {
  const client = new WireClient(url);
  const api: SwitchyardApi = {
    getSnapshot: (input) => client.request('getSnapshot', input),
    getNetworkDetails: (input) => client.request('getNetworkDetails', input),
    setConnectionUri: (input) => client.request('setConnectionUri', input),
    attachNic: (input) => client.request('attachNic', input),
    moveNic: (input) => client.request('moveNic', input),
    detachNic: (input) => client.request('detachNic', input),
    reserveAddress: (input) => client.request('reserveAddress', input),
    updateReservation: (input) => client.request('updateReservation', input),
    removeReservation: (input) => client.request('removeReservation', input),
    addDnsHost: (input) => client.request('addDnsHost', input),
    updateDnsHost: (input) => client.request('updateDnsHost', input),
    removeDnsHost: (input) => client.request('removeDnsHost', input),
    getHostBridgeOverview: (input) => client.request('getHostBridgeOverview', input),
    planHostBridge: (input) => client.request('planHostBridge', input),
    applyHostBridge: (input) => client.request('applyHostBridge', input),
    checkHostBridgeGateway: (input) => client.request('checkHostBridgeGateway', input),
    getHostBridgeTransaction: (input) => client.request('getHostBridgeTransaction', input),
    confirmHostBridge: (input) => client.request('confirmHostBridge', input),
    rollbackHostBridge: (input) => client.request('rollbackHostBridge', input),
    persistHostBridge: (input) => client.request('persistHostBridge', input),
    getHostRoutes: (input) => client.request('getHostRoutes', input),
    createNetwork: (input) => client.request('createNetwork', input),
    updateNetwork: (input) => client.request('updateNetwork', input),
    getNetworkDefinition: (input) => client.request('getNetworkDefinition', input),
    startNetwork: (input) => client.request('startNetwork', input),
    stopNetwork: (input) => client.request('stopNetwork', input),
    setNetworkAutostart: (input) => client.request('setNetworkAutostart', input),
    deleteNetwork: (input) => client.request('deleteNetwork', input),
    listPortForwards: (input) => client.request('listPortForwards', input),
    addPortForward: (input) => client.request('addPortForward', input),
    removePortForward: (input) => client.request('removePortForward', input),
    applyPortForwards: (input) => client.request('applyPortForwards', input),
    getFirewallView: (input) => client.request('getFirewallView', input),
    subscribe: (name, input, onEvent) => client.subscribe(name, input, onEvent),
  };
  return {
    api,
    state: () => client.state(),
    onStateChange: (listener) => client.onStateChange(listener),
  };
}
