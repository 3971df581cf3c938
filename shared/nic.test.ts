import { describe, expect, it } from 'vitest';
import { switchyardError } from './libvirt/test-support';
import type { Vm } from './model';
import { checkNewMac, generateMac, MacSchema, macsInUse, NicModelSchema } from './nic';

const vms: Vm[] = [
  { name: 'web', uuid: 'u1', state: 'running', persistent: true, nics: [{ type: 'network', mac: '52:54:00:AB:00:01', network: 'default' }] },
  { name: 'db', uuid: 'u2', state: 'shut off', persistent: true, nics: [{ type: 'user' }] },
];

describe('NIC rules', () => {
  it('offers virtio, e1000e and rtl8139 only', () => {
    expect(NicModelSchema.parse('e1000e')).toBe('e1000e');
    expect(NicModelSchema.safeParse('ne2k_pci').success).toBe(false);
  });

  it('normalises a MAC and explains a malformed one', () => {
    expect(MacSchema.parse(' 52:54:00:AB:CD:EF ')).toBe('52:54:00:ab:cd:ef');
    expect(MacSchema.safeParse('52:54:00:ab:cd').error?.issues[0]?.message).toMatch(/six hex pairs/);
  });

  it('refuses a multicast MAC and one another VM uses, naming that VM', () => {
    expect(macsInUse(vms)).toEqual(new Set(['52:54:00:ab:00:01']));
    expect(() => checkNewMac('01:00:5e:00:00:01', vms)).toThrow(switchyardError('invalid-input', 'mac'));
    expect(() => checkNewMac('52:54:00:ab:00:01', vms)).toThrow(/VM "web"/);
    expect(() => checkNewMac('52:54:00:ab:00:02', vms)).not.toThrow();
  });

  it('generates a free 52:54:00 address, skipping taken ones', () => {
    const bytes = [0xab, 0x00, 0x01, 0xab, 0x00, 0x02];
    expect(generateMac(vms, () => bytes.shift()!)).toBe('52:54:00:ab:00:02');
    expect(() => generateMac([{ ...vms[0]!, nics: [{ type: 'network', mac: '52:54:00:00:00:00' }] }], () => 0)).toThrow(switchyardError('invalid-input', 'mac'));
  });
});
