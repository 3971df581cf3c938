import Box from '@mui/material/Box';
import CircularProgress from '@mui/material/CircularProgress';
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import Typography from '@mui/material/Typography';
import { useEffect, useMemo } from 'react';
import type { Snapshot } from '../../shared/model';
import { AppHeader } from './components/AppHeader';
import { ConnectionBanner } from './components/ConnectionBanner';
import { LeasesView } from './components/LeaseTable';
import { MainTabs, TAB_PANEL_ID } from './components/MainTabs';
import { NetworksView } from './components/NetworksView';
import { ServiceBanner } from './components/ServiceBanner';
import { VmTable } from './components/VmTable';
import { TopologyView } from './components/topology/TopologyView';
import { type TabId, useAppStore } from './store';
import { createAppTheme } from './theme';

export function App() {
  const themeMode = useAppStore((s) => s.themeMode);
  const snapshot = useAppStore((s) => s.snapshot);
  const transport = useAppStore((s) => s.transport);
  const tab = useAppStore((s) => s.tab);
  const start = useAppStore((s) => s.start);
  const theme = useMemo(() => createAppTheme(themeMode), [themeMode]);

  useEffect(() => start(), [start]);

  // Whatever is on screen while libvirt or the service is away is the last known state: dim it.
  const stale = transport === 'reconnecting' || (snapshot !== null && snapshot.connection.state !== 'connected');

  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <Box sx={{ height: '100vh', display: 'flex', flexDirection: 'column' }}>
        <AppHeader connection={snapshot?.connection} transport={transport} />
        <ServiceBanner transport={transport} />
        {snapshot && transport !== 'reconnecting' && <ConnectionBanner connection={snapshot.connection} />}
        <MainTabs snapshot={snapshot} />
        <Box
          component="main"
          id={TAB_PANEL_ID}
          role="tabpanel"
          aria-labelledby={`tab-${tab}`}
          aria-busy={snapshot === null}
          sx={{
            flex: 1,
            minHeight: 0,
            p: 2,
            transition: 'opacity 200ms, filter 200ms',
            ...(stale && { opacity: 0.55, filter: 'grayscale(0.4)' }),
          }}
        >
          {snapshot ? <TabContent tab={tab} snapshot={snapshot} /> : <WaitingForService />}
        </Box>
      </Box>
    </ThemeProvider>
  );
}

function TabContent({ tab, snapshot }: { tab: TabId; snapshot: Snapshot }) {
  switch (tab) {
    case 'networks':
      return <NetworksView snapshot={snapshot} />;
    case 'vms':
      return <VmTable snapshot={snapshot} />;
    case 'leases':
      return <LeasesView snapshot={snapshot} />;
    case 'topology':
      return <TopologyView snapshot={snapshot} />;
  }
}

function WaitingForService() {
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 2, pt: 10 }}>
      <CircularProgress size={28} />
      <Typography color="text.secondary">Waiting for the Switchyard service…</Typography>
    </Box>
  );
}
