import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import type { KeyboardEvent } from 'react';
import type { Network } from '../../../shared/model';
import { cidr, dhcpRangeText } from '../format';
import { Missing, Mono } from './Mono';
import { ForwardModeChip, NetworkStateChip } from './StatusChips';

interface NetworkTableProps {
  networks: readonly Network[];
  selected: string | null;
  onSelect(name: string): void;
  /** Leaves out the less important columns when the details pane takes half the width. */
  compact: boolean;
}

export function NetworkTable({ networks, selected, onSelect, compact }: NetworkTableProps) {
  return (
    <TableContainer component={Paper} sx={{ maxHeight: '100%' }}>
      <Table size="small" stickyHeader aria-label="Virtual networks">
        <TableHead>
          <TableRow>
            <TableCell>Name</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Forward</TableCell>
            <TableCell>Bridge</TableCell>
            <TableCell>Addresses</TableCell>
            <TableCell>DHCP range</TableCell>
            {!compact && <TableCell>Autostart</TableCell>}
            {!compact && <TableCell>Persistent</TableCell>}
          </TableRow>
        </TableHead>
        <TableBody>
          {networks.map((network) => (
            <NetworkRow
              key={network.name}
              network={network}
              selected={network.name === selected}
              onSelect={onSelect}
              compact={compact}
            />
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

interface NetworkRowProps {
  network: Network;
  selected: boolean;
  onSelect(name: string): void;
  compact: boolean;
}

function NetworkRow({ network, selected, onSelect, compact }: NetworkRowProps) {
  const ranges = network.ips.flatMap((ip) => ip.dhcpRanges);
  const onKeyDown = (event: KeyboardEvent<HTMLTableRowElement>) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelect(network.name);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const sibling = event.key === 'ArrowDown' ? event.currentTarget.nextElementSibling : event.currentTarget.previousElementSibling;
      if (sibling instanceof HTMLElement) sibling.focus();
    }
  };
  return (
    <TableRow
      hover
      selected={selected}
      tabIndex={0}
      aria-selected={selected}
      aria-label={`Network ${network.name}`}
      data-testid={`network-row-${network.name}`}
      onClick={() => onSelect(network.name)}
      onKeyDown={onKeyDown}
      sx={{
        cursor: 'pointer',
        '& > td': { verticalAlign: 'top', py: 1.25 },
        '&:focus-visible': { outline: 2, outlineColor: 'primary.main', outlineOffset: -2 },
      }}
    >
      <TableCell sx={{ fontWeight: 650, whiteSpace: 'nowrap' }}>{network.name}</TableCell>
      <TableCell>
        <NetworkStateChip active={network.active} />
      </TableCell>
      <TableCell>
        <ForwardModeChip mode={network.forward.mode} />
        {network.forward.dev && (
          <Box sx={{ mt: 0.5, fontSize: 12, color: 'text.secondary' }}>
            via <Mono>{network.forward.dev}</Mono>
          </Box>
        )}
      </TableCell>
      <TableCell>{network.bridge ? <Mono>{network.bridge.name}</Mono> : <Missing />}</TableCell>
      <TableCell>
        {network.ips.length > 0 ? (
          <StackedLines nowrap lines={network.ips.map((ip) => cidr(ip))} />
        ) : (
          <Missing />
        )}
      </TableCell>
      <TableCell>{ranges.length > 0 ? <StackedLines lines={ranges.map(dhcpRangeText)} /> : <Missing />}</TableCell>
      {!compact && <TableCell>{network.autostart ? 'Yes' : 'No'}</TableCell>}
      {!compact && <TableCell>{network.persistent ? 'Yes' : 'Transient'}</TableCell>}
    </TableRow>
  );
}

/** One value per line; nowrap for values that must not break (addresses), not for ranges. */
function StackedLines({ lines, nowrap = false }: { lines: readonly string[]; nowrap?: boolean }) {
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 0.25, whiteSpace: nowrap ? 'nowrap' : undefined }}>
      {lines.map((line) => (
        <Mono key={line}>{line}</Mono>
      ))}
    </Box>
  );
}
