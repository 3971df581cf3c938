import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TableSortLabel from '@mui/material/TableSortLabel';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useDeferredValue, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Lease, LeaseProblem, Network, Snapshot } from '../../../shared/model';
import { expiryText } from '../format';
import {
  countdownText,
  filterLeases,
  isLeaseExpired,
  leasesToCsv,
  sortLeases,
  type LeaseFilter,
  type LeaseKindFilter,
  type LeaseSortKey,
  type LeaseStatusFilter,
  type SortDirection,
} from '../leaseRows';
import { useNow } from '../useNow';
import { ReservationDialog } from './HostEntryDialogs';
import { CopyIcon, DownloadIcon } from './icons';
import { Missing, Mono } from './Mono';
import { NetworkLink } from './NetworkLink';

// Rows have one fixed height so only the visible ones need to exist (10 000 leases stay smooth).
const ROW_HEIGHT = 41;
const OVERSCAN_ROWS = 8;

interface Column {
  key: LeaseSortKey;
  label: string;
  width: number;
  /** Share of the narrow table in a network's details, for the columns it keeps. */
  narrowWidth?: string;
  /** Left out of the narrow table in a network's details. */
  wideOnly?: boolean;
  /** Left out when the table is one network's. */
  allNetworksOnly?: boolean;
}

const COLUMNS: readonly Column[] = [
  { key: 'ip', label: 'IP address', width: 150, narrowWidth: '33%' },
  { key: 'mac', label: 'MAC', width: 170, wideOnly: true },
  { key: 'hostname', label: 'Hostname', width: 140, wideOnly: true },
  { key: 'vm', label: 'VM', width: 140, narrowWidth: '27%' },
  { key: 'network', label: 'Network', width: 120, allNetworksOnly: true },
  { key: 'clientId', label: 'Client ID', width: 210, wideOnly: true },
  { key: 'expiresAt', label: 'Expires', width: 110, narrowWidth: '20%' },
  { key: 'status', label: 'State', width: 100, wideOnly: true },
  { key: 'kind', label: 'Kind', width: 110, narrowWidth: '20%' },
];

interface LeaseTableProps {
  leases: readonly Lease[];
  /** Every network of the snapshot: reservations are checked against theirs. */
  networks: readonly Network[];
  problems: readonly LeaseProblem[];
  /** The one network this table is about (in its details), or undefined for all networks. */
  network?: string;
  /** Height of the scrolling rows; the table fills its parent when not given. */
  maxHeight?: number;
  emptyText: string;
}

/** The DHCP leases tab: every network's leases in one table. */
export function LeasesView({ snapshot }: { snapshot: Snapshot }) {
  return (
    <LeaseTable
      leases={snapshot.leases}
      networks={snapshot.networks}
      problems={snapshot.leaseProblems}
      emptyText={
        snapshot.connection.state === 'connected'
          ? 'No DHCP leases yet. Leases appear when a running VM asks one of the networks with DHCP for an address.'
          : 'Leases appear here once Switchyard can read them.'
      }
    />
  );
}

/** DHCP leases: searchable, filterable and sortable, with a live countdown and "Reserve". */
export function LeaseTable({ leases, networks, problems, network, maxHeight, emptyText }: LeaseTableProps) {
  const now = useNow(1000);
  const narrow = network !== undefined;
  const columns = COLUMNS.filter((c) => !(narrow && (c.wideOnly || c.allNetworksOnly)));
  const [filter, setFilter] = useState<LeaseFilter>({ search: '', status: 'all', kind: 'all' });
  const [sort, setSort] = useState<{ key: LeaseSortKey; direction: SortDirection }>({ key: 'ip', direction: 'asc' });
  const [reserving, setReserving] = useState<Lease>();
  // Typing stays responsive while a large table refilters behind it.
  const search = useDeferredValue(filter.search);
  // Expiry only matters to the "active / expired" filter; then the rows follow the clock.
  const filterNow = filter.status === 'all' ? 0 : now;
  const sorted = useMemo(() => sortLeases(leases, sort.key, sort.direction), [leases, sort]);
  const rows = useMemo(
    () => filterLeases(sorted, { ...filter, search }, filterNow),
    [sorted, filter, search, filterNow],
  );
  const byName = useMemo(() => new Map(networks.map((n) => [n.name, n])), [networks]);
  const shownProblems = problems.filter((p) => network === undefined || p.network === network);
  const reservingNetwork = reserving && byName.get(reserving.network);

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1, height: maxHeight === undefined ? '100%' : undefined, minHeight: 0 }}>
      {shownProblems.map((problem) => (
        <Alert key={problem.source} severity="warning" data-testid="lease-problem">
          Could not read <Mono>{problem.source}</Mono>: {problem.error.message} Showing the leases last read from it.
        </Alert>
      ))}
      <LeaseToolbar
        filter={filter}
        onFilter={setFilter}
        shown={rows.length}
        total={leases.length}
        narrow={narrow}
        onExport={() => downloadCsv(rows, now)}
      />
      {leases.length === 0 ? (
        <Typography variant="body2" color="text.secondary" sx={{ py: 2, textAlign: 'center' }}>
          {emptyText}
        </Typography>
      ) : (
        <VirtualRows
          rowCount={rows.length}
          maxHeight={maxHeight}
          fillWidth={narrow}
          header={
            <TableRow>
              {columns.map((column) => (
                <TableCell key={column.key} sx={{ width: narrow ? column.narrowWidth : column.width }} sortDirection={sort.key === column.key ? sort.direction : false}>
                  <TableSortLabel
                    active={sort.key === column.key}
                    direction={sort.key === column.key ? sort.direction : 'asc'}
                    onClick={() =>
                      setSort({ key: column.key, direction: sort.key === column.key && sort.direction === 'asc' ? 'desc' : 'asc' })
                    }
                  >
                    {column.label}
                  </TableSortLabel>
                </TableCell>
              ))}
            </TableRow>
          }
          columnCount={columns.length}
          renderRow={(index) => {
            const lease = rows[index]!;
            return (
              <LeaseRow
                key={`${lease.network}-${lease.ip}`}
                lease={lease}
                columns={columns}
                now={now}
                knownNetwork={byName.has(lease.network)}
                onReserve={byName.get(lease.network)?.active ? () => setReserving(lease) : undefined}
              />
            );
          }}
        />
      )}
      {reserving && reservingNetwork && (
        <ReservationDialog
          network={reservingNetwork}
          initial={{ mac: reserving.mac ?? '', ip: reserving.ip, name: reserving.hostname ?? reserving.vm ?? '' }}
          onClose={() => setReserving(undefined)}
        />
      )}
    </Box>
  );
}

