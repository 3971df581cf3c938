// Port forwards per network, as the core last answered them. They are not part of the snapshot:
// the details panel and the topology badges load them, and every change answers the new list.
import { create } from 'zustand';
import { toErrorValue } from '../../../../shared/errors';
import type { NetworkPortForwards, PortForwardFields } from '../../../../shared/firewall/port-forward';
import type { ErrorValue } from '../../../../shared/model';
import { getApi } from '../../api';

interface PortForwardState {
  byNetwork: Record<string, NetworkPortForwards>;
  errors: Record<string, ErrorValue>;
  load(network: string): Promise<void>;
  /** Resolves the core's refusal, or undefined once the forward is in place. */
  add(network: string, forward: PortForwardFields): Promise<ErrorValue | undefined>;
  remove(network: string, id: string): Promise<ErrorValue | undefined>;
  /** Applies the stored forwards (a desktop user is asked for a password). */
  applyStored(network: string): Promise<ErrorValue | undefined>;
}

export const usePortForwardStore = create<PortForwardState>()((set) => {
  const store = (network: string, forwards: NetworkPortForwards) =>
    set((state) => {
      const { [network]: _cleared, ...errors } = state.errors;
      return { byNetwork: { ...state.byNetwork, [network]: forwards }, errors };
    });
  const change = async (network: string, request: () => Promise<NetworkPortForwards>) => {
    try {
      store(network, await request());
      return undefined;
    } catch (error) {
      return toErrorValue(error);
    }
  };
  return {
    byNetwork: {},
    errors: {},
    async load(network) {
      try {
        store(network, await getApi().listPortForwards({ network }));
      } catch (error) {
        set((state) => ({ errors: { ...state.errors, [network]: toErrorValue(error) } }));
      }
    },
    add: (network, forward) => change(network, () => getApi().addPortForward({ network, forward })),
    remove: (network, id) => change(network, () => getApi().removePortForward({ network, id })),
    applyStored: (network) => change(network, () => getApi().applyPortForwards({ network })),
  };
});
