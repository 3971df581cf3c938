import Box from '@mui/material/Box';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import type { Snapshot } from '../../../shared/model';
import { type TabId, useAppStore } from '../store';

export const TAB_PANEL_ID = 'switchyard-tab-panel';

function TabLabel({ text, count }: { text: string; count: number }) {
  return (
    <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 1 }}>
      {text}
      <Box
        component="span"
        aria-label={`${count} items`}
        sx={{ fontSize: 12, px: 0.75, minWidth: 20, borderRadius: 10, bgcolor: 'action.selected', color: 'text.secondary' }}
      >
        {count}
      </Box>
    </Box>
  );
}

export function MainTabs({ snapshot }: { snapshot: Snapshot | null }) {
  const tab = useAppStore((s) => s.tab);
  const selectTab = useAppStore((s) => s.selectTab);
  const tabs: ReadonlyArray<{ id: TabId; label: string; count: number }> = [
    { id: 'networks', label: 'Networks', count: snapshot?.networks.length ?? 0 },
    { id: 'vms', label: 'Virtual machines', count: snapshot?.vms.length ?? 0 },
    { id: 'leases', label: 'DHCP leases', count: snapshot?.leases.length ?? 0 },
    { id: 'topology', label: 'Topology', count: snapshot?.networks.length ?? 0 },
  ];
  return (
    <Tabs
      value={tab}
      onChange={(_, value: TabId) => selectTab(value)}
      aria-label="Views"
      sx={{ px: 2, borderBottom: 1, borderColor: 'divider', bgcolor: 'background.paper' }}
    >
      {tabs.map(({ id, label, count }) => (
        <Tab
          key={id}
          value={id}
          id={`tab-${id}`}
          aria-controls={TAB_PANEL_ID}
          data-testid={`tab-${id}`}
          label={<TabLabel text={label} count={count} />}
        />
      ))}
    </Tabs>
  );
}
