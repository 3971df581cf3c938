// A small drawing of what a network mode does to the host: two guests' taps on a bridge, and what
// lies between that bridge and the uplink — NAT, a plain route, a firewall-free path, a wall —
// or, for bridge mode, the uplink itself as a port of an existing host bridge.
import { alpha, useTheme } from '@mui/material/styles';
import type { WizardMode } from './modes';

interface ModeDiagramProps {
  mode: WizardMode;
  /** The bridge's name as chosen so far. */
  bridge: string;
}

const MIDDLE_LABEL: Partial<Record<WizardMode, string>> = { nat: 'NAT', route: 'route', open: 'open' };
const OUTSIDE_LABEL: Record<WizardMode, string> = {
  nat: 'LAN / internet',
  route: 'LAN',
  open: 'LAN / internet',
  isolated: 'LAN / internet',
  bridge: 'LAN',
};

export function ModeDiagram({ mode, bridge }: ModeDiagramProps) {
  const theme = useTheme();
  const line = theme.palette.text.secondary;
  const text = theme.palette.text.primary;
  const primary = theme.palette.primary.main;
  const box = { fill: theme.palette.background.paper, stroke: line, strokeWidth: 1.2, rx: 4 };
  const font = { fontFamily: theme.typography.fontFamily, fontSize: 10, fill: text, textAnchor: 'middle' as const };
  const bridged = mode === 'bridge';
  const middle = MIDDLE_LABEL[mode];
  // The uplink sits under the bridge when it is its port, at the right when traffic is forwarded to it.
  const uplinkX = bridged ? 88 : 176;
  return (
    <svg viewBox="0 0 320 150" role="img" aria-label={`Diagram of a ${mode} network`} data-testid="mode-diagram" style={{ width: '100%', maxWidth: 420, display: 'block' }}>
      <defs>
        <marker id="mode-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L8,4 L0,8 z" fill={line} />
        </marker>
      </defs>
      {/* The host */}
      <rect x="4" y="44" width="226" height="100" rx="8" fill={alpha(primary, 0.04)} stroke={line} strokeDasharray="4 3" />
      <text x="14" y="138" {...font} textAnchor="start" fill={line}>
        host
      </text>
      {/* Guests and their taps */}
      {[20, 92].map((x, index) => (
        <g key={x}>
          <rect x={x} y="6" width="56" height="24" {...box} />
          <text x={x + 28} y="22" {...font}>
            VM {index + 1}
          </text>
          <line x1={x + 28} y1="30" x2={x + 28} y2="62" stroke={line} strokeWidth="1.2" />
          <text x={x + 32} y="52" {...font} textAnchor="start" fontSize={8} fill={line}>
            tap
          </text>
        </g>
      ))}
      {/* The bridge */}
      <rect x="14" y="62" width="140" height="20" rx="4" fill={alpha(primary, 0.16)} stroke={primary} strokeWidth="1.4" />
      <text x="84" y="76" {...font} fontWeight={600}>
        {bridge || (bridged ? 'host bridge' : 'virbrN')}
      </text>
      {/* The uplink NIC and the outside */}
      <rect x={uplinkX} y="110" width="48" height="20" {...box} />
      <text x={uplinkX + 24} y="124" {...font}>
        eth0
      </text>
      <rect x="254" y="110" width="64" height="20" rx="10" fill={alpha(theme.palette.success.main, 0.12)} stroke={theme.palette.success.main} />
      <text x="286" y="123.5" {...font} fontSize={8}>
        {OUTSIDE_LABEL[mode]}
      </text>
      <line x1={uplinkX + 48} y1="120" x2="253" y2="120" stroke={line} strokeWidth="1.2" markerEnd="url(#mode-arrow)" />
      {bridged && (
        <>
          <line x1="112" y1="82" x2="112" y2="110" stroke={line} strokeWidth="1.2" />
          <text x="118" y="99" {...font} textAnchor="start" fontSize={8} fill={line}>
            port
          </text>
        </>
      )}
      {middle && (
        <>
          <line x1="154" y1="72" x2="177" y2="72" stroke={line} strokeWidth="1.2" markerEnd="url(#mode-arrow)" />
          <rect x="178" y="62" width="44" height="20" rx="4" fill={alpha(theme.palette.secondary.main, 0.14)} stroke={theme.palette.secondary.main} />
          <text x="200" y="76" {...font} fontWeight={600}>
            {middle}
          </text>
          <line x1="200" y1="82" x2="200" y2="109" stroke={line} strokeWidth="1.2" markerEnd="url(#mode-arrow)" />
        </>
      )}
      {mode === 'isolated' && (
        <g stroke={theme.palette.error.main} strokeWidth="2.2" strokeLinecap="round">
          <line x1="154" y1="72" x2="174" y2="72" strokeWidth="1.2" stroke={line} />
          <line x1="180" y1="64" x2="194" y2="80" />
          <line x1="194" y1="64" x2="180" y2="80" />
          <text x="187" y="96" {...font} stroke="none" fill={theme.palette.error.main} fontSize={9}>
            no way out
          </text>
        </g>
      )}
    </svg>
  );
}
