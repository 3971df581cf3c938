// A refusal as the user needs it: libvirt's words verbatim, the field it is about, what to do.
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { ErrorValue } from '../../../../shared/model';
import { MONOSPACE_FONTS } from '../../theme';

export function ErrorDetails({ error }: { error: ErrorValue }) {
  const verbatim = error.code === 'libvirt-error';
  return (
    <>
      {verbatim ? (
        <Box component="pre" data-testid="error-message" sx={{ m: 0, mb: 0.75, whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontFamily: MONOSPACE_FONTS, fontSize: 12 }}>
          {error.message}
        </Box>
      ) : (
        <Typography variant="body2" data-testid="error-message" sx={{ mb: 0.5 }}>
          {error.message}
        </Typography>
      )}
      {error.field && !verbatim && (
        <Typography variant="body2" data-testid="error-field">
          Field: <Box component="code" sx={{ fontFamily: MONOSPACE_FONTS }}>{error.field}</Box>
        </Typography>
      )}
      {error.hint && (
        <Typography variant="body2" data-testid="error-hint">
          {error.hint}
        </Typography>
      )}
    </>
  );
}
