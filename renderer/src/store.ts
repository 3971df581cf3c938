// The renderer's state: the latest snapshot pushed by the core plus what the user is looking at.
// The UI never polls; it follows snapshots, which the core keeps sending as libvirt comes and goes.
import { create } from 'zustand';
import type { ErrorValue, NetworkDetails, Snapshot } from '../../shared/model';
import { type TransportState, getApi, getTransportState, onTransportStateChange } from './api';
import { toErrorValue } from '../../shared/errors';
import type { RequestInput } from '../../shared/contract';

export type TabId = 'networks' | 'vms' | 'leases' | 'topology';
export type ThemeMode = 'light' | 'dark';

export interface NetworkDetailsState {
  name: string;
  loading: boolean;
  /** The last details read for this network; kept while a reread is under way or failed. */
  details?: NetworkDetails;
  error?: ErrorValue;
}

export interface UriChangeState {
  pending: boolean;
  error?: ErrorValue;
}

export interface AppState {
  /** The latest snapshot; null until the first one arrives. */
  snapshot: Snapshot | null;
  transport: TransportState;
  tab: TabId;
  selectedNetwork: string | null;
  networkDetails: NetworkDetailsState | null;
  themeMode: ThemeMode;
  uriChange: UriChangeState;

  /** Subscribes to snapshots and the transport state; returns the function that stops both. */
  start(): () => void;
  selectTab(tab: TabId): void;
  /** Selects a network (and loads its details), or clears the selection with null. */
  selectNetwork(name: string | null): void;
  loadNetworkDetails(name: string): Promise<void>;
  /** Resolves true once the core switched to the URI; on failure the error is in uriChange. */
  setConnectionUri(uri: string): Promise<boolean>;
  clearUriChangeError(): void;
  toggleThemeMode(): void;
  /** Sends one change to a network's reservations or DNS entries; resolves its error, or undefined once done. */
  changeHostEntries<N extends HostEntryRequest>(name: N, input: RequestInput<N>): Promise<ErrorValue | undefined>;
}

export type HostEntryRequest =
  | 'reserveAddress'
  | 'updateReservation'
  | 'removeReservation'
  | 'addDnsHost'
  | 'updateDnsHost'
  | 'removeDnsHost';

const THEME_STORAGE_KEY = 'switchyard.themeMode';

function initialThemeMode(): ThemeMode {
  const stored = window.localStorage.getItem(THEME_STORAGE_KEY);
  if (stored === 'light' || stored === 'dark') return stored;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

// Counts detail reads so that a slow answer for an earlier selection cannot replace a newer one.
let detailsRequest = 0;

export const useAppStore = create<AppState>()((set, get) => ({
  snapshot: null,
  transport: 'connecting',
  tab: 'networks',
  selectedNetwork: null,
  networkDetails: null,
  themeMode: initialThemeMode(),
  uriChange: { pending: false },

  start() {
    set({ transport: getTransportState() });
    const stopTransport = onTransportStateChange((transport) => set({ transport }));
    const stopSnapshots = getApi().subscribe('snapshot', {}, (snapshot) => {
      set({ snapshot });
      // Attached VMs and leases change with the snapshot; while libvirt is away keep the last details.
      const selected = get().selectedNetwork;
      if (selected && snapshot.connection.state === 'connected') void get().loadNetworkDetails(selected);
    });
    return () => {
      stopSnapshots();
      stopTransport();
    };
  },

  selectTab(tab) {
    set({ tab });
  },

  selectNetwork(name) {
    set({ selectedNetwork: name });
    if (name === null) set({ networkDetails: null });
    else void get().loadNetworkDetails(name);
  },

  async loadNetworkDetails(name) {
    const request = ++detailsRequest;
    const previous = get().networkDetails;
    const kept = previous?.name === name ? previous.details : undefined;
    set({ networkDetails: { name, loading: true, ...(kept ? { details: kept } : {}) } });
    try {
      const details = await getApi().getNetworkDetails({ name });
      if (request === detailsRequest) set({ networkDetails: { name, loading: false, details } });
    } catch (error) {
      if (request === detailsRequest) {
        set({ networkDetails: { name, loading: false, error: toErrorValue(error), ...(kept ? { details: kept } : {}) } });
      }
    }
  },

  async setConnectionUri(uri) {
    set({ uriChange: { pending: true } });
    try {
      await getApi().setConnectionUri({ uri });
      set({ uriChange: { pending: false }, selectedNetwork: null, networkDetails: null });
      return true;
    } catch (error) {
      set({ uriChange: { pending: false, error: toErrorValue(error) } });
      return false;
    }
  },

  clearUriChangeError() {
    set({ uriChange: { pending: false } });
  },

  async changeHostEntries(name, input) {
    try {
      const request = getApi()[name] as (input: RequestInput<typeof name>) => Promise<unknown>;
      await request(input);
      // The snapshot push brings the new entries; the details' XML needs its own reread.
      const selected = get().selectedNetwork;
      if (selected) void get().loadNetworkDetails(selected);
      return undefined;
    } catch (error) {
      return toErrorValue(error);
    }
  },

  toggleThemeMode() {
    const themeMode = get().themeMode === 'dark' ? 'light' : 'dark';
    window.localStorage.setItem(THEME_STORAGE_KEY, themeMode);
    set({ themeMode });
  },
}));
