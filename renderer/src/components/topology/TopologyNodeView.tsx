// How each kind of topology node looks: an uplink, a libvirt network (coloured by forward
// mode), a foreign bridge, a port, a VM with its NICs, a tap-holding process.
import Box from '@mui/material/Box';
import { alpha, useTheme, type Theme } from '@mui/material/styles';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { ReactNode } from 'react';
import type { ForwardMode } from '../../../../shared/model';
import type { TopologyNode } from '../../../../shared/topology/graph';
import { MONOSPACE_FONTS } from '../../theme';
import { nodeBox } from './layout';
import { PortForwardBadge } from '../firewall/PortForwardBadge';

export type FlowNode = Node<{ topology: TopologyNode; dropTarget: boolean }, 'topology'>;

/** The colour of each forward mode; the legend shows the same table. */
export function modeColour(mode: ForwardMode, theme: Theme): string {
  const dark = theme.palette.mode === 'dark';
  switch (mode) {
    case 'nat':
      return dark ? '#6cb6ff' : '#0b5cad';
    case 'route':
    case 'open':
      return dark ? '#56d364' : '#1a7f37';
    case 'isolated':
      return dark ? '#c297ff' : '#7a3fc4';
    case 'bridge':
      return dark ? '#f0b849' : '#9a6700';
    default:
      return dark ? '#ff9492' : '#b42318';
  }
}

export function kindColour(node: TopologyNode, theme: Theme): string {
  switch (node.data.kind) {
    case 'network':
      return modeColour(node.data.mode, theme);
    case 'uplink':
      return theme.palette.mode === 'dark' ? '#e6edf3' : '#24292f';
    case 'vm':
      return node.data.state === 'running' ? theme.palette.success.main : theme.palette.text.disabled;
    default:
      return theme.palette.text.secondary;
  }
}

const HIDDEN_HANDLE = { opacity: 0, pointerEvents: 'none' } as const;

const STATE_LABEL: Record<string, string> = { running: 'running', 'shut off': 'shut off', paused: 'paused' };

export function TopologyNodeView({ data, selected }: NodeProps<FlowNode>) {
  const theme = useTheme();
  const node = data.topology;
  const colour = kindColour(node, theme);
  const box = nodeBox(node);
  const testId = `topology-node-${node.data.kind}-${node.data.name}`;
  return (
    <Box
      data-testid={testId}
      data-kind={node.data.kind}
      sx={{
        width: box.width,
        height: box.height,
        boxSizing: 'border-box',
        px: 1.25,
        py: 0.75,
        bgcolor: 'background.paper',
        border: 1.5,
        borderColor: data.dropTarget ? 'primary.main' : selected ? 'text.primary' : alpha(colour, 0.7),
        borderStyle: node.dimmed ? 'dashed' : 'solid',
        borderLeft: `5px solid ${colour}`,
        // Ports are small round-ended pills; everything else a card.
        borderRadius: node.data.kind === 'port' ? 5 : 1.5,
        boxShadow: data.dropTarget ? `0 0 0 4px ${alpha(theme.palette.primary.main, 0.35)}` : selected ? 3 : 0,
        opacity: node.dimmed ? 0.7 : 1,
        overflow: 'hidden',
        fontSize: 12,
        lineHeight: 1.45,
        color: 'text.primary',
      }}
    >
      {/* Handles only anchor the edges: invisible, and they leave a NIC edge's end free to grab. */}
      <Handle type="target" position={Position.Left} isConnectable={false} style={HIDDEN_HANDLE} />
      <NodeBody node={node} />
      <Handle type="source" position={Position.Right} isConnectable={false} style={HIDDEN_HANDLE} />
    </Box>
  );
}

function Title({ children, aside }: { children: ReactNode; aside?: ReactNode }) {
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 0.75, minWidth: 0 }}>
      <Box component="span" sx={{ fontWeight: 700, fontSize: 13, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', flex: 1 }}>
        {children}
      </Box>
      {aside}
    </Box>
  );
}

