import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import { type FormEvent, useState } from 'react';
import type { ErrorValue } from '../../../shared/model';
import { useAppStore } from '../store';
import { MONOSPACE_FONTS } from '../theme';

interface ConnectionUriDialogProps {
  currentUri: string;
  onClose(): void;
}

/** Mounted only while open, so each opening starts from the current URI. */
export function ConnectionUriDialog({ currentUri, onClose }: ConnectionUriDialogProps) {
  const [uri, setUri] = useState(currentUri);
  const uriChange = useAppStore((s) => s.uriChange);
  const setConnectionUri = useAppStore((s) => s.setConnectionUri);
  const clearUriChangeError = useAppStore((s) => s.clearUriChangeError);
  const error = uriChange.error;
  // Errors about the URI itself belong at the field; anything else (libvirt said no) above it.
  const fieldError = error && (error.field === 'uri' || error.code === 'invalid-input') ? error : undefined;
  const otherError = error && !fieldError ? error : undefined;

  const close = () => {
    clearUriChangeError();
    onClose();
  };

  const connect = async () => {
    if (await setConnectionUri(uri.trim())) onClose();
  };

  return (
    <Dialog
      open
      onClose={uriChange.pending ? undefined : close}
      fullWidth
      maxWidth="sm"
      slotProps={{
        paper: {
          component: 'form',
          onSubmit: (event: FormEvent) => {
            event.preventDefault();
            void connect();
          },
        },
      }}
    >
      <DialogTitle>libvirt connection</DialogTitle>
      <DialogContent>
        <DialogContentText variant="body2" sx={{ mb: 2 }}>
          Which libvirt daemon Switchyard reads, for example <code>qemu:///system</code>, <code>qemu:///session</code> or{' '}
          <code>qemu+ssh://user@host/system</code>.
        </DialogContentText>
        {otherError && (
          <Alert severity="error" sx={{ mb: 2 }}>
            {otherError.message}
            {otherError.hint && <div>{otherError.hint}</div>}
          </Alert>
        )}
        <TextField
          autoFocus
          fullWidth
          label="Connection URI"
          value={uri}
          onChange={(event) => setUri(event.target.value)}
          disabled={uriChange.pending}
          error={Boolean(fieldError)}
          helperText={fieldError ? fieldErrorText(fieldError) : ' '}
          slotProps={{
            htmlInput: { spellCheck: false, autoCapitalize: 'off', autoCorrect: 'off', style: { fontFamily: MONOSPACE_FONTS } },
          }}
        />
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={close} disabled={uriChange.pending}>
          Cancel
        </Button>
        <Button type="submit" variant="contained" loading={uriChange.pending} disabled={uri.trim() === ''}>
          Connect
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** The core prefixes field errors with the field's name, which is redundant right under the field. */
function fieldErrorText(error: ErrorValue): string {
  const prefix = error.field ? `"${error.field}": ` : '';
  const message = prefix && error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return error.hint ? `${message} ${error.hint}` : message;
}
