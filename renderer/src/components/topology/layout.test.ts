import { describe, expect, it } from 'vitest';
import type { TopologyGraph, TopologyNode } from '../../../../shared/topology/graph';
import { layoutTopology, nodeBox } from './layout';

const network = (name: string): TopologyNode => ({
  id: `network:${name}`,
  dimmed: false,
  data: { kind: 'network', name, mode: 'nat', active: true, gateways: [], dhcpRanges: [], natInEffect: true },
});
const port = (name: string): TopologyNode => ({ id: `port:${name}`, dimmed: false, data: { kind: 'port', name, linkKind: 'tun', operState: 'up' } });
const vm = (name: string, nics: number): TopologyNode => ({
  id: `vm:${name}`,
  dimmed: false,
  data: { kind: 'vm', name, state: 'running', persistent: true, nics: Array.from({ length: nics }, () => ({})) },
});
const edge = (source: string, target: string, kind: 'uplink' | 'port' | 'nic') => ({ id: `${source}->${target}`, source, target, kind });

const uplink: TopologyNode = { id: 'uplink:eno1', dimmed: false, data: { kind: 'uplink', name: 'eno1', carrier: true, wireless: false, addresses: [], defaultRoute: true } };

// An uplink, two networks with two ports each, one VM on both networks, two on one each, and a
// VM without NICs; listed out of order, as a host reports them.
const graph: TopologyGraph = {
  nodes: [
    vm('lonely', 0),
    vm('web', 2),
    port('vnet2'),
    network('b'),
    vm('db', 1),
    port('vnet0'),
    uplink,
    port('vnet1'),
    network('a'),
    port('vnet3'),
    vm('cache', 1),
  ],
  edges: [
    edge('uplink:eno1', 'network:a', 'uplink'),
    edge('uplink:eno1', 'network:b', 'uplink'),
    edge('network:a', 'port:vnet0', 'port'),
    edge('network:a', 'port:vnet1', 'port'),
    edge('network:b', 'port:vnet2', 'port'),
    edge('network:b', 'port:vnet3', 'port'),
    edge('port:vnet0', 'vm:web', 'nic'),
    edge('port:vnet2', 'vm:web', 'nic'),
    edge('port:vnet1', 'vm:db', 'nic'),
    edge('port:vnet3', 'vm:cache', 'nic'),
  ],
};

describe('layoutTopology', () => {
  it('puts each kind in its column, left to right, spaced by the widest node', async () => {
    const positions = await layoutTopology(graph);
    const x = (id: string) => positions.get(id)!.x;
    expect(x('uplink:eno1')).toBe(0);
    expect(x('network:a')).toBe(x('network:b'));
    expect(x('network:a')).toBeGreaterThan(nodeBox(uplink).width);
    expect(x('port:vnet0')).toBeGreaterThan(x('network:a') + nodeBox(network('a')).width);
    for (const id of ['vm:web', 'vm:db', 'vm:cache', 'vm:lonely']) expect(x(id)).toBeGreaterThan(x('port:vnet0'));
  });

  it('lets no two nodes of a column overlap', async () => {
    const positions = await layoutTopology(graph);
    const boxes = graph.nodes.map((node) => ({ ...positions.get(node.id)!, ...nodeBox(node) }));
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap).toBe(false);
      }
    }
  });
});
