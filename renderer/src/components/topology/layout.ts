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
      return { width: 290, height: 96 + (data.dhcpRanges.length > 0 ? 18 : 0) };
    case 'bridge':
      return { width: 210, height: 60 };
    case 'port':
      return { width: 150, height: 50 };
    case 'vm':
      return { width: 290, height: 52 + Math.max(1, data.nics.length) * 36 };
    case 'process':
      return { width: 210, height: 60 };
  }
}

// The column each kind goes in, whatever edges say: a VM without NICs still sits with the VMs.
const COLUMN: Record<TopologyNode['data']['kind'], number> = { uplink: 0, network: 1, bridge: 1, port: 2, vm: 3, process: 3 };
const COLUMN_GAP = 90;
// Up to this many nodes ELK's crossing minimisation reorders the columns (a VM on two networks
// draws no needless crossings); beyond, it costs seconds and the depth-first order is kept.
const SWEEP_LIMIT = 300;

/**
 * Node ids in depth-first order from the uplinks: each network followed by its ports, each port
 * by its VM. ELK starts from this order within each column, and keeps it for large graphs.
 */
function treeOrder(graph: TopologyGraph): string[] {
  const children = new Map<string, string[]>();
  for (const edge of graph.edges) {
    const list = children.get(edge.source);
    if (list) list.push(edge.target);
    else children.set(edge.source, [edge.target]);
  }
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    order.push(id);
    for (const child of children.get(id) ?? []) visit(child);
  };
  for (const node of graph.nodes) visit(node.id);
  return order;
}

/**
 * ELK's layered algorithm places the nodes within their columns (BRANDES_KOEPF: each node beside
 * its neighbours, edges as straight as can be). Columns come from the node kinds (interactive
 * layering of the x given here) and are spaced by their widest node; ELK's own x, which leaves
 * room for edge routes React Flow does not use, is not kept.
 */
export async function layoutTopology(graph: TopologyGraph): Promise<Positions> {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const columnWidths = [0, 0, 0, 0];
  for (const node of graph.nodes) {
    const column = COLUMN[node.data.kind];
    columnWidths[column] = Math.max(columnWidths[column]!, nodeBox(node).width);
  }
  const columnX = columnWidths.map((_, column) => columnWidths.slice(0, column).reduce((sum, width) => sum + (width > 0 ? width + COLUMN_GAP : 0), 0));
  const rank = new Map(treeOrder(graph).map((id, index) => [id, index]));
  const result = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '22',
      'elk.layered.layering.strategy': 'INTERACTIVE',
      'elk.layered.crossingMinimization.strategy': graph.nodes.length > SWEEP_LIMIT ? 'INTERACTIVE' : 'LAYER_SWEEP',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.edgeRouting': 'POLYLINE',
      'elk.separateConnectedComponents': 'false',
    },
    children: graph.nodes.map((node) => ({ id: node.id, ...nodeBox(node), x: COLUMN[node.data.kind] * 1000, y: rank.get(node.id)! * 10 })),
    edges: graph.edges.map((edge) => ({ id: edge.id, sources: [edge.source], targets: [edge.target] })),
  });
  return new Map(
    (result.children ?? []).map((child) => [child.id, { x: columnX[COLUMN[byId.get(child.id)!.data.kind]]!, y: child.y ?? 0 }]),
  );
}
