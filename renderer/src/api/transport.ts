import {
  requestNames,
  type RequestName,
  type SwitchyardApi,
  type SwitchyardBridge,
} from '../../../shared/contract';
import { SwitchyardError } from '../../../shared/errors';

/**
 * The state of the link to the Switchyard service itself, as opposed to the service's link to
 * libvirt (which the snapshot reports). Only the serve shell's WebSocket can lose it.
 */
export type TransportState = 'connecting' | 'connected' | 'reconnecting';

export interface Transport {
  api: SwitchyardApi;
  state(): TransportState;
  /** Calls listener on every change; returns the function that stops it. */
  onStateChange(listener: (state: TransportState) => void): () => void;
}

/**
 * The Electron preload answers Results (errors thrown across contextBridge lose their fields);
 * this turns failed ones back into SwitchyardErrors. IPC inside one process tree is always up.
 */
export function preloadTransport(bridge: SwitchyardBridge): Transport {
  const requests = Object.fromEntries(
    requestNames.map((name: RequestName) => [
      name,
      async (input: never) => {
        const result = await (bridge[name] as (input: unknown) => Promise<{ ok: boolean; value?: unknown; error?: never }>)(input);
        if (!result.ok) throw new SwitchyardError(result.error!);
        return result.value;
      },
    ]),
  );
  const api = {
    ...requests,
    subscribe: (name, input, onEvent) =>
      bridge.subscribe(name, input, (message) => {
        if ('event' in message) onEvent(message.event);
      }),
  } as SwitchyardApi;
  return { api, state: () => 'connected', onStateChange: () => () => undefined };
}
