// The host's listening sockets from `ss -Hltnu` (TCP listeners and bound UDP sockets), so a port
// forward that would hide a host service is refused before it is applied.
import type { PortProtocol } from './port-forward';

export interface Listener {
  protocol: PortProtocol;
  /** The bound address without brackets or interface ("0.0.0.0", "::", "192.168.122.1"). */
  address: string;
  port: number;
  /** Bound to every address of its family. */
  wildcard: boolean;
  /** SO_BINDTODEVICE interface ("virbr0" in "0.0.0.0%virbr0:67"), when there is one. */
  device?: string;
  /** The owning program, when ss was asked for it (-p) and allowed to tell. */
  process?: string;
}

export const SS_LISTENER_ARGUMENTS = ['-Hltnu'] as const;

/** "0.0.0.0%virbr0:67", "[::]:22", "*:5353" → address, device and port. */
function parseLocal(text: string): { address: string; device?: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^\s]+?):(\d+|\*)$/.exec(text);
  if (!match?.[1] || !match[2] || match[2] === '*') return undefined;
  let host = match[1].replace(/^\[|\]$/g, '');
  let device: string | undefined;
  const percent = host.indexOf('%');
  if (percent >= 0) {
    device = host.slice(percent + 1);
    host = host.slice(0, percent);
  }
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { address: host, port, ...(device ? { device } : {}) };
}

/** Lines of `ss -Hltnu [-p]`: netid, state, recv-q, send-q, local, peer[, process]. */
export function parseSsListeners(output: string): Listener[] {
  const listeners: Listener[] = [];
  for (const line of output.split('\n')) {
    const columns = line.trim().split(/\s+/);
    const netid = columns[0];
    if ((netid !== 'tcp' && netid !== 'udp') || columns.length < 6) continue;
    const local = parseLocal(columns[4]!);
    if (!local) continue;
    const process = /users:\(\("([^"]+)"/.exec(columns.slice(6).join(' '))?.[1];
    listeners.push({
      protocol: netid,
      ...local,
      wildcard: local.address === '0.0.0.0' || local.address === '::' || local.address === '*',
      ...(process ? { process } : {}),
    });
  }
  return listeners;
}