function LeaseToolbar({
  filter,
  onFilter,
  shown,
  total,
  narrow,
  onExport,
}: {
  filter: LeaseFilter;
  onFilter(filter: LeaseFilter): void;
  shown: number;
  total: number;
  narrow: boolean;
  onExport(): void;
}) {
  return (
    <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
      <TextField
        size="small"
        placeholder="Search IP, MAC, host, VM…"
        value={filter.search}
        onChange={(event) => onFilter({ ...filter, search: event.target.value })}
        slotProps={{ htmlInput: { 'aria-label': 'Search leases', 'data-testid': 'lease-search' } }}
        sx={narrow ? { flex: '1 1 100%' } : { flex: '1 1 200px', maxWidth: 320 }}
      />
      <TextField
        select
        size="small"
        label="State"
        value={filter.status}
        onChange={(event) => onFilter({ ...filter, status: event.target.value as LeaseStatusFilter })}
        sx={{ width: 120 }}
      >
        <MenuItem value="all">All</MenuItem>
        <MenuItem value="active">Active</MenuItem>
        <MenuItem value="expired">Expired</MenuItem>
      </TextField>
      <TextField
        select
        size="small"
        label="Kind"
        value={filter.kind}
        onChange={(event) => onFilter({ ...filter, kind: event.target.value as LeaseKindFilter })}
        sx={{ width: 130 }}
      >
        <MenuItem value="all">All</MenuItem>
        <MenuItem value="dynamic">Dynamic</MenuItem>
        <MenuItem value="reserved">Reserved</MenuItem>
      </TextField>
      <Typography variant="body2" color="text.secondary" sx={{ flex: 1, whiteSpace: 'nowrap' }} data-testid="lease-count">
        {shown === total ? `${total} leases` : `${shown} of ${total} leases`}
      </Typography>
      {narrow ? (
        <Tooltip title="Export CSV">
          <span>
            <IconButton size="small" aria-label="Export CSV" onClick={onExport} disabled={shown === 0}>
              <DownloadIcon fontSize="small" />
            </IconButton>
          </span>
        </Tooltip>
      ) : (
        <Button size="small" startIcon={<DownloadIcon />} onClick={onExport} disabled={shown === 0}>
          Export CSV
        </Button>
      )}
    </Box>
  );
}

