import { describe, expect, it } from 'vitest';
import type { IpConfig } from '../model';
import { parseNetworkXml, type NetworkDefinition } from './network-xml';
import { applyNetworkDefinition } from './network-xml-edit';
import { fixturePaths, readFixture } from './test-support';
import { canonicalXml } from './xml-canonical';
import { reserializeXml } from './xml-edit';

/** Parses `path`, lets `edit` change the definition, and applies it to the fixture's XML. */
function edited(path: string, edit: (definition: NetworkDefinition) => NetworkDefinition): { xml: string; original: string } {
  const original = readFixture(`network/${path}`);
  return { xml: applyNetworkDefinition(original, edit(parseNetworkXml(original))), original };
}

function firstIp(definition: NetworkDefinition): IpConfig {
  const ip = definition.ips[0];
  if (!ip) throw new Error('The fixture has no <ip>.');
  return ip;
}

describe('canonicalXml, by which round trips are judged', () => {
  it('ignores quote style, attribute order and indentation only', () => {
    expect(canonicalXml("<a x='1' y=\"2\">\n  <b/>\n</a>")).toBe(canonicalXml('<a y="2" x="1"><b></b></a>'));
    expect(canonicalXml('<a><b/><c/></a>')).not.toBe(canonicalXml('<a><c/><b/></a>'));
    expect(canonicalXml('<a x="1"/>')).not.toBe(canonicalXml('<a x="2"/>'));
    expect(canonicalXml('<a><!-- note --></a>')).not.toBe(canonicalXml('<a/>'));
    expect(canonicalXml('<a xmlns:p="urn:x"><p:b/></a>')).not.toBe(canonicalXml('<a><b/></a>'));
  });
});

describe('applyNetworkDefinition leaves an unchanged definition alone', () => {
  it.each(fixturePaths('network'))('%s comes back canonically equal and parses the same', (path) => {
    const original = readFixture(path);
    const definition = parseNetworkXml(original);
    const xml = applyNetworkDefinition(original, definition);
    expect(canonicalXml(xml)).toBe(canonicalXml(original));
    expect(parseNetworkXml(xml)).toEqual(definition);
  });

  it.each(fixturePaths('network'))('%s written into a new document parses the same', (path) => {
    const definition = parseNetworkXml(readFixture(path));
    expect(parseNetworkXml(applyNetworkDefinition(undefined, definition))).toEqual(definition);
  });

  it('keeps the XML declaration, comments and the layout of untouched lines', () => {
    const original = "<?xml version='1.0'?>\n<!-- kept -->\n<network>\n  <name>a</name>\n  <!-- also kept -->\n  <bridge name='virbr5'/>\n</network>\n";
    const xml = applyNetworkDefinition(original, { ...parseNetworkXml(original), mtu: 9000 });
    expect(xml).toBe(
      '<?xml version=\'1.0\'?>\n<!-- kept -->\n<network>\n  <name>a</name>\n  <!-- also kept -->\n  <bridge name="virbr5"/>\n  <mtu size="9000"/>\n</network>\n',
    );
  });
});

