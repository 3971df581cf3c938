// The renderer's single entry to the backend: the Electron preload when it exists, otherwise the
// serve shell's WebSocket. Everything else in the renderer goes through getApi().
import type { SwitchyardApi } from '../../../shared/contract';
import { type Transport, preloadTransport } from './transport';
import { createWireTransport, serviceUrl } from './wire-client';

export type { TransportState } from './transport';

let transport: Transport | undefined;

function getTransport(): Transport {
  transport ??= window.switchyard
    ? preloadTransport(window.switchyard)
    : createWireTransport(serviceUrl(window.location, window.sessionStorage, window.history));
  return transport;
}

export function getApi(): SwitchyardApi {
  return getTransport().api;
}

export function getTransportState(): ReturnType<Transport['state']> {
  return getTransport().state();
}

export function onTransportStateChange(listener: Parameters<Transport['onStateChange']>[0]): () => void {
  return getTransport().onStateChange(listener);
}
