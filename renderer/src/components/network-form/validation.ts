// Validation as the form shows it: the same validateNetworkDefinition the core runs before it
// applies anything, against the latest snapshot (other networks, host links) and the host's routes.
import { useMemo } from 'react';
import type { NetworkDefinition } from '../../../../shared/libvirt/network-xml';
import type { Snapshot } from '../../../../shared/model';
import { validateNetworkDefinition, type FieldProblem, type HostRoute } from '../../../../shared/validation/network-validation';
import { getApi } from '../../api';
import { useAppStore } from '../../store';
import type { AddressSpace } from './definition';

/** The host's routes, or undefined where they cannot be read (then only networks and links are checked). */
export async function loadHostRoutes(): Promise<HostRoute[] | undefined> {
  try {
    return (await getApi().getHostRoutes({})).routes;
  } catch {
    return undefined;
  }
}

/** Other networks, host links and routes as validation and the defaults take them. */
export function addressSpace(snapshot: Snapshot | null, hostRoutes: readonly HostRoute[] | undefined): AddressSpace {
  return {
    networks: snapshot?.networks ?? [],
    // Without host reads the snapshot's list is empty, which must not read as "no links".
    hostInterfaces: snapshot && !snapshot.hostError ? snapshot.hostInterfaces : undefined,
    hostRoutes,
  };
}

/**
 * Every problem of `definition`, rechecked whenever it or the snapshot changes. `isNew` is true for
 * a network being created; an edited one is recognised among the others by its uuid, and its
 * `runningBridge` (when it runs) is no clash with itself.
 */
export function useNetworkProblems(
  definition: NetworkDefinition,
  isNew: boolean,
  hostRoutes: readonly HostRoute[] | undefined,
  runningBridge?: string,
): FieldProblem[] {
  const snapshot = useAppStore((state) => state.snapshot);
  return useMemo(() => {
    const space = addressSpace(snapshot, hostRoutes);
    return validateNetworkDefinition(definition, {
      isNew,
      ...(runningBridge !== undefined ? { runningBridge } : {}),
      otherNetworks: space.networks,
      ...(space.hostInterfaces ? { hostInterfaces: space.hostInterfaces } : {}),
      ...(space.hostRoutes ? { hostRoutes: space.hostRoutes } : {}),
    });
  }, [definition, isNew, hostRoutes, snapshot, runningBridge]);
}
