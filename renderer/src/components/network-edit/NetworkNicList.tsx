// The VMs and NICs on a network with what a change does to each: the impact part of the edit
// review and of the restart, stop and delete confirmations.
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { Missing, Mono } from '../Mono';
import { VmStateChip } from '../StatusChips';
import { nicEffect, type NetworkChange, type NetworkNic } from './impact';

export function NetworkNicList({ nics, change, testId }: { nics: readonly NetworkNic[]; change: NetworkChange; testId: string }) {
  if (nics.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary" data-testid={testId}>
        No VM has a NIC on this network.
      </Typography>
    );
  }
  return (
    <Box
      component="ul"
      data-testid={testId}
      sx={{ m: 0, p: 0, listStyle: 'none', border: 1, borderColor: 'divider', borderRadius: 1, '& > li + li': { borderTop: 1, borderColor: 'divider' } }}
    >
      {nics.map((nic, index) => (
        <Box
          component="li"
          key={`${nic.vm}-${nic.mac ?? index}`}
          data-testid={`impact-nic-${nic.vm}`}
          sx={{ display: 'grid', gridTemplateColumns: 'minmax(150px, 1fr) auto minmax(180px, 2fr)', gap: 1.5, alignItems: 'center', px: 1.5, py: 1 }}
        >
          <Box sx={{ minWidth: 0 }}>
            <Typography variant="body2" sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>
              {nic.vm}
            </Typography>
            <VmStateChip state={nic.state} />
          </Box>
          <Box sx={{ fontSize: 13 }}>
            {nic.mac ? <Mono>{nic.mac}</Mono> : <Missing />}
            <Box sx={{ color: 'text.secondary', fontSize: 12 }}>{nic.tap ? <>tap <Mono>{nic.tap}</Mono></> : 'not plugged in'}</Box>
          </Box>
          <Typography variant="body2" color="text.secondary">
            {nicEffect(nic, change)}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}
