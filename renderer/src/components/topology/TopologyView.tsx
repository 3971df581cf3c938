// The topology tab: the host's uplinks, bridges and networks, their ports and the VMs behind
// them, laid out automatically and kept live. Dragging a VM onto a network adds a NIC, dragging
// a NIC's edge onto another network moves it, and the context menu or details panel detaches it.
import '@xyflow/react/dist/style.css';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Drawer from '@mui/material/Drawer';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import { useTheme } from '@mui/material/styles';
import useMediaQuery from '@mui/material/useMediaQuery';
import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Edge,
  type Node,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Snapshot, Vm } from '../../../../shared/model';
import { buildTopologyGraph, type TopologyEdge, type TopologyGraph } from '../../../../shared/topology/graph';
import { useAppStore } from '../../store';
import { EmptyState } from '../EmptyState';
import { layoutTopology, nodeBox, type Positions } from './layout';
import { AttachNicDialog, ConfirmDialog } from './NicDialogs';
import { TopologyDetails, type NicCommands } from './TopologyDetails';
import { TopologyLegend } from './TopologyLegend';
import { kindColour, TopologyNodeView, type FlowNode } from './TopologyNodeView';
import { useNicActions } from './useNicActions';

const NODE_TYPES = { topology: TopologyNodeView };
const PANE_WIDTH = 400;
const FIT_OPTIONS = { padding: 0.08, maxZoom: 1.1 };

type PendingChange =
  | { kind: 'attach'; vm: string; network: string }
  | { kind: 'move'; vm: string; mac: string; network: string }
  | { kind: 'detach'; vm: string; mac: string };

interface ContextMenuState {
  x: number;
  y: number;
  vm: string;
  /** The NIC the menu is about; absent for a VM's own menu. */
  mac?: string;
}

export function TopologyView({ snapshot }: { snapshot: Snapshot }) {
  return (
    <ReactFlowProvider>
      <TopologyCanvas snapshot={snapshot} />
    </ReactFlowProvider>
  );
}

/** Layout depends only on which nodes and edges exist and how big the nodes are. */
function structureKey(graph: TopologyGraph): string {
  const nodes = graph.nodes.map((node) => `${node.id}:${nodeBox(node).height}`);
  return JSON.stringify([nodes, graph.edges.map((edge) => edge.id)]);
}

