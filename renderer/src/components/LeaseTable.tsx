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
import type { Theme } from '@mui/material/styles';
import { useDeferredValue, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { findReservation } from '../../../shared/leases/host-entries';
import type { DhcpHost, Lease, LeaseProblem, Network, Snapshot } from '../../../shared/model';
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
import { CopyIcon, DownloadIcon, EditIcon } from './icons';
import { Missing, Mono } from './Mono';
import { NetworkLink } from './NetworkLink';

// Rows have one fixed height so only the visible ones need to exist (10 000 leases stay smooth).
const ROW_HEIGHT = 41;
const OVERSCAN_ROWS = 8;

interface Column {
  key: LeaseSortKey;
  label: string;
  width: number;
}

const COLUMNS: readonly Column[] = [
  { key: 'ip', label: 'IP address', width: 150 },
  { key: 'mac', label: 'MAC', width: 170 },
  { key: 'hostname', label: 'Hostname', width: 120 },
  { key: 'vm', label: 'VM', width: 165 },
  { key: 'network', label: 'Network', width: 155 },
  { key: 'clientId', label: 'Client ID', width: 180 },
  { key: 'expiresAt', label: 'Expires', width: 105 },
  { key: 'status', label: 'State', width: 100 },
  { key: 'kind', label: 'Kind', width: 90 },
];
// A network's details have less room: the same columns, those that say most first, the rest
// a horizontal scroll away.
const NARROW_ORDER: readonly LeaseSortKey[] = ['ip', 'vm', 'expiresAt', 'kind', 'mac', 'hostname', 'clientId', 'status'];
// The last column holds the row's action ("Reserve", or editing the reservation); it has no
// header and stays in view at the right edge while the others scroll under it.
const ACTION_WIDTH = 96;
const actionCell = {
  position: 'sticky',
  right: 0,
  width: ACTION_WIDTH,
  px: 1,
  bgcolor: 'background.paper',
  boxShadow: (theme: Theme) => `inset 1px 0 0 ${theme.palette.divider}`,
} as const;

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
  const columns = narrow ? NARROW_ORDER.map((key) => COLUMNS.find((c) => c.key === key)!) : COLUMNS;
  const [filter, setFilter] = useState<LeaseFilter>({ search: '', status: 'all', kind: 'all' });
  const [sort, setSort] = useState<{ key: LeaseSortKey; direction: SortDirection }>({ key: 'ip', direction: 'asc' });
  const [reserving, setReserving] = useState<{ lease: Lease; reservation?: DhcpHost }>();
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
  const reservingNetwork = reserving && byName.get(reserving.lease.network);

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
          header={
            <TableRow>
              {columns.map((column) => (
                <TableCell key={column.key} sx={{ width: column.width }} sortDirection={sort.key === column.key ? sort.direction : false}>
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
              <TableCell sx={{ ...actionCell, zIndex: 3 }} aria-label="Actions" />
            </TableRow>
          }
          columnCount={columns.length + 1}
          renderRow={(index) => {
            const lease = rows[index]!;
            const leaseNetwork = byName.get(lease.network);
            return (
              <LeaseRow
                key={`${lease.network}-${lease.ip}`}
                lease={lease}
                columns={columns}
                now={now}
                knownNetwork={leaseNetwork !== undefined}
                onReservation={
                  leaseNetwork?.active
                    ? () => setReserving({ lease, ...(lease.reserved ? { reservation: findReservation(leaseNetwork, lease) } : {}) })
                    : undefined
                }
              />
            );
          }}
        />
      )}
      {reserving && reservingNetwork && (
        <ReservationDialog
          network={reservingNetwork}
          initial={
            reserving.reservation
              ? { mac: reserving.reservation.mac ?? '', ip: reserving.reservation.ip, name: reserving.reservation.name ?? '' }
              : { mac: reserving.lease.mac ?? '', ip: reserving.lease.ip, name: reserving.lease.hostname ?? reserving.lease.vm ?? '' }
          }
          {...(reserving.reservation ? { original: reserving.reservation } : {})}
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
  header,
  columnCount,
  renderRow,
}: {
  rowCount: number;
  maxHeight: number | undefined;
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
      <Table size="small" stickyHeader aria-label="DHCP leases" aria-rowcount={rowCount + 1} sx={{ tableLayout: 'fixed', minWidth: 'max-content' }}>
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
  onReservation,
}: {
  lease: Lease;
  columns: readonly Column[];
  now: number;
  knownNetwork: boolean;
  onReservation: (() => void) | undefined;
}) {
  const expired = isLeaseExpired(lease, now);
  const cells: Record<LeaseSortKey, ReactNode> = {
    ip: <CopyableText text={lease.ip} />,
    mac: lease.mac ? <CopyableText text={lease.mac} /> : <Missing />,
    hostname: lease.hostname ? <CopyableText text={lease.hostname} plain /> : <Missing />,
    vm: lease.vm ? <Box component="span" sx={{ fontWeight: 600 }}>{lease.vm}</Box> : <Missing />,
    // A dnsmasq libvirt does not run, named by the interfaces it serves; the title shows a cut name whole.
    network: knownNetwork ? (
      <NetworkLink name={lease.network} />
    ) : (
      <Box component="span" sx={{ color: 'text.secondary' }} title={lease.network}>
        {lease.network}
      </Box>
    ),
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
    ) : (
      <Box component="span" sx={{ color: 'text.secondary' }}>
        dynamic
      </Box>
    ),
  };
  // Reservations are IPv4 DHCP host entries keyed here by MAC.
  const action = !onReservation ? null : lease.reserved ? (
    <Tooltip title="Edit this reservation">
      <IconButton size="small" aria-label={`Edit the reservation of ${lease.ip}`} onClick={onReservation} data-testid={`edit-reservation-${lease.ip}`}>
        <EditIcon fontSize="small" />
      </IconButton>
    </Tooltip>
  ) : lease.mac && lease.family === 'ipv4' ? (
    <Tooltip title="Reserve this address for this MAC">
      <Button size="small" variant="outlined" onClick={onReservation} data-testid={`reserve-${lease.ip}`} sx={{ py: 0, minWidth: 0 }}>
        Reserve
      </Button>
    </Tooltip>
  ) : null;
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
      <TableCell align="right" sx={actionCell}>
        {action}
      </TableCell>
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
