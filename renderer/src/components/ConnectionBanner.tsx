import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import type { Connection } from '../../../shared/model';
import { timeOfDay } from '../format';
import { MONOSPACE_FONTS } from '../theme';
import { Mono } from './Mono';

/**
 * Says plainly that libvirt cannot be reached, with libvirt's own words. The core keeps retrying
 * and the next snapshot clears this, so there is nothing for the user to click.
 */
export function ConnectionBanner({ connection }: { connection: Connection }) {
  if (connection.state === 'connected') return null;
  if (connection.state === 'connecting' && !connection.error) {
    return (
      <Alert severity="info" data-testid="connection-banner" sx={{ borderRadius: 0 }}>
        Connecting to libvirt at <Mono>{connection.uri}</Mono>…
      </Alert>
    );
  }
  const { error } = connection;
  return (
    <Alert severity="error" variant="standard" data-testid="connection-banner" sx={{ borderRadius: 0 }}>
      <AlertTitle>
        Cannot reach libvirt at <Mono>{connection.uri}</Mono>
      </AlertTitle>
      {error && (
        <Box
          component="pre"
          sx={{ fontFamily: MONOSPACE_FONTS, fontSize: 12.5, m: 0, mb: 0.75, whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}
        >
          {error.message}
        </Box>
      )}
      {error?.hint && <Box sx={{ mb: 0.5 }}>{error.hint}</Box>}
      <Box sx={{ opacity: 0.85 }}>
        Retrying automatically…
        {connection.lastReadAt !== undefined && ` Showing what was last read at ${timeOfDay(connection.lastReadAt)}.`}
      </Box>
    </Alert>
  );
}
