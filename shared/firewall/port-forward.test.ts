import { describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../libvirt/network-xml';
import type { Network } from '../model';
import { parseSsListeners } from './listeners';
import { forwardText, networkForwardingProblem, portForwardProblems, PortForwardFieldsSchema, subnetHolding, type StoredForward } from './port-forward';
import labListeners from './fixtures/lab-ss-listeners.txt?raw';

function network(xml: string, active = true): Network {
  return { ...parseNetworkXml(xml), active, autostart: true, persistent: true };
}

const nat = network(`<network><name>default</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
  <forward mode='nat'/><bridge name='virbr0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'><dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip>
</network>`);
const isolated = network(`<network><name>lab-isolated</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a9c</uuid>
  <bridge name='virbr-lab1'/><ip address='10.77.0.1' netmask='255.255.255.0'/></network>`);

const web = { protocol: 'tcp', hostPort: 8080, guestIp: '192.168.122.50', guestPort: 80 } as const;
const stored: StoredForward = { ...web, id: 'pf-1', network: 'default' };

const fieldsOf = (problems: { field?: string }[]) => problems.map((problem) => problem.field);

describe('portForwardProblems', () => {
  it('accepts a forward to a guest inside the subnet', () => {
    expect(portForwardProblems(web, { network: nat, existing: [] })).toEqual([]);
  });

  it('refuses networks without NAT', () => {
    expect(networkForwardingProblem(isolated)).toContain('isolated');
    expect(fieldsOf(portForwardProblems({ ...web, guestIp: '10.77.0.5' }, { network: isolated, existing: [] }))).toEqual(['network']);
  });

  it.each([
    ['10.0.0.5', "not inside default's subnet 192.168.122.0/24"],
    ['192.168.122.1', "the host's own address"],
    ['192.168.122.0', 'network or broadcast'],
    ['192.168.122.255', 'network or broadcast'],
  ])('refuses guest address %s', (guestIp, why) => {
    const [problem] = portForwardProblems({ ...web, guestIp }, { network: nat, existing: [] });
    expect(problem?.field).toBe('guestIp');
    expect(problem?.message).toContain(why);
  });

  it('refuses the same host port and protocol twice, on overlapping host addresses', () => {
    const clash = portForwardProblems({ ...web, guestIp: '192.168.122.51' }, { network: nat, existing: [stored] });
    expect(clash[0]?.message).toContain('already goes to 192.168.122.50:80 on default');
    expect(portForwardProblems({ ...web, hostAddress: '203.0.113.5' }, { network: nat, existing: [stored] })[0]?.field).toBe('hostPort');
    // Another protocol, or two distinct host addresses, do not clash.
    expect(portForwardProblems({ ...web, protocol: 'udp' }, { network: nat, existing: [stored] })).toEqual([]);
    const onAddress: StoredForward = { ...stored, hostAddress: '203.0.113.5' };
    expect(portForwardProblems({ ...web, hostAddress: '203.0.113.6' }, { network: nat, existing: [onAddress] })).toEqual([]);
  });

  it('refuses a loopback host address, which forwards never apply to', () => {
    const [problem] = portForwardProblems({ ...web, hostAddress: '127.0.0.2' }, { network: nat, existing: [] });
    expect(problem).toMatchObject({ field: 'hostAddress', message: '127.0.0.2 is a loopback address: connections to loopback stay on the host and are never forwarded.' });
  });

  it("refuses a host port a listening host service uses, from the lab's real ss output", () => {
    const listeners = parseSsListeners(labListeners);
    // dnsmasq listens on 192.168.122.1:53 (tcp and udp) in the lab.
    const dns = portForwardProblems({ ...web, hostPort: 53 }, { network: nat, existing: [], listeners });
    expect(dns[0]).toMatchObject({ field: 'hostPort' });
    expect(dns[0]?.message).toContain('192.168.122.1, port 53/tcp');
    // Limited to another host address, the forward leaves dnsmasq alone.
    expect(portForwardProblems({ ...web, hostPort: 53, hostAddress: '203.0.113.5' }, { network: nat, existing: [], listeners })).toEqual([]);
    expect(portForwardProblems(web, { network: nat, existing: [], listeners })).toEqual([]);
  });

  it('leaves loopback-only listeners alone and catches wildcard ones', () => {
    const listeners = parseSsListeners(
      ['tcp LISTEN 0 4096 127.0.0.1:8080 0.0.0.0:*', 'tcp LISTEN 0 128 [::]:2222 [::]:* users:(("sshd",pid=1,fd=3))'].join('\n'),
    );
    expect(portForwardProblems(web, { network: nat, existing: [], listeners })).toEqual([]);
    const ssh = portForwardProblems({ ...web, hostPort: 2222, hostAddress: '203.0.113.5' }, { network: nat, existing: [], listeners });
    expect(ssh[0]?.message).toContain('every address, port 2222/tcp (sshd)');
  });
});

describe('PortForwardFieldsSchema (hostile input)', () => {
  it.each([
    [{ ...web, hostPort: 0 }, 'hostPort'],
    [{ ...web, hostPort: 65536 }, 'hostPort'],
    [{ ...web, guestPort: 1.5 }, 'guestPort'],
    [{ ...web, protocol: 'sctp' }, 'protocol'],
    [{ ...web, guestIp: '192.168.122.50; nft flush ruleset' }, 'guestIp'],
    [{ ...web, hostAddress: '0x7f.1' }, 'hostAddress'],
    [{ ...web, rule: 'accept' }, ''],
  ])('refuses %j', (input, field) => {
    const result = PortForwardFieldsSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join('.')).toBe(field);
  });
});

describe('helpers', () => {
  it('finds the subnet holding a guest and writes a forward as text', () => {
    expect(subnetHolding(nat, '192.168.122.50')).toBe('192.168.122.0/24');
    expect(subnetHolding(nat, '10.0.0.1')).toBeUndefined();
    expect(forwardText(web)).toBe('*:8080/tcp → 192.168.122.50:80');
  });

  it("parses the lab's listeners, with bound devices", () => {
    expect(parseSsListeners(labListeners)).toContainEqual({ protocol: 'udp', address: '0.0.0.0', device: 'virbr0', port: 67, wildcard: true });
  });
});
