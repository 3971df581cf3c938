import { describe, expect, it } from 'vitest';
import type { Vm } from '../../../../shared/model';
import { isPluggedIn, liveCommandTitle, nicEffect, nicsOnNetwork, vmNames } from './impact';

const vms: Vm[] = [
  {
    name: 'web',
    uuid: '1',
    state: 'running',
    persistent: true,
    nics: [
      { type: 'network', network: 'lab', mac: '52:54:00:00:00:01', tap: 'vnet0' },
      { type: 'network', network: 'default', mac: '52:54:00:00:00:02', tap: 'vnet1' },
      { type: 'network', network: 'lab', mac: '52:54:00:00:00:03', tap: 'vnet2' },
    ],
  },
  { name: 'db', uuid: '2', state: 'shut off', persistent: true, nics: [{ type: 'network', network: 'lab', mac: '52:54:00:00:00:04' }] },
  // A bridge NIC on the network's bridge is not a NIC of the network.
  { name: 'raw', uuid: '3', state: 'running', persistent: true, nics: [{ type: 'bridge', bridge: 'virbr5', mac: '52:54:00:00:00:05', tap: 'vnet3' }] },
];

describe('nicsOnNetwork', () => {
  it('lists every NIC on the network with its VM, and which are plugged in', () => {
    const nics = nicsOnNetwork(vms, 'lab');
    expect(nics).toEqual([
      { vm: 'web', state: 'running', mac: '52:54:00:00:00:01', tap: 'vnet0' },
      { vm: 'web', state: 'running', mac: '52:54:00:00:00:03', tap: 'vnet2' },
      { vm: 'db', state: 'shut off', mac: '52:54:00:00:00:04' },
    ]);
    expect(nics.map(isPluggedIn)).toEqual([true, true, false]);
    expect(vmNames(nics)).toEqual(['web', 'db']);
  });

  it('finds nothing on a network no VM uses', () => {
    expect(nicsOnNetwork(vms, 'virbr5')).toEqual([]);
  });
});

describe('nicEffect', () => {
  const [running, , stopped] = nicsOnNetwork(vms, 'lab');

  it('tells a running guest it loses connectivity only when the network goes down', () => {
    expect(nicEffect(running!, 'live')).toMatch(/^Keeps its link/);
    expect(nicEffect(running!, 'restart')).toMatch(/^Loses connectivity for a moment/);
    expect(nicEffect(running!, 'stop')).toMatch(/^Loses connectivity until/);
    expect(nicEffect(running!, 'delete')).toMatch(/^Loses connectivity; the NIC points/);
  });

  it('tells a stopped guest what it meets when it starts', () => {
    expect(nicEffect(stopped!, 'restart')).toBe('Not running; unaffected.');
    expect(nicEffect(stopped!, 'delete')).toMatch(/^Cannot start until the NIC is moved/);
  });
});

describe('liveCommandTitle', () => {
  it('names the section and whether it is added or removed', () => {
    expect(liveCommandTitle({ command: 'add', section: 'ip-dhcp-range', xml: '' })).toBe('Add DHCP range');
    expect(liveCommandTitle({ command: 'delete', section: 'dns-host', xml: '' })).toBe('Remove DNS host entry');
  });
});
