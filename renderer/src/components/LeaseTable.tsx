import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import type { Snapshot } from '../../../shared/model';
import { compareIps } from '../format';
import { useNow } from '../useNow';
import { EmptyState } from './EmptyState';
import { LeaseExpiry } from './LeaseExpiry';
import { Missing, Mono } from './Mono';
import { NetworkLink } from './NetworkLink';

export function LeaseTable({ snapshot }: { snapshot: Snapshot }) {
  const now = useNow();
  if (snapshot.leases.length === 0) {
    return (
      <EmptyState title="No DHCP leases yet">
        {snapshot.connection.state === 'connected'
          ? 'Leases appear when a running VM asks one of the networks with DHCP for an address. VMs with static addresses, or on networks without DHCP, do not get one.'
          : 'Leases appear here once Switchyard can read them from libvirt.'}
      </EmptyState>
    );
  }
  const leases = [...snapshot.leases].sort((a, b) => a.network.localeCompare(b.network) || compareIps(a.ip, b.ip));
  return (
    <TableContainer component={Paper} sx={{ maxHeight: '100%' }}>
      <Table size="small" stickyHeader aria-label="DHCP leases">
        <TableHead>
          <TableRow>
            <TableCell>IP address</TableCell>
            <TableCell>MAC</TableCell>
            <TableCell>Hostname</TableCell>
            <TableCell>VM</TableCell>
            <TableCell>Network</TableCell>
            <TableCell>Expires</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {leases.map((lease) => (
            <TableRow key={`${lease.network}-${lease.ip}`} data-testid={`lease-row-${lease.ip}`}>
              <TableCell>
                <Mono>{lease.ip}</Mono>
              </TableCell>
              <TableCell>{lease.mac ? <Mono>{lease.mac}</Mono> : <Missing />}</TableCell>
              <TableCell>{lease.hostname ?? <Missing />}</TableCell>
              <TableCell sx={{ fontWeight: lease.vm ? 600 : undefined }}>{lease.vm ?? <Missing />}</TableCell>
              <TableCell>
                <NetworkLink name={lease.network} />
              </TableCell>
              <TableCell>
                <LeaseExpiry expiresAt={lease.expiresAt} now={now} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