function Badge({ children, colour }: { children: ReactNode; colour?: string }) {
  const theme = useTheme();
  const tint = colour ?? theme.palette.text.secondary;
  return (
    <Box component="span" sx={{ fontSize: 10.5, fontWeight: 700, px: 0.6, borderRadius: 0.75, color: tint, bgcolor: alpha(tint, 0.14), whiteSpace: 'nowrap', textTransform: 'uppercase' }}>
      {children}
    </Box>
  );
}

function Line({ children, mono }: { children: ReactNode; mono?: boolean }) {
  return (
    <Box sx={{ color: 'text.secondary', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', ...(mono && { fontFamily: MONOSPACE_FONTS, fontSize: 11.5 }) }}>
      {children}
    </Box>
  );
}

function NodeBody({ node }: { node: TopologyNode }) {
  const theme = useTheme();
  const data = node.data;
  switch (data.kind) {
    case 'uplink':
      return (
        <>
          <Title aside={data.defaultRoute && <Badge>default route</Badge>}>{data.name}</Title>
          <Line>
            {data.carrier ? 'carrier' : 'no carrier'}
            {data.speedMbps ? ` · ${formatSpeed(data.speedMbps)}` : ''}
            {data.wireless ? ' · wireless' : ''}
          </Line>
          <Line mono>{data.addresses.filter((a) => a.family === 'ipv4').map((a) => `${a.address}/${a.prefix}`).join(', ') || data.mac}</Line>
        </>
      );
    case 'network': {
      const colour = modeColour(data.mode, theme);
      return (
        <>
          <Title
            aside={
              <>
                <PortForwardBadge network={data.name} mode={data.mode} />
                <Badge colour={colour}>{data.mode === 'nat' && !data.natInEffect && data.active ? 'NAT (no rule)' : data.mode}</Badge>
              </>
            }
          >
            {data.name}
          </Title>
          <Line>
            {data.bridge ?? 'no bridge'} · {data.active ? 'active' : 'inactive'}
          </Line>
          <Line mono>{data.gateways.join(', ') || 'no IP'}</Line>
          {data.dhcpRanges.length > 0 && <Line mono>DHCP {data.dhcpRanges[0]}</Line>}
          <Line>{data.dnsmasq ? `dnsmasq pid ${data.dnsmasq.pid}` : data.active ? 'no dnsmasq' : '—'}</Line>
        </>
      );
    }
    case 'bridge':
      return (
        <>
          <Title aside={<Badge>not libvirt</Badge>}>{data.name}</Title>
          <Line mono>{data.addresses.map((a) => `${a.address}/${a.prefix}`).join(', ') || data.operState}</Line>
        </>
      );
    case 'port':
      return (
        <>
          <Title>{data.name}</Title>
          <Line>
            {data.linkKind === 'tun' ? 'tap' : data.linkKind} · {data.portState ?? data.operState}
          </Line>
        </>
      );
    case 'vm':
      return (
        <>
          <Title aside={<Badge colour={kindColour(node, theme)}>{STATE_LABEL[data.state] ?? data.state}</Badge>}>{data.name}</Title>
          {data.nics.length === 0 && <Line>no NICs — drag onto a network</Line>}
          {data.nics.map((nic, index) => (
            <Box key={nic.mac ?? index} sx={{ mt: 0.25 }}>
              <Line mono>
                {nic.mac ?? 'no MAC'} {nic.model ? `· ${nic.model}` : ''}
              </Line>
              <Line mono>
                {nic.ip ?? 'no IP'}
                {nic.ipSource ? ` (${nic.ipSource})` : ''} → {nic.network ?? nic.bridge ?? nic.tap ?? '?'}
              </Line>
            </Box>
          ))}
        </>
      );
    case 'process':
      return (
        <>
          <Title aside={<Badge>not libvirt</Badge>}>{data.name}</Title>
          <Line>
            {data.command} · pid {data.pid}
          </Line>
        </>
      );
  }
}

function formatSpeed(mbps: number): string {
  return mbps >= 1000 ? `${mbps / 1000} Gbit/s` : `${mbps} Mbit/s`;
}
