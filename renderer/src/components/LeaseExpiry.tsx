import Box from '@mui/material/Box';
import { expiryText } from '../format';

/** A lease's expiry: the relative time first (what one scans for), the absolute time under it. */
export function LeaseExpiry({ expiresAt, now }: { expiresAt: number; now: number }) {
  const { absolute, relative, expired } = expiryText(expiresAt, now);
  return (
    <Box component="span" sx={{ display: 'inline-flex', flexDirection: 'column', lineHeight: 1.3, whiteSpace: 'nowrap' }}>
      <Box component="span" sx={{ color: expired ? 'error.main' : 'text.primary', fontWeight: 500 }}>
        {relative}
      </Box>
      <Box component="span" sx={{ color: 'text.secondary', fontSize: '0.85em' }}>
        {absolute}
      </Box>
    </Box>
  );
}
