// A question before a change that cuts guests off (restart, stop, delete): what happens, to whom,
// and the core's refusal in place if it comes back.
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import LinearProgress from '@mui/material/LinearProgress';
import type { ReactNode } from 'react';
import type { ErrorValue } from '../../../../shared/model';
import { ErrorDetails } from './ErrorDetails';

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busyLabel: string;
  busy: boolean;
  error: ErrorValue | undefined;
  onConfirm(): void;
  onClose(): void;
  testId: string;
}

export function ConfirmDialog({ title, children, confirmLabel, busyLabel, busy, error, onConfirm, onClose, testId }: ConfirmDialogProps) {
  return (
    <Dialog open onClose={busy ? undefined : onClose} maxWidth="sm" fullWidth data-testid={testId} aria-labelledby={`${testId}-title`}>
      <DialogTitle id={`${testId}-title`}>{title}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        {children}
        {error && (
          <Alert severity="error" data-testid={`${testId}-error`}>
            <ErrorDetails error={error} />
          </Alert>
        )}
      </DialogContent>
      {busy && <LinearProgress aria-label={busyLabel} />}
      <DialogActions sx={{ px: 3, py: 2 }}>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button variant="contained" color="error" onClick={onConfirm} disabled={busy} data-testid={`${testId}-confirm`}>
          {busy ? busyLabel : confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
