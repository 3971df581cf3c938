// The page the rendering bench loads in Chromium: the renderer's own topology view, drawing a
// generated hypervisor. window.renderTopology times ELK's layout alone, then the whole way from
// handing the view a snapshot to the fitted diagram on screen.
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { createRoot, type Root } from 'react-dom/client';
import { buildTopologyGraph } from '../shared/topology/graph';
import { layoutTopology } from '../renderer/src/components/topology/layout';
import { TopologyView } from '../renderer/src/components/topology/TopologyView';
import { createAppTheme } from '../renderer/src/theme';
import { generatedSnapshot } from './generated-topology';

export interface RenderTiming {
  nodes: number;
  edges: number;
  /** ELK's layout of the graph alone. */
  layoutMs: number;
  /** From rendering the view to the fitted diagram painted: graph, layout, React, paint. */
  firstRenderMs: number;
}

declare global {
  interface Window {
    renderTopology(networks: number, vms: number): Promise<RenderTiming>;
  }
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

let root: Root | undefined;

window.renderTopology = async (networkCount, vmCount) => {
  const snapshot = generatedSnapshot(networkCount, vmCount);
  const graph = buildTopologyGraph(snapshot, snapshot.hostTopology);
  let start = performance.now();
  await layoutTopology(graph);
  const layoutMs = performance.now() - start;

  root?.unmount();
  const container = document.getElementById('root')!;
  root = createRoot(container);
  start = performance.now();
  root.render(
    <ThemeProvider theme={createAppTheme('light')}>
      <CssBaseline />
      <div style={{ height: '100vh', padding: 16 }}>
        <TopologyView snapshot={snapshot} />
      </div>
    </ThemeProvider>,
  );
  // Nodes appear once the layout is in; the view fits them a frame later, then it is painted.
  while (!container.querySelector('.react-flow__node')) await nextFrame();
  await nextFrame();
  await nextFrame();
  return { nodes: graph.nodes.length, edges: graph.edges.length, layoutMs, firstRenderMs: performance.now() - start };
};
