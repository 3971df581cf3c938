import { createTheme, type Theme } from '@mui/material/styles';
import type { ThemeMode } from './store';

// The system font stack: the CSP allows no remote fonts, and a desktop tool should look native.
const SYSTEM_FONTS =
  'system-ui, -apple-system, "Segoe UI", Ubuntu, Cantarell, "Noto Sans", "Helvetica Neue", Arial, sans-serif';

export const MONOSPACE_FONTS =
  'ui-monospace, "SFMono-Regular", "JetBrains Mono", "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace';

export function createAppTheme(mode: ThemeMode): Theme {
  const dark = mode === 'dark';
  return createTheme({
    palette: {
      mode,
      primary: { main: dark ? '#6cb6ff' : '#0b5cad' },
      secondary: { main: dark ? '#c297ff' : '#7a3fc4' },
      background: dark ? { default: '#0e1116', paper: '#161b22' } : { default: '#f4f6f9', paper: '#ffffff' },
      divider: dark ? 'rgba(240, 246, 252, 0.12)' : 'rgba(15, 23, 42, 0.10)',
    },
    shape: { borderRadius: 8 },
    typography: {
      fontFamily: SYSTEM_FONTS,
      fontSize: 14,
      h6: { fontWeight: 650, letterSpacing: 0 },
      subtitle2: { fontWeight: 650 },
      overline: { fontWeight: 650, letterSpacing: '0.08em', lineHeight: 2 },
    },
    components: {
      MuiAppBar: { defaultProps: { elevation: 0, color: 'inherit' } },
      MuiPaper: { defaultProps: { variant: 'outlined' } },
      MuiButton: { defaultProps: { disableElevation: true }, styleOverrides: { root: { textTransform: 'none' } } },
      MuiTab: { styleOverrides: { root: { textTransform: 'none', fontWeight: 600, minHeight: 48 } } },
      MuiChip: { styleOverrides: { root: { fontWeight: 600 } } },
      MuiTableCell: {
        styleOverrides: {
          head: ({ theme }) => ({
            fontSize: 12,
            fontWeight: 650,
            textTransform: 'uppercase',
            letterSpacing: '0.04em',
            color: theme.palette.text.secondary,
            backgroundColor: theme.palette.background.paper,
            whiteSpace: 'nowrap',
          }),
        },
      },
    },
  });
}
