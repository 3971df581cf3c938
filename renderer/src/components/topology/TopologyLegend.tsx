// Explains the diagram's shapes and colours. It folds away to one button, so that it does not
// cover the diagram in a small window.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import { useTheme } from '@mui/material/styles';
import { useState, type ReactElement } from 'react';
import type { ForwardMode } from '../../../../shared/model';
import { modeColour } from './TopologyNodeView';

const MODES: ReadonlyArray<[ForwardMode, string]> = [
  ['nat', 'NAT network'],
  ['route', 'routed / open network'],
  ['isolated', 'isolated network'],
  ['bridge', 'host bridge network'],
];

function Swatch({ colour, dashed, round }: { colour: string; dashed?: boolean; round?: boolean }) {
  return <Box component="span" sx={{ width: 18, height: 11, border: 1.5, borderColor: colour, borderStyle: dashed ? 'dashed' : 'solid', borderLeft: `5px solid ${colour}`, borderRadius: round ? 5 : 0.5, flexShrink: 0 }} />;
}

/** `roomy`: the window has space for the open legend, which is then shown unless the user hid it. */
export function TopologyLegend({ roomy }: { roomy: boolean }) {
  const theme = useTheme();
  const [chosen, setChosen] = useState<boolean | undefined>();
  const open = chosen ?? roomy;
  const grey = theme.palette.text.secondary;
  const rows: ReadonlyArray<[ReactElement, string]> = [
    ...MODES.map(([mode, label]): [ReactElement, string] => [<Swatch key={mode} colour={modeColour(mode, theme)} />, label]),
    [<Swatch key="uplink" colour={theme.palette.mode === 'dark' ? '#e6edf3' : '#24292f'} />, 'uplink (host NIC)'],
    [<Swatch key="port" colour={grey} round />, 'bridge port (tap, veth)'],
    [<Swatch key="vm" colour={theme.palette.success.main} />, 'VM (grey when not running)'],
    [<Swatch key="foreign" colour={grey} dashed />, 'not managed by libvirt'],
    [<Box key="edge" component="span" sx={{ width: 18, borderTop: 2, borderStyle: 'dashed', borderColor: grey }} />, 'NIC of a stopped VM'],
  ];
  return (
    <Box sx={{ bgcolor: 'background.paper', border: 1, borderColor: 'divider', borderRadius: 1, opacity: 0.95 }}>
      <Button size="small" onClick={() => setChosen(!open)} aria-expanded={open} aria-controls="topology-legend" data-testid="topology-legend-toggle" sx={{ px: 1, py: 0.25, minWidth: 0, fontSize: 12 }}>
        {open ? 'Hide legend' : 'Legend'}
      </Button>
      {open && (
        <Box
          component="figure"
          id="topology-legend"
          aria-label="Legend"
          data-testid="topology-legend"
          sx={{ m: 0, px: 1, pb: 1, pr: 1.5, fontSize: 11.5, display: 'grid', gridTemplateColumns: 'auto auto', columnGap: 1, rowGap: 0.4, alignItems: 'center' }}
        >
          {rows.map(([swatch, label]) => (
            <Box key={label} sx={{ display: 'contents' }}>
              {swatch}
              <Box component="span" sx={{ color: 'text.secondary' }}>{label}</Box>
            </Box>
          ))}
        </Box>
      )}
    </Box>
  );
}
