import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useState, type ReactNode } from 'react';
import type { DhcpHost, DnsHost, ErrorValue, Network } from '../../../shared/model';
import { useAppStore } from '../store';
import { DetailSection } from './DetailSection';
import { DnsHostDialog, ReservationDialog } from './HostEntryDialogs';
import { AddIcon, DeleteIcon, EditIcon } from './icons';
import { Mono } from './Mono';

type Editing =
  | { kind: 'reservation'; original?: DhcpHost }
  | { kind: 'dns'; original?: DnsHost }
  | undefined;

/** A network's DHCP reservations and DNS host records, each with edit and remove. */
export function HostEntriesSection({ network }: { network: Network }) {
  const changeHostEntries = useAppStore((s) => s.changeHostEntries);
  const [editing, setEditing] = useState<Editing>();
  const [error, setError] = useState<ErrorValue>();
  // DHCPv6 hosts (by DUID) are shown, but reservations here are the MAC-based IPv4 kind.
  const reservations = network.ips.flatMap((ip) => ip.dhcpHosts);
  const canReserve = network.active && network.ips.some((ip) => ip.family === 'ipv4');

  const remove = async (run: () => Promise<ErrorValue | undefined>) => setError(await run());

  return (
    <DetailSection title={`Reservations and DNS entries`}>
      {error && (
        <Alert severity="error" onClose={() => setError(undefined)} sx={{ mb: 1.5 }}>
          {error.message} {error.hint}
        </Alert>
      )}
      <EntryList
        title={`DHCP reservations (${reservations.length})`}
        testId="reservations"
        empty="No reserved addresses. Reserve one from a lease, or add one here."
        addLabel="Add reservation"
        onAdd={canReserve ? () => setEditing({ kind: 'reservation' }) : undefined}
        entries={reservations.map((host) => ({
          key: `${host.mac ?? host.id ?? host.name}-${host.ip}`,
          testId: `reservation-${host.ip}`,
          content: (
            <>
              <Mono>{host.ip}</Mono> ← <Mono muted>{host.mac ?? host.id ?? '?'}</Mono>
              {host.name && <Box component="span" sx={{ color: 'text.secondary' }}>{` (${host.name})`}</Box>}
            </>
          ),
          // Only MAC-based entries are edited here; DUID-based DHCPv6 hosts are shown as they are.
          ...(host.mac && network.active
            ? {
                onEdit: () => setEditing({ kind: 'reservation', original: host }),
                onRemove: () =>
                  void remove(() =>
                    changeHostEntries('removeReservation', {
                      network: network.name,
                      mac: host.mac!,
                      ip: host.ip,
                      ...(host.name ? { name: host.name } : {}),
                    }),
                  ),
              }
            : {}),
        }))}
      />
      <EntryList
        title={`DNS host entries (${network.dnsHosts.length})`}
        testId="dns-hosts"
        empty="No DNS host entries."
        addLabel="Add DNS entry"
        onAdd={network.active ? () => setEditing({ kind: 'dns' }) : undefined}
        entries={network.dnsHosts.map((host) => ({
          key: host.ip,
          testId: `dns-host-${host.ip}`,
          content: (
            <>
              <Mono>{host.ip}</Mono> → {host.hostnames.join(', ')}
            </>
          ),
          ...(network.active
            ? {
                onEdit: () => setEditing({ kind: 'dns', original: host }),
                onRemove: () => void remove(() => changeHostEntries('removeDnsHost', { network: network.name, ...host })),
              }
            : {}),
        }))}
      />
      {editing?.kind === 'reservation' && (
        <ReservationDialog
          network={network}
          initial={{ mac: editing.original?.mac ?? '', ip: editing.original?.ip ?? '', name: editing.original?.name ?? '' }}
          {...(editing.original ? { original: editing.original } : {})}
          onClose={() => setEditing(undefined)}
        />
      )}
      {editing?.kind === 'dns' && (
        <DnsHostDialog network={network} {...(editing.original ? { original: editing.original } : {})} onClose={() => setEditing(undefined)} />
      )}
    </DetailSection>
  );
}

interface Entry {
  key: string;
  testId: string;
  content: ReactNode;
  onEdit?: () => void;
  onRemove?: () => void;
}

function EntryList({
  title,
  testId,
  empty,
  addLabel,
  onAdd,
  entries,
}: {
  title: string;
  testId: string;
  empty: string;
  addLabel: string;
  onAdd: (() => void) | undefined;
  entries: readonly Entry[];
}) {
  return (
    <Box data-testid={testId} sx={{ '& + &': { mt: 2 } }}>
      <Box sx={{ display: 'flex', alignItems: 'center', mb: 0.5 }}>
        <Typography variant="body2" sx={{ fontWeight: 600, flex: 1 }}>
          {title}
        </Typography>
        {onAdd && (
          <Button size="small" startIcon={<AddIcon />} onClick={onAdd}>
            {addLabel}
          </Button>
        )}
      </Box>
      {entries.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          {empty}
        </Typography>
      ) : (
        entries.map((entry) => (
          <Box
            key={entry.key}
            data-testid={entry.testId}
            sx={{ display: 'flex', alignItems: 'center', gap: 1, py: 0.25, fontSize: 14, borderBottom: 1, borderColor: 'divider' }}
          >
            <Box sx={{ flex: 1, minWidth: 0, overflowWrap: 'anywhere' }}>{entry.content}</Box>
            {entry.onEdit && (
              <Tooltip title="Edit">
                <IconButton size="small" aria-label="Edit" onClick={entry.onEdit}>
                  <EditIcon fontSize="small" />
                </IconButton>
              </Tooltip>
            )}
            {entry.onRemove && (
              <Tooltip title="Remove">
                <IconButton size="small" aria-label="Remove" onClick={entry.onRemove} data-testid={`${entry.testId}-remove`}>
                  <DeleteIcon fontSize="small" />
                </IconButton>
              </Tooltip>
            )}
          </Box>
        ))
      )}
    </Box>
  );
}
