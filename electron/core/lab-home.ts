// Where a lab keeps its files. The lab tooling (lab/) writes its state there, and a core serving
// the lab keeps what it would write to the real host beside it, so tearing the lab down removes
// all of it and the next lab inherits nothing (no forwards into networks that no longer exist).
import { join } from 'node:path';

export function labHome(): string {
  return process.env.SWITCHYARD_LAB_HOME ?? '/tmp/switchyard-lab';
}

/** The running lab's description (URI, namespace holder), written by lab/ and read by the core. */
export function labStateFile(): string {
  return join(labHome(), 'lab.json');
}

/** Switchyard's own state for the lab's host (port forwards), as a core serving the lab keeps it. */
export function labSwitchyardStateDirectory(): string {
  return join(labHome(), 'switchyard-state');
}

/** Stands in for "/" when a core serving the lab writes persistence files (networkd, NetworkManager). */
export function labHostRoot(): string {
  return join(labHome(), 'host-root');
}
