import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Toolbar from '@mui/material/Toolbar';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { Connection } from '../../../shared/model';
import type { TransportState } from '../api';
import { MONOSPACE_FONTS } from '../theme';
import { ConnectionUriDialog } from './ConnectionUriDialog';
import { EditIcon, SwitchyardLogo } from './icons';
import { ConnectionStateChip } from './StatusChips';
import { ThemeToggle } from './ThemeToggle';
import { HostBridgeButton } from './host-bridge/HostBridgeWizard';

interface AppHeaderProps {
  connection: Connection | undefined;
  transport: TransportState;
}

/** Title, the libvirt connection (click to change it), its state and the theme toggle. */
export function AppHeader({ connection, transport }: AppHeaderProps) {
  const [editing, setEditing] = useState(false);
  return (
    <AppBar position="static" sx={{ borderBottom: 1, borderColor: 'divider' }}>
      <Toolbar sx={{ gap: 2 }}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
          <SwitchyardLogo color="primary" />
          <Typography variant="h6" component="h1">
            Switchyard
          </Typography>
        </Box>
        {connection && (
          <Tooltip title="Change the libvirt connection">
            <Button
              data-testid="connection-uri"
              aria-label={`libvirt connection ${connection.uri}; change`}
              onClick={() => setEditing(true)}
              color="inherit"
              endIcon={<EditIcon sx={{ fontSize: '16px !important', opacity: 0.6 }} />}
              sx={{
                fontFamily: MONOSPACE_FONTS,
                fontSize: 13,
                fontWeight: 500,
                px: 1.25,
                border: 1,
                borderColor: 'divider',
                bgcolor: 'action.hover',
                minWidth: 0,
                maxWidth: 420,
                '& .MuiButton-endIcon': { ml: 1 },
              }}
            >
              <Box component="span" sx={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                {connection.uri}
              </Box>
            </Button>
          </Tooltip>
        )}
        {connection && <ConnectionStateChip state={transport === 'reconnecting' ? 'service-lost' : connection.state} />}
        <Box sx={{ flex: 1 }} />
        <HostBridgeButton />
        <ThemeToggle />
      </Toolbar>
      {editing && connection && <ConnectionUriDialog currentUri={connection.uri} onClose={() => setEditing(false)} />}
    </AppBar>
  );
}
