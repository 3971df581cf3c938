// Every coloured status chip in the app, built on one StatusChip so that a state looks the same
// wherever it appears.
import Chip from '@mui/material/Chip';
import { alpha, useTheme } from '@mui/material/styles';
import type { Connection, ForwardMode, VmState } from '../../../shared/model';

type Tone = 'success' | 'warning' | 'error' | 'info' | 'primary' | 'secondary' | 'neutral';

interface StatusChipProps {
  label: string;
  tone: Tone;
  /** A leading dot, for chips that say whether something is up rather than what kind it is. */
  dot?: boolean;
  title?: string;
}

export function StatusChip({ label, tone, dot = false, title }: StatusChipProps) {
  const theme = useTheme();
  const dark = theme.palette.mode === 'dark';
  const main = tone === 'neutral' ? theme.palette.text.secondary : theme.palette[tone].main;
  const text = tone === 'neutral' ? theme.palette.text.secondary : dark ? theme.palette[tone].light : theme.palette[tone].dark;
  return (
    <Chip
      size="small"
      label={label}
      title={title}
      sx={{
        height: 22,
        fontSize: 12,
        color: text,
        bgcolor: alpha(main, dark ? 0.16 : 0.09),
        border: `1px solid ${alpha(main, dark ? 0.4 : 0.28)}`,
        '& .MuiChip-label': { px: 1 },
        ...(dot && {
          '&::before': { content: '""', width: 6, height: 6, borderRadius: '50%', bgcolor: main, ml: 1, mr: -0.25 },
        }),
      }}
    />
  );
}

const FORWARD_MODES: Record<ForwardMode, { label: string; tone: Tone; description: string }> = {
  nat: { label: 'NAT', tone: 'primary', description: 'Guests reach outside through NAT on the host' },
  route: { label: 'Routed', tone: 'secondary', description: 'Traffic is routed by the host without NAT' },
  open: { label: 'Open', tone: 'warning', description: 'Routed with no firewall rules added by libvirt' },
  isolated: { label: 'Isolated', tone: 'neutral', description: 'Guests reach only each other and the host' },
  bridge: { label: 'Bridge', tone: 'success', description: 'Guests join an existing host bridge' },
  private: { label: 'Private', tone: 'info', description: 'macvtap private mode' },
  vepa: { label: 'VEPA', tone: 'info', description: 'macvtap VEPA mode' },
  passthrough: { label: 'Passthrough', tone: 'info', description: 'macvtap passthrough mode' },
  hostdev: { label: 'Hostdev', tone: 'info', description: 'SR-IOV virtual functions assigned to guests' },
};

export function ForwardModeChip({ mode }: { mode: ForwardMode }) {
  const { label, tone, description } = FORWARD_MODES[mode];
  return <StatusChip label={label} tone={tone} title={description} />;
}

export function NetworkStateChip({ active }: { active: boolean }) {
  return <StatusChip dot label={active ? 'Active' : 'Inactive'} tone={active ? 'success' : 'neutral'} />;
}

const VM_STATE_TONES: Record<VmState, Tone> = {
  running: 'success',
  idle: 'success',
  paused: 'warning',
  'in shutdown': 'warning',
  'shut off': 'neutral',
  crashed: 'error',
  pmsuspended: 'info',
  unknown: 'neutral',
};

export function VmStateChip({ state }: { state: VmState }) {
  return <StatusChip dot label={capitalize(state)} tone={VM_STATE_TONES[state]} />;
}

/** The libvirt connection's state, or "service-lost" when the page cannot reach Switchyard to know it. */
export type ConnectionChipState = Connection['state'] | 'service-lost';

const CONNECTION_STATES: Record<ConnectionChipState, { label: string; tone: Tone }> = {
  connected: { label: 'Connected', tone: 'success' },
  connecting: { label: 'Connecting', tone: 'warning' },
  disconnected: { label: 'Disconnected', tone: 'error' },
  'service-lost': { label: 'Service offline', tone: 'warning' },
};

export function ConnectionStateChip({ state }: { state: ConnectionChipState }) {
  const { label, tone } = CONNECTION_STATES[state];
  return <StatusChip dot label={label} tone={tone} />;
}

/** A kernel link's operstate (up, down, unknown, lowerlayerdown, ...). */
export function LinkStateChip({ operState }: { operState: string }) {
  const state = operState.toLowerCase();
  const tone: Tone = state === 'up' ? 'success' : state === 'down' || state === 'lowerlayerdown' ? 'error' : 'neutral';
  return <StatusChip dot label={capitalize(state)} tone={tone} />;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
