import Box from '@mui/material/Box';
import type { ReactNode } from 'react';
import { MONOSPACE_FONTS } from '../theme';

/** Inline monospace text for addresses, MACs, device names and URIs. */
export function Mono({ children, muted = false }: { children: ReactNode; muted?: boolean }) {
  return (
    <Box
      component="span"
      sx={{ fontFamily: MONOSPACE_FONTS, fontSize: '0.92em', color: muted ? 'text.secondary' : undefined }}
    >
      {children}
    </Box>
  );
}

/** A dash for a value that is not there, quieter than the data around it. */
export function Missing() {
  return (
    <Box component="span" sx={{ color: 'text.disabled' }} aria-label="none">
      —
    </Box>
  );
}
