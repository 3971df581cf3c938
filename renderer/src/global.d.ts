import type { SwitchyardBridge } from '../../shared/contract';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent when the page is served by the serve shell. */
    switchyard?: SwitchyardBridge;
  }
}

export {};
