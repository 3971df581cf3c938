// `virsh domifaddr VM --source agent`: the addresses a guest agent reports per guest interface.
import { normalizeMac } from '../address';
import type { GuestAgentAddress } from '../topology/host-topology';
import { parseVirshTable } from './virsh-output';

/**
 * The addresses in domifaddr output, one per row. A row continuing the interface above has "-"
 * for name and MAC; loopback addresses (the guest's lo has MAC 00:00:00:00:00:00) are left out.
 */
export function parseDomIfAddr(text: string, vm: string): GuestAgentAddress[] {
  const addresses: GuestAgentAddress[] = [];
  let mac: string | undefined;
  for (const row of parseVirshTable(text)) {
    const cell = row['MAC address'] ?? '-';
    if (cell !== '-') mac = normalizeMac(cell);
    const ip = (row['Address'] ?? '').split('/')[0];
    if (!mac || mac === '00:00:00:00:00:00' || !ip) continue;
    addresses.push({ vm, mac, ip });
  }
  return addresses;
}
