// Rules for adding and moving VM NICs, shared by the contract (input checks), the core (before
// it asks libvirt) and the renderer (the dialog validates as the user types).
import { z } from 'zod';
import { normalizeMac } from './address';
import { invalidInput } from './errors';
import type { Vm } from './model';

/** The NIC models Switchyard offers: paravirtual, and two emulated ones for guests without virtio drivers. */
export const NIC_MODELS = ['virtio', 'e1000e', 'rtl8139'] as const;
export const NicModelSchema = z.enum(NIC_MODELS, {
  error: `Choose one of the NIC models ${NIC_MODELS.join(', ')}.`,
});
export type NicModel = z.infer<typeof NicModelSchema>;

/** QEMU/KVM's locally administered prefix, which libvirt uses for the MACs it generates. */
export const QEMU_MAC_PREFIX = '52:54:00';

export const MacSchema = z
  .string()
  .max(64, 'A MAC address is 17 characters.')
  .transform((text, context) => {
    const mac = normalizeMac(text.trim());
    if (mac === undefined) {
      context.addIssue({ code: 'custom', message: 'Write the MAC address as six hex pairs, such as 52:54:00:12:34:56.' });
      return z.NEVER;
    }
    return mac;
  });

/** Every MAC any VM's NIC uses, lowercase. */
export function macsInUse(vms: readonly Vm[]): Set<string> {
  return new Set(vms.flatMap((vm) => vm.nics.flatMap((nic) => (nic.mac ? [nic.mac.toLowerCase()] : []))));
}

/** Throws unless `mac` is a unicast address that no VM uses yet. */
export function checkNewMac(mac: string, vms: readonly Vm[], field = 'mac'): void {
  // The least significant bit of the first octet marks multicast; a NIC needs a unicast address.
  if ((parseInt(mac.slice(0, 2), 16) & 1) === 1) {
    throw invalidInput(field, `${mac} is a multicast address.`, 'Use a unicast MAC: the first octet must be even, e.g. 52:54:00:….');
  }
  const owner = vms.find((vm) => vm.nics.some((nic) => nic.mac?.toLowerCase() === mac));
  if (owner) {
    throw invalidInput(field, `${mac} is already used by a NIC of VM "${owner.name}".`, 'Choose another MAC or leave it empty to generate one.');
  }
}

/**
 * A 52:54:00:xx:xx:xx address no VM uses. `randomByte` returns an integer 0–255; it is a
 * parameter so that the core can use a cryptographic source and tests a fixed one.
 */
export function generateMac(vms: readonly Vm[], randomByte: () => number): string {
  const taken = macsInUse(vms);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const tail = [randomByte(), randomByte(), randomByte()].map((b) => (b & 0xff).toString(16).padStart(2, '0'));
    const mac = `${QEMU_MAC_PREFIX}:${tail.join(':')}`;
    if (!taken.has(mac)) return mac;
  }
  throw invalidInput('mac', 'Could not find a free MAC address in 52:54:00:…', 'Give a MAC address yourself.');
}
