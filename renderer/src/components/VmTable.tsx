import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import type { ReactNode } from 'react';
import type { Lease, Nic, Snapshot } from '../../../shared/model';
import { leasesByMac } from '../format';
import { EmptyState } from './EmptyState';
import { Missing, Mono } from './Mono';
import { NetworkLink } from './NetworkLink';
import { VmStateChip } from './StatusChips';

/** Every VM with its NICs; a VM's NICs are stacked inside its row so the row holds all of it. */
export function VmTable({ snapshot }: { snapshot: Snapshot }) {
  if (snapshot.vms.length === 0) {
    return (
      <EmptyState title="No virtual machines">
        {snapshot.connection.state === 'connected'
          ? 'This libvirt connection has no VMs. VMs you create with virt-manager or virt-install on it will show up here with their NICs.'
          : 'VMs appear here once Switchyard can read them from libvirt.'}
      </EmptyState>
    );
  }
  const byMac = leasesByMac(snapshot.leases);
  return (
    <TableContainer component={Paper} sx={{ maxHeight: '100%' }}>
      <Table size="small" stickyHeader aria-label="Virtual machines">
        <TableHead>
          <TableRow>
            <TableCell>Name</TableCell>
            <TableCell>State</TableCell>
            <TableCell>MAC</TableCell>
            <TableCell>Model</TableCell>
            <TableCell>Connected to</TableCell>
            <TableCell>Tap</TableCell>
            <TableCell>IP address</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {snapshot.vms.map((vm) => (
            <TableRow key={vm.uuid} data-testid={`vm-row-${vm.name}`} sx={{ '& > td': { verticalAlign: 'top', py: 1.25 } }}>
              <TableCell sx={{ fontWeight: 650, whiteSpace: 'nowrap' }}>
                {vm.name}
                {!vm.persistent && (
                  <Box component="span" sx={{ ml: 1, fontSize: 12, color: 'text.secondary', fontWeight: 400 }}>
                    transient
                  </Box>
                )}
              </TableCell>
              <TableCell>
                <VmStateChip state={vm.state} />
              </TableCell>
              {vm.nics.length === 0 ? (
                <TableCell colSpan={5} sx={{ color: 'text.secondary' }}>
                  No network interfaces
                </TableCell>
              ) : (
                <>
                  <NicCell nics={vm.nics} render={(nic) => (nic.mac ? <Mono>{nic.mac}</Mono> : <Missing />)} />
                  <NicCell nics={vm.nics} render={(nic) => nic.model ?? <Missing />} />
                  <NicCell nics={vm.nics} render={(nic) => <NicAttachment nic={nic} />} />
                  <NicCell nics={vm.nics} render={(nic) => (nic.tap ? <Mono>{nic.tap}</Mono> : <Missing />)} />
                  <NicCell nics={vm.nics} render={(nic) => <NicAddresses leases={nic.mac ? byMac.get(nic.mac.toLowerCase()) : undefined} />} />
                </>
              )}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

/** One column of a VM's NICs, one line per NIC, so the lines line up across columns. */
function NicCell({ nics, render }: { nics: readonly Nic[]; render(nic: Nic): ReactNode }) {
  return (
    <TableCell>
      {nics.map((nic, index) => (
        <Box key={nic.mac ?? index} sx={{ minHeight: 24, display: 'flex', alignItems: 'baseline', gap: 0.75, flexWrap: 'wrap' }}>
          {render(nic)}
        </Box>
      ))}
    </TableCell>
  );
}

function NicAttachment({ nic }: { nic: Nic }) {
  if (nic.network) return <><Kind>network</Kind><NetworkLink name={nic.network} /></>;
  if (nic.bridge) return <><Kind>bridge</Kind><Mono>{nic.bridge}</Mono></>;
  return <Kind>{nic.type}</Kind>;
}

function NicAddresses({ leases }: { leases: readonly Lease[] | undefined }) {
  if (!leases || leases.length === 0) return <Missing />;
  return <>{leases.map((lease) => <Mono key={lease.ip}>{lease.ip}</Mono>)}</>;
}

function Kind({ children }: { children: ReactNode }) {
  return (
    <Box component="span" sx={{ color: 'text.secondary', fontSize: 12 }}>
      {children}
    </Box>
  );
}
