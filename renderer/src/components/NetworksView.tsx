import Box from '@mui/material/Box';
import Drawer from '@mui/material/Drawer';
import Paper from '@mui/material/Paper';
import { useTheme } from '@mui/material/styles';
import useMediaQuery from '@mui/material/useMediaQuery';
import type { Snapshot } from '../../../shared/model';
import { useAppStore } from '../store';
import { EmptyState } from './EmptyState';
import { NetworkDetailsPanel } from './NetworkDetailsPanel';
import { NetworkTable } from './NetworkTable';
import { NewNetworkButton } from './network-wizard/NewNetworkWizard';

const PANE_WIDTH = 480;

/** The network list with the selected network's details beside it (or over it, on narrow windows). */
export function NetworksView({ snapshot }: { snapshot: Snapshot }) {
  const selected = useAppStore((s) => s.selectedNetwork);
  const detailsState = useAppStore((s) => s.networkDetails);
  const selectNetwork = useAppStore((s) => s.selectNetwork);
  const theme = useTheme();
  const wide = useMediaQuery(theme.breakpoints.up('lg'));

  const connected = snapshot.connection.state === 'connected';
  const newNetwork = (
    <Box sx={{ display: 'flex', justifyContent: 'flex-end', mb: 1.5 }}>
      <NewNetworkButton disabled={!connected} />
    </Box>
  );

  if (snapshot.networks.length === 0) {
    return (
      <>
        {newNetwork}
        <EmptyState title="No virtual networks">
          {connected
            ? 'This libvirt connection has no networks defined. Create one with New network, or check that you are connected to the daemon your VMs use (qemu:///system versus qemu:///session).'
            : 'Networks appear here once Switchyard can read them from libvirt.'}
        </EmptyState>
      </>
    );
  }

  const close = () => selectNetwork(null);
  const panel = selected && (
    <NetworkDetailsPanel name={selected} snapshot={snapshot} detailsState={detailsState} onClose={close} />
  );

  return (
    <Box sx={{ display: 'flex', gap: 2, height: '100%', minHeight: 0 }}>
      <Box sx={{ flex: 1, minWidth: 0, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
        {newNetwork}
        <NetworkTable networks={snapshot.networks} selected={selected} onSelect={selectNetwork} compact={wide && Boolean(selected)} />
      </Box>
      {wide ? (
        panel && (
          <Paper component="aside" sx={{ width: PANE_WIDTH, flexShrink: 0, overflowY: 'auto' }}>
            {panel}
          </Paper>
        )
      ) : (
        <Drawer
          anchor="right"
          open={Boolean(panel)}
          onClose={close}
          slotProps={{ paper: { sx: { width: Math.min(PANE_WIDTH + 40, window.innerWidth - 48) } } }}
        >
          {panel}
        </Drawer>
      )}
    </Box>
  );
}
