import { describe, expect, it } from 'vitest';
import { switchyardError } from '../../shared/libvirt/test-support';
import type { Network, Snapshot, Vm } from '../../shared/model';
import type { ChangeScope, NicHost } from '../host/nics';
import { attachNic, detachNic, moveNic } from './nic-management';

type Call = [operation: string, vm: string, detail: string, scope: ChangeScope];

/** Records what the core would ask libvirt. */
function recordingHost(): NicHost & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    attachNic: async (vm, xml, scope) => void calls.push(['attach', vm, xml, scope]),
    moveNic: async (vm, mac, network, scope) => void calls.push(['move', vm, `${mac}→${network}`, scope]),
    detachNic: async (vm, type, mac, scope) => void calls.push(['detach', vm, `${type} ${mac}`, scope]),
    readAgentAddresses: async () => [],
  };
}

const network = (name: string, active: boolean): Network => ({
  name,
  uuid: `uuid-${name}`,
  active,
  autostart: false,
  persistent: true,
  forward: { mode: 'nat' },
  ips: [],
  dnsHosts: [],
  dns: { forwarders: [], txts: [], srvs: [] },
  routes: [],
});

const vm = (name: string, state: Vm['state'], persistent: boolean, mac: string): Vm => ({
  name,
  uuid: `uuid-${name}`,
  state,
  persistent,
  nics: [{ type: 'network', mac, network: 'default', ...(state === 'running' ? { tap: 'vnet0' } : {}) }],
});

const snapshot: Snapshot = {
  connection: { uri: 'qemu:///system', state: 'connected' },
  networks: [network('default', true), network('lab', true), network('spare', false)],
  vms: [vm('web', 'running', true, '52:54:00:00:00:01'), vm('db', 'shut off', true, '52:54:00:00:00:02'), vm('scratch', 'running', false, '52:54:00:00:00:03')],
  leases: [],
  leaseProblems: [],
  hostInterfaces: [],
};

describe('NIC management', () => {
  it('hot-plugs into a running persistent VM and adds to its definition, with a generated MAC', async () => {
    const host = recordingHost();
    const change = await attachNic(host, snapshot, { vm: 'web', network: 'lab' });
    expect(change.mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect(host.calls).toEqual([
      ['attach', 'web', `<interface type="network"><mac address="${change.mac}"/><source network="lab"/><model type="virtio"/></interface>`, { live: true, config: true }],
    ]);
  });

  it('changes only the definition of a stopped VM, and only the running one of a transient VM', async () => {
    const host = recordingHost();
    await attachNic(host, snapshot, { vm: 'db', network: 'spare', model: 'rtl8139', mac: '52:54:00:00:00:aa' });
    await moveNic(host, snapshot, { vm: 'scratch', mac: '52:54:00:00:00:03', network: 'lab' });
    await detachNic(host, snapshot, { vm: 'web', mac: '52:54:00:00:00:01' });
    expect(host.calls.map(([operation, name, , scope]) => [operation, name, scope])).toEqual([
      ['attach', 'db', { live: false, config: true }],
      ['move', 'scratch', { live: true, config: false }],
      ['detach', 'web', { live: true, config: true }],
    ]);
    expect(host.calls[0]![2]).toContain('<model type="rtl8139"/>');
    expect(host.calls[2]![2]).toBe('network 52:54:00:00:00:01');
  });

  it('refuses, before asking libvirt, what cannot work, naming the field', async () => {
    const host = recordingHost();
    await expect(attachNic(host, snapshot, { vm: 'nope', network: 'lab' })).rejects.toThrow(switchyardError('not-found', 'vm'));
    await expect(attachNic(host, snapshot, { vm: 'web', network: 'nope' })).rejects.toThrow(switchyardError('not-found', 'network'));
    // A running VM cannot join a network whose bridge does not exist; a stopped one can (see above).
    await expect(attachNic(host, snapshot, { vm: 'web', network: 'spare' })).rejects.toThrow(switchyardError('invalid-input', 'network'));
    await expect(attachNic(host, snapshot, { vm: 'web', network: 'lab', mac: '52:54:00:00:00:02' })).rejects.toThrow(/VM "db"/);
    await expect(moveNic(host, snapshot, { vm: 'web', mac: '52:54:00:00:00:01', network: 'default' })).rejects.toThrow(switchyardError('invalid-input', 'network'));
    await expect(detachNic(host, snapshot, { vm: 'web', mac: '52:54:00:00:00:99' })).rejects.toThrow(switchyardError('not-found', 'mac'));
    expect(host.calls).toEqual([]);
  });
});