describe('applyNetworkDefinition edits', () => {
  it('changes a DHCP range and keeps dnsmasq:options with its namespace', () => {
    const { xml, original } = edited('dnsmasq-options.xml', (definition) => ({
      ...definition,
      ips: [{ ...firstIp(definition), dhcpRanges: [{ start: '192.168.122.100', end: '192.168.122.200' }] }],
    }));
    expect(xml).toContain('<range start="192.168.122.100" end="192.168.122.200"/>');
    expect(xml).toContain('xmlns:dnsmasq="http://libvirt.org/schemas/network/dnsmasq/1.0"');
    expect(xml).toContain('<dnsmasq:option value="cname=*.cloudapps.example.com,master.example.com"/>');
    // Nothing else changed.
    expect(canonicalXml(xml.replace('192.168.122.100" end="192.168.122.200', '192.168.122.2" end="192.168.122.254'))).toBe(
      canonicalXml(original),
    );
  });

  it('adds an IPv6 <ip> after the IPv4 one', () => {
    const ipv6: IpConfig = {
      family: 'ipv6',
      address: 'fd00:1::1',
      prefix: 64,
      dhcpRanges: [{ start: 'fd00:1::100', end: 'fd00:1::1ff' }],
      dhcpHosts: [],
    };
    const { xml } = edited('default-live.xml', (definition) => ({ ...definition, ips: [...definition.ips, ipv6] }));
    expect(xml).toContain(
      '  </ip>\n  <ip family="ipv6" address="fd00:1::1" prefix="64">\n    <dhcp>\n      <range start="fd00:1::100" end="fd00:1::1ff"/>\n    </dhcp>\n  </ip>\n</network>',
    );
    expect(parseNetworkXml(xml).ips.map((ip) => ip.address)).toEqual(['192.168.122.1', 'fd00:1::1']);
  });

  it('removes DNS host entries but keeps the other DNS settings', () => {
    const { xml } = edited('nat-network-dns-hosts.xml', (definition) => ({ ...definition, dnsHosts: [] }));
    expect(xml).not.toContain('<host');
    expect(xml).toContain('<dns forwardPlainNames="no"/>');
    expect(parseNetworkXml(xml).dns.forwardPlainNames).toBe(false);
  });

  it('removes <dns> once nothing is left in it', () => {
    const { xml } = edited('docs-addressing.xml', (definition) => ({
      ...definition,
      dnsHosts: [],
      dns: { forwarders: [], txts: [], srvs: [] },
    }));
    expect(xml).not.toContain('<dns');
    expect(parseNetworkXml(xml).ips).toHaveLength(2);
  });

  it('edits one DNS host name and keeps the rest', () => {
    const { xml } = edited('nat-network-dns-hosts.xml', (definition) => ({
      ...definition,
      dnsHosts: definition.dnsHosts.map((host) => (host.ip === '192.168.122.1' ? { ...host, hostnames: ['host', 'router'] } : host)),
    }));
    expect(xml).toContain('<host ip="192.168.122.1">\n      <hostname>host</hostname>\n      <hostname>router</hostname>\n    </host>');
    expect(parseNetworkXml(xml).dnsHosts).toHaveLength(4);
  });

  it('switches nat to route: drops <nat>, keeps the addresses', () => {
    const { xml, original } = edited('default-live.xml', (definition) => ({ ...definition, forward: { mode: 'route' } }));
    expect(xml).toContain('<forward mode="route"/>');
    expect(xml).not.toContain('<nat');
    expect(parseNetworkXml(xml).ips).toEqual(parseNetworkXml(original).ips);
  });

  it('switches to isolated by removing <forward>, and back to nat with a NAT range', () => {
    const { xml: isolated } = edited('routed-network.xml', (definition) => ({ ...definition, forward: { mode: 'isolated' } }));
    expect(isolated).not.toContain('<forward');
    const nat = applyNetworkDefinition(isolated, {
      ...parseNetworkXml(isolated),
      forward: { mode: 'nat', nat: { addressRange: { start: '203.0.113.10', end: '203.0.113.20' }, portRange: { start: 1024, end: 65535 }, ipv6: true } },
    });
    expect(nat).toContain(
      '<forward mode="nat">\n    <nat ipv6="yes">\n      <address start="203.0.113.10" end="203.0.113.20"/>\n      <port start="1024" end="65535"/>\n    </nat>\n  </forward>',
    );
    // <forward> goes where libvirt puts it: before <bridge>.
    expect(nat.indexOf('<forward')).toBeLessThan(nat.indexOf('<bridge'));
  });

  it('keeps <forward/> without a mode while the network stays nat', () => {
    const { xml } = edited('default.xml', (definition) => ({ ...definition, bridge: { name: 'virbr3' } }));
    expect(xml).toContain('<forward/>');
    expect(xml).toContain('<bridge name="virbr3"/>');
  });

  it('changes the forward dev together with the <interface> libvirt lists it as', () => {
    const { xml } = edited('leasetime-hours.xml', (definition) => ({ ...definition, forward: { mode: 'nat', dev: 'eth7' } }));
    expect(xml).toContain('<forward dev="eth7" mode="nat">\n    <interface dev="eth7"/>\n  </forward>');
    const { xml: anyDev } = edited('leasetime-hours.xml', (definition) => ({ ...definition, forward: { mode: 'nat' } }));
    expect(anyDev).toContain('<forward mode="nat"/>');
    expect(parseNetworkXml(anyDev).forward).toEqual({ mode: 'nat' });
  });

  it('keeps unknown <dhcp> content when DHCP ranges and boot options go', () => {
    const { xml } = edited('netboot-network.xml', (definition) => ({
      ...definition,
      ips: [{ ...firstIp(definition), dhcpRanges: [], bootp: undefined, tftpRoot: undefined }],
    }));
    expect(xml).toContain('<dhcp>\n      <option number="252" value="\\n"/>\n    </dhcp>');
    expect(xml).not.toContain('<tftp');
    expect(xml).not.toContain('<bootp');
  });

  it('adds boot options and a TFTP root in libvirt order', () => {
    const { xml } = edited('default.xml', (definition) => ({
      ...definition,
      ips: [{ ...firstIp(definition), bootp: { file: 'pxelinux.0', server: '192.168.122.5' }, tftpRoot: '/srv/tftp' }],
    }));
    expect(xml).toContain(
      '<tftp root="/srv/tftp"/>\n    <dhcp>\n      <range start="192.168.122.2" end="192.168.122.254"/>\n      <bootp file="pxelinux.0" server="192.168.122.5"/>\n    </dhcp>',
    );
  });

  it('removes DHCP entirely when nothing else is in <dhcp>', () => {
    const { xml } = edited('default.xml', (definition) => ({ ...definition, ips: [{ ...firstIp(definition), dhcpRanges: [] }] }));
    expect(xml).toContain('<ip address="192.168.122.1" netmask="255.255.255.0"/>');
  });

  it('writes a changed prefix as a netmask where the element used one', () => {
    const { xml } = edited('default.xml', (definition) => ({ ...definition, ips: [{ ...firstIp(definition), prefix: 16 }] }));
    expect(xml).toContain('<ip address="192.168.122.1" netmask="255.255.0.0">');
    const { xml: prefixed } = edited('test-driver-lab-net.xml', (definition) => ({ ...definition, ips: [{ ...firstIp(definition), prefix: 25 }] }));
    expect(prefixed).toContain('<ip address="10.9.0.1" prefix="25">');
  });

  it('writes the prefix explicitly when an address without one changes', () => {
    // 10.24.10.1 without prefix is /8 by class; 192.168.5.1 would be /24, so /8 must be written.
    const { xml } = edited('dhcp6-nat-network.xml', (definition) => ({
      ...definition,
      ips: definition.ips.map((ip) => (ip.address === '10.24.10.1' ? { ...ip, address: '192.168.5.1' } : ip)),
    }));
    expect(xml).toContain('<ip family="ipv4" address="192.168.5.1" prefix="8">');
    expect(parseNetworkXml(xml).ips[3]).toMatchObject({ address: '192.168.5.1', prefix: 8 });
  });

  it('moves an <ip> and keeps what the model does not know of it', () => {
    const { xml } = edited('docs-addressing.xml', (definition) => ({ ...definition, ips: [...definition.ips].reverse() }));
    const ips = parseNetworkXml(xml).ips;
    expect(ips.map((ip) => ip.family)).toEqual(['ipv6', 'ipv4']);
    expect(xml).toContain('<ip address="192.168.122.1" netmask="255.255.255.0" localPtr="yes">');
    expect(xml).toContain('<ip family="ipv6" address="2001:db8:ca2:2::1" prefix="64" localPtr="yes"/>');
  });

  it('reorders, edits and adds DHCP hosts, with lease times in the largest exact unit', () => {
    const { xml } = edited('leasetime-seconds.xml', (definition) => {
      const ip = firstIp(definition);
      const [first, second] = ip.dhcpHosts;
      if (!first || !second) throw new Error('The fixture has two hosts.');
      return {
        ...definition,
        ips: [
          {
            ...ip,
            dhcpRanges: ip.dhcpRanges.map((range) => ({ ...range, leaseSeconds: 7200 })),
            dhcpHosts: [second, { ...first, leaseSeconds: 0 }, { mac: '52:54:00:00:00:09', ip: '192.168.122.9', leaseSeconds: 90 }],
          },
        ],
      };
    });
    expect(xml).toContain('<lease expiry="2" unit="hours"/>');
    expect(xml).toContain('<host mac="00:16:3e:3e:a9:1a" name="b.example.com" ip="192.168.122.11">\n        <lease expiry="400" unit="seconds"/>');
    expect(xml).toContain('<host mac="00:16:3e:77:e2:ed" name="a.example.com" ip="192.168.122.10">\n        <lease expiry="0"/>');
    expect(xml).toContain('<host mac="52:54:00:00:00:09" ip="192.168.122.9">\n        <lease expiry="90" unit="seconds"/>\n      </host>');
    expect(firstIp(parseNetworkXml(xml)).dhcpHosts.map((host) => host.ip)).toEqual(['192.168.122.11', '192.168.122.10', '192.168.122.9']);
  });

  it('keeps the spelling of unchanged values while others change', () => {
    const { xml } = edited('dhcp6host-routed-network.xml', (definition) => ({ ...definition, mtu: 1400 }));
    expect(xml).toContain('<mac address="12:34:56:78:9A:BC"/>');
    expect(xml).toContain('<mtu size="1400"/>\n  <mac');
  });

  it('adds, changes and removes static routes', () => {
    const { xml } = edited('docs-static-routes.xml', (definition) => ({
      ...definition,
      routes: [
        { family: 'ipv4', address: '192.168.222.0', prefix: 24, gateway: '192.168.122.3', metric: 5 },
        { family: 'ipv4', address: '10.77.0.0', prefix: 16, gateway: '192.168.122.4' },
      ],
    }));
    expect(xml).toContain('<route address="192.168.222.0" prefix="24" gateway="192.168.122.3" metric="5"/>');
    expect(xml).toContain('<route address="10.77.0.0" prefix="16" gateway="192.168.122.4"/>');
    expect(xml).not.toContain('family="ipv6" address="2001:db8:ca2:3::"');
    expect(parseNetworkXml(xml).routes).toHaveLength(2);
  });

  it('edits DNS forwarders, TXT and SRV records', () => {
    const { xml } = edited('nat-network-dns-srv-records.xml', (definition) => ({
      ...definition,
      dns: {
        enable: true,
        forwarders: [{ addr: '9.9.9.9' }, { domain: 'lab.example', addr: '10.0.0.53' }],
        txts: [{ name: 'info', value: 'managed by switchyard' }],
        srvs: [{ service: 'ldap', protocol: 'tcp', target: 'dc.lab.example', port: 389 }],
      },
    }));
    expect(xml).toContain(
      '<dns enable="yes">\n    <forwarder addr="9.9.9.9"/>\n    <forwarder domain="lab.example" addr="10.0.0.53"/>\n' +
        '    <txt name="info" value="managed by switchyard"/>\n    <srv service="ldap" protocol="tcp" target="dc.lab.example" port="389"/>\n  </dns>',
    );
  });

  it('sets domain, bridge details and virtualport, and removes them again', () => {
    const { xml } = edited('default.xml', (definition) => ({
      ...definition,
      bridge: { name: 'virbr0', stp: false, delay: 2, macTableManager: 'libvirt' },
      domain: 'lab.example',
      domainLocalOnly: true,
      mac: '52:54:00:aa:bb:cc',
    }));
    expect(xml).toContain('<bridge name="virbr0" stp="off" delay="2" macTableManager="libvirt"/>');
    expect(xml).toContain('<mac address="52:54:00:aa:bb:cc"/>\n  <domain name="lab.example" localOnly="yes"/>');
    const definition = parseNetworkXml(xml);
    const restored = applyNetworkDefinition(xml, {
      ...definition,
      bridge: { name: 'virbr0' },
      domain: undefined,
      domainLocalOnly: undefined,
      mac: undefined,
    });
    expect(canonicalXml(restored)).toBe(canonicalXml(readFixture('network/default.xml')));
  });

  it('renames the network and sets its uuid', () => {
    const { xml } = edited('default.xml', (definition) => ({ ...definition, name: 'lab', uuid: '3e3fce45-4f53-4fa7-bb32-11f34168b82b' }));
    expect(xml).toContain('<name>lab</name>\n  <uuid>3e3fce45-4f53-4fa7-bb32-11f34168b82b</uuid>\n  <bridge');
  });

  it('escapes names and values', () => {
    const xml = applyNetworkDefinition(undefined, { ...parseNetworkXml('<network><name>a</name></network>'), name: 'a<b>&"c"' });
    expect(parseNetworkXml(xml).name).toBe('a<b>&"c"');
  });

  it('keeps a document without indentation compact', () => {
    const xml = applyNetworkDefinition('<network><name>a</name></network>', {
      ...parseNetworkXml('<network><name>a</name></network>'),
      forward: { mode: 'nat' },
    });
    expect(xml).toBe('<network><name>a</name><forward mode="nat"/></network>\n');
  });

  it('writes a new network in libvirt order with two-space indentation', () => {
    const xml = applyNetworkDefinition(undefined, {
      name: 'lab',
      uuid: '',
      forward: { mode: 'nat' },
      bridge: { name: 'virbr10', stp: true, delay: 0 },
      ips: [{ family: 'ipv4', address: '192.168.100.1', prefix: 24, dhcpRanges: [{ start: '192.168.100.2', end: '192.168.100.254' }], dhcpHosts: [] }],
      dnsHosts: [],
      dns: { forwarders: [], txts: [], srvs: [] },
      routes: [],
    });
    expect(xml).toBe(
      '<network>\n  <name>lab</name>\n  <forward mode="nat"/>\n  <bridge name="virbr10" stp="on" delay="0"/>\n' +
        '  <ip address="192.168.100.1" prefix="24">\n    <dhcp>\n      <range start="192.168.100.2" end="192.168.100.254"/>\n    </dhcp>\n  </ip>\n</network>\n',
    );
  });
});

describe('reserializeXml', () => {
  it('writes a document as an edit would, so a line diff shows only what the edit changed', () => {
    const xml = readFixture('network/default.xml');
    const edited = applyNetworkDefinition(xml, { ...parseNetworkXml(xml), mtu: 1400 });
    const before = reserializeXml(xml, 'network').split('\n');
    const after = edited.split('\n');
    expect(canonicalXml(reserializeXml(xml, 'network'))).toBe(canonicalXml(xml));
    expect(after.filter((line) => !before.includes(line))).toEqual(["  <mtu size=\"1400\"/>"]);
    expect(before.filter((line) => !after.includes(line))).toEqual([]);
  });
});