function TopologyCanvas({ snapshot }: { snapshot: Snapshot }) {
  const theme = useTheme();
  const wide = useMediaQuery(theme.breakpoints.up('lg'));
  // Tall enough that the open legend leaves most of the diagram free.
  const roomy = useMediaQuery('(min-width: 1200px) and (min-height: 1000px)', { noSsr: true });
  const themeMode = useAppStore((s) => s.themeMode);
  const flow = useReactFlow<FlowNode, Edge>();
  const graph = useMemo(() => buildTopologyGraph(snapshot, snapshot.hostTopology), [snapshot]);
  const key = useMemo(() => structureKey(graph), [graph]);
  const [positions, setPositions] = useState<Positions>(new Map());
  const fitted = useRef(false);
  // Until the user pans or zooms, the diagram is refitted when its pane changes size (a window
  // resize, the details panel opening) or its layout changes; afterwards their view is kept.
  const userMoved = useRef(false);
  const paneRef = useRef<HTMLDivElement>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [drag, setDrag] = useState<{ id: string; x: number; y: number; over?: string } | null>(null);
  const [pending, setPending] = useState<PendingChange | null>(null);
  const [menu, setMenu] = useState<ContextMenuState | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const actions = useNicActions();

  // Relayout when the structure changes; positions of a finished layout replace the old ones
  // only if no newer layout started meanwhile. Once the user has panned or zoomed the viewport is
  // never touched again, so live updates keep their zoom and pan.
  useEffect(() => {
    let current = true;
    void layoutTopology(graph).then((next) => {
      if (!current) return;
      setPositions(next);
      if (fitted.current && userMoved.current) return;
      fitted.current = true;
      // Fit once the nodes of the layout are rendered.
      requestAnimationFrame(() => void flow.fitView(FIT_OPTIONS));
    });
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the key stands for the graph's structure
  }, [key]);

  // The pane exists only once there is something to draw.
  const hasNodes = graph.nodes.length > 0;
  useEffect(() => {
    const pane = paneRef.current;
    if (!pane) return;
    const observer = new ResizeObserver(() => {
      // A frame later, once React Flow has measured the new size too.
      if (fitted.current && !userMoved.current) requestAnimationFrame(() => void flow.fitView(FIT_OPTIONS));
    });
    observer.observe(pane);
    return () => observer.disconnect();
  }, [flow, hasNodes]);

  // Escape closes the details, wherever the focus is (the narrow window's drawer handles it
  // itself only while it holds the focus). Dialogs and menus stop the key before it gets here.
  useEffect(() => {
    if (!selectedId) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) setSelectedId(null);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [selectedId]);

  const nodes: FlowNode[] = useMemo(
    () =>
      graph.nodes.flatMap((node) => {
        const position = drag?.id === node.id ? { x: drag.x, y: drag.y } : positions.get(node.id);
        if (!position) return [];
        return [
          {
            id: node.id,
            type: 'topology' as const,
            position,
            ...nodeBox(node),
            data: { topology: node, dropTarget: drag?.over === node.id },
            selected: node.id === selectedId,
            draggable: node.data.kind === 'vm',
            connectable: node.data.kind === 'network',
          },
        ];
      }),
    [graph, positions, drag, selectedId],
  );

  const edges: Edge[] = useMemo(
    () =>
      graph.edges.map((edge) => {
        const movable = edge.kind === 'nic' && edge.vm !== undefined && edge.mac !== undefined;
        return {
          id: edge.id,
          source: edge.source,
          target: edge.target,
          data: { topology: edge },
          ...(edge.badge ? { label: edge.badge, labelStyle: { fontWeight: 700, fontSize: 11 } } : {}),
          reconnectable: movable ? ('source' as const) : false,
          animated: false,
          style: {
            stroke: edge.kind === 'uplink' ? theme.palette.primary.main : theme.palette.text.secondary,
            strokeWidth: edge.kind === 'uplink' ? 2 : 1.4,
            ...(edge.inactive && { strokeDasharray: '5 4' }),
          },
          markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14 },
        };
      }),
    [graph, theme],
  );

  const vmByName = useMemo(() => new Map(snapshot.vms.map((vm) => [vm.name, vm])), [snapshot.vms]);
  const isRunning = (vm: Vm | undefined) => vm !== undefined && vm.state !== 'shut off' && vm.state !== 'crashed';


  /** Runs a confirmed move or detach; true when it went through. */
  const applyChange = async (change: Exclude<PendingChange, { kind: 'attach' }>): Promise<boolean> => {
    if (change.kind === 'move') return (await actions.move({ vm: change.vm, mac: change.mac, network: change.network })) !== undefined;
    const result = await actions.detach({ vm: change.vm, mac: change.mac });
    if (result?.unplugPending) setNotice(`${result.vm} has not released NIC ${result.mac} yet: it is gone from the VM’s definition, but the running guest must acknowledge the PCI unplug (its OS needs hot-plug support). It disappears when the guest does, or at the next reset.`);
    return result !== undefined;
  };

  // Moves and detaches disconnect a running VM: they wait for confirmation. A stopped VM's
  // definition changes at once.
  const changeOrConfirm = (change: Exclude<PendingChange, { kind: 'attach' }>) => {
    if (isRunning(vmByName.get(change.vm))) setPending(change);
    else void applyChange(change);
  };
  const commands: NicCommands = {
    attach: (vm) => setPending({ kind: 'attach', vm, network: snapshot.networks.find((n) => n.active)?.name ?? snapshot.networks[0]?.name ?? '' }),
    move: (vm, mac, network) => changeOrConfirm({ kind: 'move', vm, mac, network }),
    detach: (vm, mac) => changeOrConfirm({ kind: 'detach', vm, mac }),
  };

  const networkUnder = useCallback(
    (node: Node) => flow.getIntersectingNodes(node).find((candidate) => candidate.id.startsWith('network:'))?.id,
    [flow],
  );
  /** The name of the network whose card is at this point of the window. */
  const networkAt = (clientX: number, clientY: number): string | undefined => {
    const { x, y } = flow.screenToFlowPosition({ x: clientX, y: clientY });
    const hit = flow.getIntersectingNodes({ x, y, width: 1, height: 1 }).find((candidate) => candidate.id.startsWith('network:'));
    return hit?.id.slice('network:'.length);
  };

  const closePending = () => {
    setPending(null);
    actions.clearError();
  };

  const selected = graph.nodes.find((node) => node.id === selectedId);
  const panel = selected && (
    <TopologyDetails node={selected} networks={snapshot.networks} busy={actions.pending} commands={commands} onClose={() => setSelectedId(null)} />
  );

  if (!hasNodes) {
    return <EmptyState title="Nothing to draw yet">The topology appears once Switchyard has read libvirt and the host’s links.</EmptyState>;
  }

  const pendingVm = pending ? vmByName.get(pending.vm) : undefined;
  return (
    <Box sx={{ display: 'flex', gap: 2, height: '100%', minHeight: 0 }}>
      <Paper ref={paneRef} sx={{ flex: 1, minWidth: 0, minHeight: 0, overflow: 'hidden' }} data-testid="topology-diagram">
        <ReactFlow<FlowNode, Edge>
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          colorMode={themeMode}
          minZoom={0.05}
          maxZoom={2}
          nodesConnectable={false}
          elementsSelectable
          onlyRenderVisibleElements
          proOptions={{ hideAttribution: true }}
          onMove={(event) => {
            // Only gestures that moved the view carry an event (a click does not move it); fitView
            // and the zoom buttons, handled below, do not.
            if (event) userMoved.current = true;
          }}
          onNodeClick={(_, node) => setSelectedId(node.id)}
          onPaneClick={() => setSelectedId(null)}
          onNodeDrag={(_, node) => setDrag({ id: node.id, x: node.position.x, y: node.position.y, over: networkUnder(node) })}
          onNodeDragStop={(_, node) => {
            const network = networkUnder(node);
            setDrag(null);
            if (network) setPending({ kind: 'attach', vm: node.id.slice('vm:'.length), network: network.slice('network:'.length) });
          }}
          // React Flow draws the grips on edge ends only when onReconnect is given. Handles are
          // never connectable, so it is not called: the drop is handled where the drag ends.
          onReconnect={() => undefined}
          onReconnectEnd={(event, old) => {
            // Handles are only anchors: the NIC's end is dropped anywhere on a network's card.
            const edge = (old.data as { topology: TopologyEdge }).topology;
            const point = 'changedTouches' in event ? event.changedTouches[0] : event;
            const network = point && networkAt(point.clientX, point.clientY);
            if (edge.vm && edge.mac && network && network !== edge.network) commands.move(edge.vm, edge.mac, network);
          }}
          onEdgeContextMenu={(event, edge) => {
            const data = (edge.data as { topology: TopologyEdge }).topology;
            if (!data.vm || !data.mac) return;
            event.preventDefault();
            setMenu({ x: event.clientX, y: event.clientY, vm: data.vm, mac: data.mac });
          }}
          onNodeContextMenu={(event, node) => {
            if (!node.id.startsWith('vm:')) return;
            event.preventDefault();
            setMenu({ x: event.clientX, y: event.clientY, vm: node.id.slice('vm:'.length) });
          }}
        >
          <Background gap={24} size={1} />
          <Controls
            showInteractive={false}
            onZoomIn={() => (userMoved.current = true)}
            onZoomOut={() => (userMoved.current = true)}
            onFitView={() => (userMoved.current = false)}
          />
          <MiniMap
            pannable
            zoomable
            nodeColor={(node) => kindColour((node as FlowNode).data.topology, theme)}
            nodeStrokeWidth={2}
            style={roomy ? { width: 160, height: 110 } : { width: 120, height: 80 }}
          />
          {/* Beside the zoom controls, where it covers the least of a fitted diagram. */}
          <Panel position="bottom-left" style={{ marginLeft: 56 }}>
            <TopologyLegend roomy={roomy} />
          </Panel>
          {snapshot.hostError && (
            <Panel position="top-right">
              <Alert severity="info" sx={{ maxWidth: 360 }}>
                {snapshot.hostError.message}
              </Alert>
            </Panel>
          )}
        </ReactFlow>
      </Paper>
      {wide ? (
        panel && <Paper component="aside" sx={{ width: PANE_WIDTH, flexShrink: 0, overflowY: 'auto' }}>{panel}</Paper>
      ) : (
        <Drawer anchor="right" open={Boolean(panel)} onClose={() => setSelectedId(null)} slotProps={{ paper: { sx: { width: Math.min(PANE_WIDTH, window.innerWidth - 48) } } }}>
          {panel}
        </Drawer>
      )}
      <Menu open={menu !== null} onClose={() => setMenu(null)} anchorReference="anchorPosition" anchorPosition={menu ? { top: menu.y, left: menu.x } : undefined}>
        {menu && !menu.mac && <MenuItem onClick={() => (commands.attach(menu.vm), setMenu(null))}>Add NIC…</MenuItem>}
        {menu &&
          (menu.mac ? [menu.mac] : (vmByName.get(menu.vm)?.nics.flatMap((nic) => (nic.mac ? [nic.mac] : [])) ?? [])).map((mac) => (
            <MenuItem key={mac} data-testid={`menu-detach-${mac}`} onClick={() => (commands.detach(menu.vm, mac), setMenu(null))}>
              Detach NIC {mac}
            </MenuItem>
          ))}
      </Menu>
      {pending?.kind === 'attach' && pendingVm && (
        <AttachNicDialog
          vm={pendingVm}
          network={pending.network}
          networks={snapshot.networks}
          vms={snapshot.vms}
          pending={actions.pending}
          error={actions.error}
          onClose={closePending}
          onSubmit={(choice) => void actions.attach({ vm: pending.vm, ...choice }).then((done) => done && setPending(null))}
        />
      )}
      {pending && pending.kind !== 'attach' && isRunning(pendingVm) && (
        <ConfirmDialog
          title={pending.kind === 'move' ? `Move NIC ${pending.mac} to ${pending.network}?` : `Detach NIC ${pending.mac}?`}
          text={`${pending.vm} is running: its NIC ${pending.mac} loses its connection${pending.kind === 'move' ? ` and joins network "${pending.network}" (the guest may need to renew its DHCP lease)` : ' and is removed from the VM and its definition'}.`}
          confirmLabel={pending.kind === 'move' ? 'Move NIC' : 'Detach NIC'}
          pending={actions.pending}
          error={actions.error}
          onClose={closePending}
          onConfirm={() => void applyChange(pending).then((done) => done && setPending(null))}
        />
      )}
      {notice && (
        <Alert severity="info" onClose={() => setNotice(null)} sx={{ position: 'fixed', bottom: 16, left: 16, maxWidth: 560, zIndex: 1400 }} data-testid="nic-notice">
          {notice}
        </Alert>
      )}
      {!pending && actions.error && (
        <Alert severity="error" onClose={actions.clearError} sx={{ position: 'fixed', bottom: 16, left: 16, maxWidth: 520, zIndex: 1400 }} data-testid="nic-error">
          {actions.error.message} {actions.error.hint}
        </Alert>
      )}
    </Box>
  );
}
