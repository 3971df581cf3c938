import { describe, expect, it } from 'vitest';
import { NicSchema } from '../model';
import { parseDomainXml } from './domain-xml';
import { fixturePaths, readFixture, switchyardError } from './test-support';

describe('parseDomainXml on libvirt fixtures', () => {
  it.each(fixturePaths('domain'))('%s gives NICs that fit the Nic schema', (path) => {
    for (const nic of parseDomainXml(readFixture(path)).nics) expect(() => NicSchema.parse(nic)).not.toThrow();
  });

  it('reads the test driver guest', () => {
    expect(parseDomainXml(readFixture('domain/test-driver-test.xml'))).toEqual({
      name: 'test',
      uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f',
      nics: [{ type: 'network', mac: 'aa:bb:cc:dd:ee:ff', network: 'default', tap: 'testnet0' }],
    });
  });

  it('reads network NICs with port groups and virtual ports', () => {
    expect(parseDomainXml(readFixture('domain/net-virtio-network-portgroup.xml'))).toEqual({
      name: 'QEMUGuest1',
      uuid: 'c7a5fdbd-edaf-9455-926a-d65c16db1809',
      nics: [
        { type: 'network', mac: '00:11:22:33:44:55', model: 'virtio', network: 'rednet' },
        { type: 'network', mac: '10:11:22:33:44:55', model: 'rtl8139', network: 'blue' },
        { type: 'network', mac: '22:11:22:33:44:55', model: 'rtl8139', network: 'blue' },
      ],
    });
  });

  it('reads a bridge NIC', () => {
    expect(parseDomainXml(readFixture('domain/net-midonet.xml')).nics).toEqual([
      { type: 'bridge', mac: '00:11:22:33:44:55', model: 'virtio', bridge: 'midonet' },
    ]);
  });

  it('reads an ethernet NIC with its tap', () => {
    expect(parseDomainXml(readFixture('domain/net-eth-ifname.xml')).nics).toEqual([
      { type: 'ethernet', mac: '00:11:22:33:44:55', model: 'rtl8139', tap: 'nic02' },
    ]);
  });

  it('reads a running guest: network bridge, host bridge, macvtap without bridge, user', () => {
    expect(parseDomainXml(readFixture('domain/running-mixed-nics.xml'))).toEqual({
      name: 'web 01',
      uuid: '4dea22b3-1d52-d8f3-2516-782e98ab3fa0',
      nics: [
        { type: 'network', mac: '52:54:00:6d:90:02', model: 'virtio', network: 'default', bridge: 'virbr0', tap: 'vnet0' },
        { type: 'bridge', mac: '52:54:00:aa:bb:cc', model: 'virtio', bridge: 'br0', tap: 'vnet1' },
        { type: 'direct', mac: '52:54:00:dd:ee:ff', model: 'virtio', tap: 'macvtap0' },
        { type: 'user', mac: '52:54:00:11:22:33' },
      ],
    });
  });

  it('reads a domain without devices or uuid', () => {
    expect(parseDomainXml("<domain type='kvm'><name>bare</name></domain>")).toEqual({ name: 'bare', uuid: '', nics: [] });
  });

  it('reads only interfaces directly under <devices>', () => {
    const xml = "<domain><name>d</name><metadata><interface type='network'/></metadata><devices><hostdev/></devices></domain>";
    expect(parseDomainXml(xml).nics).toEqual([]);
  });
});

describe('parseDomainXml on malformed input', () => {
  it.each([
    ['not XML', '{"name": "vm"}'],
    ['truncated XML', readFixture('domain/test-driver-test.xml').slice(0, 300)],
  ])('rejects %s', (_, xml) => {
    expect(() => parseDomainXml(xml)).toThrow(switchyardError('invalid-xml'));
  });

  it('rejects a document that is not a <domain>', () => {
    expect(() => parseDomainXml(readFixture('network/nat-network.xml'))).toThrow(/Expected a <domain> document, got <network>/);
  });

  it('rejects a domain without name', () => {
    expect(() => parseDomainXml('<domain><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid></domain>')).toThrow(switchyardError('invalid-xml', 'name'));
  });

  it('names the interface without type', () => {
    const xml = "<domain><name>d</name><devices><interface type='network'/><interface/></devices></domain>";
    expect(() => parseDomainXml(xml)).toThrow(switchyardError('invalid-xml', 'devices.interface[1].type'));
  });

  it('names the interface with a bad MAC', () => {
    const xml = "<domain><name>d</name><devices><interface type='network'><mac address='52:54:00'/></interface></devices></domain>";
    expect(() => parseDomainXml(xml)).toThrow(switchyardError('invalid-xml', 'devices.interface[0].mac'));
  });
});