/** A table whose body renders only the rows in view, padded above and below to the full height. */
function VirtualRows({
  rowCount,
  maxHeight,
  fillWidth,
  header,
  columnCount,
  renderRow,
}: {
  rowCount: number;
  maxHeight: number | undefined;
  /** Columns share the container's width instead of keeping their own. */
  fillWidth: boolean;
  header: ReactNode;
  columnCount: number;
  renderRow(index: number): ReactNode;
}) {
  const container = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(maxHeight ?? 600);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setViewport(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN_ROWS);
  const last = Math.min(rowCount, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN_ROWS);
  const spacer = (height: number, key: string) =>
    height > 0 && (
      <TableRow key={key} aria-hidden sx={{ height }}>
        <TableCell colSpan={columnCount} sx={{ p: 0, border: 0 }} />
      </TableRow>
    );
  return (
    <TableContainer
      component={Paper}
      ref={container}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      sx={{ flex: 1, minHeight: 0, ...(maxHeight !== undefined ? { maxHeight } : {}) }}
      data-testid="lease-table"
    >
      <Table size="small" stickyHeader aria-label="DHCP leases" aria-rowcount={rowCount + 1} sx={{ tableLayout: 'fixed', ...(fillWidth ? { width: '100%' } : { minWidth: 'max-content' }) }}>
        <TableHead>{header}</TableHead>
        <TableBody>
          {spacer(first * ROW_HEIGHT, 'before')}
          {Array.from({ length: Math.max(0, last - first) }, (_, offset) => renderRow(first + offset))}
          {spacer((rowCount - last) * ROW_HEIGHT, 'after')}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

function LeaseRow({
  lease,
  columns,
  now,
  knownNetwork,
  onReserve,
}: {
  lease: Lease;
  columns: readonly Column[];
  now: number;
  knownNetwork: boolean;
  onReserve: (() => void) | undefined;
}) {
  const expired = isLeaseExpired(lease, now);
  const cells: Record<LeaseSortKey, ReactNode> = {
    ip: <CopyableText text={lease.ip} />,
    mac: lease.mac ? <CopyableText text={lease.mac} /> : <Missing />,
    hostname: lease.hostname ? <CopyableText text={lease.hostname} plain /> : <Missing />,
    vm: lease.vm ? <Box component="span" sx={{ fontWeight: 600 }}>{lease.vm}</Box> : <Missing />,
    network: knownNetwork ? <NetworkLink name={lease.network} /> : <Mono muted>{lease.network}</Mono>,
    clientId: lease.clientId ? <CopyableText text={lease.clientId} /> : <Missing />,
    expiresAt: (
      <Tooltip title={expiryText(lease.expiresAt, now).absolute} placement="top-start">
        <Box component="span" sx={{ color: expired ? 'error.main' : 'text.primary', fontVariantNumeric: 'tabular-nums' }}>
          {countdownText(lease.expiresAt, now)}
        </Box>
      </Tooltip>
    ),
    status: <Chip size="small" label={expired ? 'expired' : 'active'} color={expired ? 'default' : 'success'} variant="outlined" />,
    kind: lease.reserved ? (
      <Chip size="small" label="reserved" color="primary" variant="outlined" data-testid="lease-reserved" />
    ) : onReserve && lease.mac && lease.family === 'ipv4' ? (
      <Tooltip title="Reserve this address for this MAC">
        <Button size="small" variant="outlined" onClick={onReserve} data-testid={`reserve-${lease.ip}`} sx={{ py: 0, minWidth: 0 }}>
          Reserve
        </Button>
      </Tooltip>
    ) : (
      <Box component="span" sx={{ color: 'text.secondary' }}>
        dynamic
      </Box>
    ),
  };
  return (
    <TableRow
      hover
      data-testid={`lease-row-${lease.ip}`}
      sx={{
        height: ROW_HEIGHT,
        '& > td': { py: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
        '&:hover .copy-button': { visibility: 'visible' },
        ...(expired && { opacity: 0.6 }),
      }}
    >
      {columns.map((column) => (
        <TableCell key={column.key}>{cells[column.key]}</TableCell>
      ))}
    </TableRow>
  );
}

/** A value with a copy button that shows over its end when its row is hovered. */
function CopyableText({ text, plain = false }: { text: string; plain?: boolean }) {
  const [copied, setCopied] = useState(false);
  return (
    <Box component="span" sx={{ display: 'block', position: 'relative' }}>
      <Box component="span" sx={{ display: 'block', overflow: 'hidden', textOverflow: 'ellipsis' }} title={text}>
        {plain ? text : <Mono>{text}</Mono>}
      </Box>
      <Tooltip title={copied ? 'Copied' : 'Copy'} onClose={() => setCopied(false)}>
        <IconButton
          className="copy-button"
          size="small"
          aria-label={`Copy ${text}`}
          sx={{ visibility: 'hidden', p: 0.5, position: 'absolute', right: -4, top: '50%', transform: 'translateY(-50%)', bgcolor: 'background.paper', '&:hover': { bgcolor: 'background.paper' } }}
          onClick={() => void navigator.clipboard.writeText(text).then(() => setCopied(true))}
        >
          <CopyIcon sx={{ fontSize: 14 }} />
        </IconButton>
      </Tooltip>
    </Box>
  );
}

function downloadCsv(leases: readonly Lease[], now: number): void {
  const url = URL.createObjectURL(new Blob([leasesToCsv(leases, now)], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `dhcp-leases-${new Date(now).toISOString().slice(0, 19).replaceAll(':', '-')}.csv`;
  link.click();
  URL.revokeObjectURL(url);
}
