import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import type { TransportState } from '../api';

/**
 * The page lost its WebSocket to the Switchyard service (the serve shell restarted or stopped).
 * Distinct from the libvirt banner: here it is Switchyard itself that is out of reach.
 */
export function ServiceBanner({ transport }: { transport: TransportState }) {
  if (transport !== 'reconnecting') return null;
  return (
    <Alert severity="warning" data-testid="service-banner" sx={{ borderRadius: 0 }}>
      <AlertTitle>Lost contact with the Switchyard service</AlertTitle>
      Reconnecting… What you see is the last data it sent.
    </Alert>
  );
}
