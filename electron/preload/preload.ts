// Exposes exactly the contract's named functions to the renderer (never ipcRenderer itself).
// Each request resolves to a Result, because contextBridge strips custom fields from thrown errors;
// the renderer's client turns failed Results into errors that keep code, field and hint.
import { contextBridge, ipcRenderer } from 'electron';
import type { SwitchyardBridge } from '../../shared/contract';
import { requestNames } from '../../shared/contract-names';
import { IPC_REQUEST_CHANNEL, IPC_SUBSCRIBE_CHANNEL } from './channels';

const requests = Object.fromEntries(
  requestNames.map((name) => [name, (input: unknown) => ipcRenderer.invoke(IPC_REQUEST_CHANNEL, name, input)]),
);

const bridge = {
  ...requests,
  // One MessagePort per subscription: closing it is how the main process learns to stop.
  subscribe(name: string, input: unknown, onMessage: (message: unknown) => void): () => void {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event: MessageEvent) => onMessage(event.data);
    ipcRenderer.postMessage(IPC_SUBSCRIBE_CHANNEL, { name, input }, [channel.port2]);
    return () => channel.port1.close();
  },
} as SwitchyardBridge;

contextBridge.exposeInMainWorld('switchyard', bridge);
