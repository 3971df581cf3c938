// The dialogs of NIC management: adding a NIC (network, model, generated or custom MAC) and
// confirming a change that disconnects a running VM.
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState } from 'react';
import { normalizeMac } from '../../../../shared/address';
import { SwitchyardError } from '../../../../shared/errors';
import type { ErrorValue, Network, Vm } from '../../../../shared/model';
import { NIC_MODELS, QEMU_MAC_PREFIX, checkNewMac, type NicModel } from '../../../../shared/nic';

export interface AttachNicChoice {
  network: string;
  model: NicModel;
  /** Absent: the core generates one. */
  mac?: string;
}

/** Why `text` cannot be the new NIC's MAC, or undefined when it can. */
function macProblem(text: string, vms: readonly Vm[]): string | undefined {
  const mac = normalizeMac(text.trim());
  if (!mac) return 'Six hex pairs separated by colons, e.g. 52:54:00:12:34:56.';
  try {
    checkNewMac(mac, vms);
    return undefined;
  } catch (error) {
    return error instanceof SwitchyardError ? error.value.message : String(error);
  }
}

export function AttachNicDialog(props: {
  vm: Vm;
  network: string;
  networks: readonly Network[];
  vms: readonly Vm[];
  pending: boolean;
  error: ErrorValue | undefined;
  onSubmit(choice: AttachNicChoice): void;
  onClose(): void;
}) {
  const { vm, networks, vms, pending, error, onSubmit, onClose } = props;
  const [network, setNetwork] = useState(props.network);
  const [model, setModel] = useState<NicModel>('virtio');
  const [macMode, setMacMode] = useState<'generate' | 'custom'>('generate');
  const [mac, setMac] = useState(`${QEMU_MAC_PREFIX}:`);
  const problem = macMode === 'custom' ? macProblem(mac, vms) : undefined;
  const running = vm.state === 'running' || vm.state === 'paused';

  return (
    <Dialog open onClose={onClose} maxWidth="xs" fullWidth aria-labelledby="attach-nic-title" data-testid="attach-nic-dialog">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (problem) return;
          onSubmit({ network, model, ...(macMode === 'custom' ? { mac: normalizeMac(mac.trim())! } : {}) });
        }}
      >
        <DialogTitle id="attach-nic-title">Add a NIC to {vm.name}</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            <DialogContentText variant="body2">
              {running
                ? `The NIC is hot-plugged into the running VM${vm.persistent ? ' and added to its definition' : ''}.`
                : 'The NIC is added to the VM’s definition; it appears when the VM starts.'}
            </DialogContentText>
            <TextField select label="Network" value={network} onChange={(e) => setNetwork(e.target.value)} size="small" slotProps={{ htmlInput: { 'data-testid': 'attach-nic-network' } }}>
              {networks.map((n) => (
                <MenuItem key={n.name} value={n.name} disabled={running && !n.active}>
                  {n.name} {n.active ? '' : '(inactive)'}
                </MenuItem>
              ))}
            </TextField>
            <TextField select label="Model" value={model} onChange={(e) => setModel(e.target.value as NicModel)} size="small">
              {NIC_MODELS.map((m) => (
                <MenuItem key={m} value={m}>
                  {m}
                </MenuItem>
              ))}
            </TextField>
            <RadioGroup value={macMode} onChange={(e) => setMacMode(e.target.value as 'generate' | 'custom')} aria-label="MAC address">
              <FormControlLabel value="generate" control={<Radio size="small" />} label={`Generate a MAC (${QEMU_MAC_PREFIX}:…)`} />
              <FormControlLabel value="custom" control={<Radio size="small" />} label="Custom MAC" />
            </RadioGroup>
            {macMode === 'custom' && (
              <TextField
                label="MAC address"
                value={mac}
                onChange={(e) => setMac(e.target.value)}
                error={Boolean(problem)}
                helperText={problem ?? ' '}
                size="small"
                autoFocus
                slotProps={{ htmlInput: { 'data-testid': 'attach-nic-mac', spellCheck: false } }}
              />
            )}
            {error && (
              <Alert severity="error" data-testid="nic-error">
                {error.message} {error.hint}
              </Alert>
            )}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={pending || Boolean(problem)} data-testid="attach-nic-submit">
            Add NIC
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

export function ConfirmDialog(props: {
  title: string;
  text: string;
  confirmLabel: string;
  pending: boolean;
  error: ErrorValue | undefined;
  onConfirm(): void;
  onClose(): void;
}) {
  return (
    <Dialog open onClose={props.onClose} maxWidth="xs" fullWidth aria-labelledby="confirm-nic-title" data-testid="confirm-nic-dialog">
      <DialogTitle id="confirm-nic-title">{props.title}</DialogTitle>
      <DialogContent>
        <DialogContentText variant="body2">{props.text}</DialogContentText>
        {props.error && (
          <Alert severity="error" sx={{ mt: 2 }} data-testid="nic-error">
            {props.error.message} {props.error.hint}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button variant="contained" color="warning" onClick={props.onConfirm} disabled={props.pending} data-testid="confirm-nic-submit">
          {props.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
