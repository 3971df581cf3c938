import { describe, expect, it } from 'vitest';
import { parseNetworkXml, type NetworkDefinition } from './network-xml';
import { applyNetworkDefinition } from './network-xml-edit';
import { planNetworkEdit, planNetworkUpdate, planNetworkXmlUpdate, undoNetUpdate } from './network-update-plan';
import { readFixture } from './test-support';

const natXml = readFixture('network/nat-network.xml');
const nat = parseNetworkXml(natXml);

function edit(change: (definition: NetworkDefinition) => void): NetworkDefinition {
  const copy = structuredClone(nat);
  change(copy);
  return copy;
}

describe('planNetworkUpdate', () => {
  it('has nothing to do for an unchanged network', () => {
    expect(planNetworkUpdate(nat, structuredClone(nat))).toEqual({ restart: false, live: [] });
  });

  it('replaces a changed DHCP range live: the old one goes before the new one comes', () => {
    const after = edit((d) => {
      d.ips[0]!.dhcpRanges = [{ start: '192.168.122.100', end: '192.168.122.200', leaseSeconds: 3600 }];
    });
    expect(planNetworkUpdate(nat, after)).toEqual({
      restart: false,
      live: [
        { command: 'delete', section: 'ip-dhcp-range', xml: "<range start='192.168.122.2' end='192.168.122.254'></range>", parentIndex: 0 },
        {
          command: 'add',
          section: 'ip-dhcp-range',
          xml: "<range start='192.168.122.100' end='192.168.122.200'><lease expiry='3600' unit='seconds'/></range>",
          parentIndex: 0,
        },
      ],
    });
  });

  it('adds and removes DHCP hosts and DNS hosts live, in the <ip> they belong to', () => {
    const after = edit((d) => {
      d.ips[0]!.dhcpHosts = [d.ips[0]!.dhcpHosts[0]!, { mac: '52:54:00:00:00:09', ip: '192.168.122.9' }];
      d.dnsHosts = [{ ip: '192.168.122.9', hostnames: ['nine'] }];
    });
    expect(planNetworkUpdate(nat, after)).toEqual({
      restart: false,
      live: [
        {
          command: 'delete',
          section: 'ip-dhcp-host',
          xml: "<host mac='00:16:3e:3e:a9:1a' name='b.example.com' ip='192.168.122.11'/>",
          parentIndex: 0,
        },
        { command: 'add', section: 'ip-dhcp-host', xml: "<host mac='52:54:00:00:00:09' ip='192.168.122.9'/>", parentIndex: 0 },
        { command: 'add', section: 'dns-host', xml: "<host ip='192.168.122.9'><hostname>nine</hostname></host>" },
      ],
    });
  });

  it('needs a restart for everything else, and says why in words', () => {
    const after = edit((d) => {
      d.forward = { mode: 'route' };
      d.bridge = { name: 'virbr7' };
      d.ips[0]!.address = '192.168.123.1';
      d.ips[0]!.dhcpRanges = [];
    });
    expect(planNetworkUpdate(nat, after)).toEqual({
      restart: true,
      reasons: ['the forward mode or its uplink changed', 'the bridge changed', 'the IP addresses or subnets changed'],
    });
  });

  it('needs a restart for a DHCP host with its own lease time, which net-update cannot carry', () => {
    const after = edit((d) => {
      d.ips[0]!.dhcpHosts.push({ mac: '52:54:00:00:00:09', ip: '192.168.122.9', leaseSeconds: 60 });
    });
    expect(planNetworkUpdate(nat, after)).toEqual({ restart: true, reasons: ['a DHCP host with its own lease time changed'] });
  });

  it('undoes an add with a delete and the other way round', () => {
    const add = { command: 'add', section: 'dns-host', xml: '<host/>' } as const;
    expect(undoNetUpdate(add)).toEqual({ ...add, command: 'delete' });
    expect(undoNetUpdate(undoNetUpdate(add))).toEqual(add);
  });
});

describe('planNetworkXmlUpdate', () => {
  it('applies a form edit (only modelled parts changed) live, whatever the layout', () => {
    const after = edit((d) => {
      d.dnsHosts = [{ ip: '192.168.122.5', hostnames: ['five'] }];
    });
    const afterXml = applyNetworkDefinition(natXml, after).replace(/\n\s*/g, '');
    expect(planNetworkXmlUpdate(natXml, afterXml)).toEqual({
      restart: false,
      live: [{ command: 'add', section: 'dns-host', xml: "<host ip='192.168.122.5'><hostname>five</hostname></host>" }],
    });
  });

  it('restarts for an edit outside the model, such as a dnsmasq option', () => {
    const afterXml = natXml.replace(
      '<network>',
      "<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'><dnsmasq:options><dnsmasq:option value='log-dhcp'/></dnsmasq:options>",
    );
    expect(planNetworkXmlUpdate(natXml, afterXml)).toEqual({
      restart: true,
      reasons: ['parts of the XML that can only change with a restart were edited'],
    });
  });
});

describe('planNetworkEdit', () => {
  // What `virsh net-dumpxml` says of a running nat network: libvirt adds the NAT ports and the
  // connection count, which the stored definition (what the user edits) does not have.
  const storedXml = readFixture('network/default.xml');
  const liveXml = readFixture('network/default-live.xml');
  const widerRange = (xml: string) => xml.replace("start='192.168.122.2'", "start='192.168.122.100'");

  it('plans against the stored definition, so a DHCP range edit of a running nat network stays live', () => {
    expect(planNetworkEdit(storedXml, widerRange(storedXml), true)).toEqual({
      kind: 'live',
      live: [
        { command: 'delete', section: 'ip-dhcp-range', xml: "<range start='192.168.122.2' end='192.168.122.254'></range>", parentIndex: 0 },
        { command: 'add', section: 'ip-dhcp-range', xml: "<range start='192.168.122.100' end='192.168.122.254'></range>", parentIndex: 0 },
      ],
    });
    // Against the live XML the same edit would read as a NAT change and restart the network.
    expect(planNetworkXmlUpdate(liveXml, widerRange(storedXml)).restart).toBe(true);
  });

  it('has nothing to do when only the layout changed', () => {
    expect(planNetworkEdit(storedXml, storedXml.replace(/\n\s*/g, ''), true)).toEqual({ kind: 'unchanged' });
  });

  it('only stores the definition of a stopped network, whatever changed', () => {
    expect(planNetworkEdit(storedXml, storedXml.replace("name='virbr0'", "name='virbr9'"), false)).toEqual({ kind: 'stored' });
  });

  it('restarts a running network for a change net-update cannot make', () => {
    expect(planNetworkEdit(storedXml, storedXml.replace("name='virbr0'", "name='virbr9'"), true)).toEqual({ kind: 'restart', reasons: ['the bridge changed'] });
  });

  it('only stores a reordering, which the running network need not see', () => {
    const two = storedXml.replace("<range start='192.168.122.2' end='192.168.122.254'/>", "<range start='192.168.122.2' end='192.168.122.9'/><range start='192.168.122.20' end='192.168.122.29'/>");
    const swapped = storedXml.replace("<range start='192.168.122.2' end='192.168.122.254'/>", "<range start='192.168.122.20' end='192.168.122.29'/><range start='192.168.122.2' end='192.168.122.9'/>");
    expect(planNetworkEdit(two, swapped, true)).toEqual({ kind: 'stored' });
  });
});
