import { describe, expect, it } from 'vitest';
import { parseRootElement, attribute, childElement } from './xml-document';
import { networkInterfaceXml, retargetedInterfaceXml } from './interface-xml';
import { readFixture, switchyardError } from './test-support';

describe('interface XML', () => {
  it('writes a new NIC on a network with its MAC and model', () => {
    expect(networkInterfaceXml({ network: 'lab-isolated', mac: '52:54:00:12:34:56', model: 'e1000e' })).toBe(
      '<interface type="network"><mac address="52:54:00:12:34:56"/><source network="lab-isolated"/><model type="e1000e"/></interface>',
    );
  });

  it('points an existing NIC at another network, keeping everything else, as update-device needs', () => {
    const domain = readFixture('domain/running-mixed-nics.xml');
    const moved = parseRootElement(retargetedInterfaceXml(domain, '52:54:00:6d:90:02', 'lab-isolated'), 'interface');
    expect(attribute(moved, 'type')).toBe('network');
    // The running NIC's source also names its port and bridge: those belong to the old network.
    expect(moved.toString()).toContain('<source network="lab-isolated"/>');
    expect(attribute(childElement(moved, 'target'), 'dev')).toBe('vnet0');
    expect(attribute(childElement(moved, 'model'), 'type')).toBe('virtio');
    expect(attribute(childElement(moved, 'alias'), 'name')).toBe('net0');
    expect(attribute(childElement(moved, 'address'), 'slot')).toBe('0x00');
    // The source follows the MAC, where libvirt writes it.
    expect(moved.toString().indexOf('<source')).toBeGreaterThan(moved.toString().indexOf('<mac'));
    expect(moved.toString().indexOf('<source')).toBeLessThan(moved.toString().indexOf('<target'));
  });

  it('turns a bridge NIC into a network NIC when it moves to a network', () => {
    const moved = parseRootElement(retargetedInterfaceXml(readFixture('domain/running-mixed-nics.xml'), '52:54:00:AA:BB:CC', 'default'), 'interface');
    expect(attribute(moved, 'type')).toBe('network');
    expect(moved.toString()).not.toContain('bridge=');
  });

  it('says which MAC it could not find', () => {
    expect(() => retargetedInterfaceXml(readFixture('domain/running-mixed-nics.xml'), '52:54:00:00:00:99', 'default')).toThrow(switchyardError('not-found', 'mac'));
  });
});
