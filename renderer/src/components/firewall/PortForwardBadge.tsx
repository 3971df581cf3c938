import Box from '@mui/material/Box';
import Tooltip from '@mui/material/Tooltip';
import { alpha, useTheme } from '@mui/material/styles';
import { useEffect } from 'react';
import { forwardText } from '../../../../shared/firewall/port-forward';
import { usePortForwardStore } from './portForwardStore';

/** "⇢ 2" on a NAT network's topology node: how many host ports are forwarded into it. */
export function PortForwardBadge({ network, mode }: { network: string; mode: string }) {
  const theme = useTheme();
  const list = usePortForwardStore((s) => s.byNetwork[network]);
  const load = usePortForwardStore((s) => s.load);
  useEffect(() => {
    if (mode === 'nat') void load(network);
  }, [load, network, mode]);
  if (mode !== 'nat' || !list || list.forwards.length === 0) return null;
  const tint = list.inactiveReason ? theme.palette.text.secondary : theme.palette.info.main;
  return (
    <Tooltip title={`Port forwards: ${list.forwards.map(forwardText).join(', ')}${list.inactiveReason ? ` (not in effect: ${list.inactiveReason})` : ''}`}>
      <Box
        component="span"
        data-testid={`port-forward-badge-${network}`}
        sx={{ fontSize: 10.5, fontWeight: 700, px: 0.6, borderRadius: 0.75, color: tint, bgcolor: alpha(tint, 0.14), whiteSpace: 'nowrap' }}
      >
        ⇢ {list.forwards.length}
      </Box>
    </Tooltip>
  );
}
