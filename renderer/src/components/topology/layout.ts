// Automatic layout of the topology graph with ELK's layered algorithm, left to right: uplinks,
// then bridges and networks, then their ports, then VMs. The bundled ELK build runs in the page
// (no worker, no eval), which the CSP requires.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { TopologyGraph, TopologyNode } from '../../../../shared/topology/graph';

export interface NodeBox {
  width: number;
  height: number;
}

export type Positions = Map<string, { x: number; y: number }>;

const elk = new ELK();

/** Each node's drawn size, so ELK leaves room for it; the node components use the same sizes. */
export function nodeBox(node: TopologyNode): NodeBox {
  const data = node.data;
  switch (data.kind) {
    case 'uplink':
      return { width: 210, height: 76 };
    case 'network':
      return { width: 250, height: 96 + (data.dhcpRanges.length > 0 ? 18 : 0) };
    case 'bridge':
      return { width: 210, height: 60 };
    case 'port':
      return { width: 150, height: 50 };
    case 'vm':
      return { width: 250, height: 52 + Math.max(1, data.nics.length) * 36 };
    case 'process':
      return { width: 210, height: 60 };
  }
}

// The column each kind goes in, whatever edges say: a VM without NICs still sits with the VMs.
const LAYER: Record<TopologyNode['data']['kind'], number> = { uplink: 0, network: 1, bridge: 1, port: 2, vm: 3, process: 3 };

export async function layoutTopology(graph: TopologyGraph): Promise<Positions> {
  const result = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '90',
      'elk.spacing.nodeNode': '22',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.partitioning.activate': 'true',
      'elk.separateConnectedComponents': 'false',
    },
    children: graph.nodes.map((node) => ({
      id: node.id,
      ...nodeBox(node),
      layoutOptions: { 'elk.partitioning.partition': String(LAYER[node.data.kind]) },
    })),
    edges: graph.edges.map((edge) => ({ id: edge.id, sources: [edge.source], targets: [edge.target] })),
  });
  return new Map((result.children ?? []).map((child) => [child.id, { x: child.x ?? 0, y: child.y ?? 0 }]));
}
