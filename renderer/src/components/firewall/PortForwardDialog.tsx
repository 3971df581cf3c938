import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type FormEvent } from 'react';
import { guestCandidates } from '../../../../shared/firewall/guest-candidates';
import { portForwardProblems, type PortForwardFields, type PortProtocol, type StoredForward } from '../../../../shared/firewall/port-forward';
import type { ErrorValue, Network } from '../../../../shared/model';
import { useAppStore } from '../../store';
import { MONOSPACE_FONTS } from '../../theme';
import { usePortForwardStore } from './portForwardStore';

interface Values {
  protocol: PortProtocol;
  hostPort: string;
  hostAddress: string;
  guestIp: string;
  guestPort: string;
  description: string;
}

type FieldKey = Exclude<keyof Values, 'protocol'>;

const EMPTY: Values = { protocol: 'tcp', hostPort: '', hostAddress: '', guestIp: '', guestPort: '', description: '' };

function portProblem(field: FieldKey, text: string): ErrorValue | undefined {
  if (/^[1-9][0-9]{0,4}$/.test(text.trim()) && Number(text) <= 65535) return undefined;
  return { code: 'invalid-input', field, message: 'Ports go from 1 to 65535.', hint: 'Write a port number such as 8080.' };
}

/** The fields as the contract takes them, or the problems that keep them from being sent. */
function check(values: Values, network: Network, existing: readonly StoredForward[]): { fields?: PortForwardFields; problems: ErrorValue[] } {
  const ports = [portProblem('hostPort', values.hostPort), portProblem('guestPort', values.guestPort)].filter((p): p is ErrorValue => Boolean(p));
  const fields: PortForwardFields = {
    protocol: values.protocol,
    hostPort: Number(values.hostPort),
    guestIp: values.guestIp.trim(),
    guestPort: Number(values.guestPort),
    ...(values.hostAddress.trim() ? { hostAddress: values.hostAddress.trim() } : {}),
    ...(values.description.trim() ? { description: values.description.trim() } : {}),
  };
  const problems = [...ports, ...portForwardProblems(fields, { network, existing }).filter((p) => !ports.some((q) => q.field === p.field))];
  return problems.length > 0 ? { problems } : { fields, problems };
}

/** Adds a port forward; offers to reserve the picked guest's address so the rule keeps its target. */
export function PortForwardDialog({ network, onClose }: { network: Network; onClose(): void }) {
  const snapshot = useAppStore((s) => s.snapshot);
  const changeHostEntries = useAppStore((s) => s.changeHostEntries);
  const byNetwork = usePortForwardStore((s) => s.byNetwork);
  const add = usePortForwardStore((s) => s.add);
  const [values, setValues] = useState<Values>(EMPTY);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [reserve, setReserve] = useState(true);
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<ErrorValue>();

  const candidates = snapshot ? guestCandidates(network, snapshot.leases, snapshot.vms) : [];
  const picked = candidates.find((candidate) => candidate.ip === values.guestIp.trim());
  const existing = Object.values(byNetwork).flatMap((list) => list.forwards.map((forward) => ({ ...forward, network: list.network })));
  const { fields, problems } = check(values, network, existing);
  const errorOf = (key: FieldKey) =>
    (touched.has(key) ? problems.find((p) => p.field === key) : undefined) ?? (refusal?.field === key ? refusal : undefined);
  const set = (key: keyof Values, value: string) => {
    setValues((current) => ({ ...current, [key]: value }));
    setTouched((current) => new Set(current).add(key));
    setRefusal(undefined);
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(new Set(Object.keys(EMPTY)));
    if (!fields) return;
    setPending(true);
    const error = await add(network.name, fields);
    if (!error && picked && !picked.reserved && picked.mac && reserve) {
      const reserveError = await changeHostEntries('reserveAddress', { network: network.name, mac: picked.mac, ip: picked.ip });
      if (reserveError) {
        setPending(false);
        setRefusal({ ...reserveError, message: `The forward was added, but reserving ${picked.ip} failed: ${reserveError.message}` });
        return;
      }
    }
    setPending(false);
    if (error) setRefusal(error);
    else onClose();
  };

  const field = (key: FieldKey, label: string, props: { placeholder?: string; helper?: string; monospace?: boolean; autoFocus?: boolean } = {}) => {
    const error = errorOf(key);
    return (
      <TextField
        label={label}
        value={values[key]}
        placeholder={props.placeholder}
        autoFocus={props.autoFocus}
        size="small"
        fullWidth
        error={Boolean(error)}
        helperText={error ? `${error.message} ${error.hint ?? ''}` : props.helper}
        onChange={(event) => set(key, event.target.value)}
        slotProps={{ htmlInput: { 'aria-label': label, ...(props.monospace ? { style: { fontFamily: MONOSPACE_FONTS } } : {}) } }}
      />
    );
  };

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm" slotProps={{ paper: { component: 'form', onSubmit, 'data-testid': 'port-forward-dialog' } as object }}>
      <DialogTitle>Forward a host port into {network.name}</DialogTitle>
      <DialogContent>
        <DialogContentText variant="body2" sx={{ mb: 2 }}>
          Connections to a port of this host reach a guest behind the NAT. Machines on your LAN use the host’s address; the host itself can use it too.
        </DialogContentText>
        <Stack spacing={2}>
          <Box sx={{ display: 'grid', gridTemplateColumns: '110px 1fr 1.4fr', gap: 1.5 }}>
            <TextField
              select
              label="Protocol"
              size="small"
              value={values.protocol}
              onChange={(event) => set('protocol', event.target.value)}
              slotProps={{ htmlInput: { 'aria-label': 'Protocol' } }}
            >
              <MenuItem value="tcp">TCP</MenuItem>
              <MenuItem value="udp">UDP</MenuItem>
            </TextField>
            {field('hostPort', 'Host port', { placeholder: '8080', monospace: true, autoFocus: true })}
            {field('hostAddress', 'Host address (optional)', { placeholder: 'any address', monospace: true })}
          </Box>
          <TextField
            select
            label="Guest"
            size="small"
            value={picked?.ip ?? ''}
            onChange={(event) => set('guestIp', event.target.value)}
            helperText={candidates.length === 0 ? 'No leases or reservations on this network yet: type the guest’s address below.' : 'From the network’s leases and reservations.'}
            slotProps={{ htmlInput: { 'aria-label': 'Guest' } }}
          >
            {candidates.map((candidate) => (
              <MenuItem key={candidate.ip} value={candidate.ip}>
                {candidate.name} · {candidate.ip} {candidate.reserved ? '(reserved)' : '(lease)'}
              </MenuItem>
            ))}
          </TextField>
          <Box sx={{ display: 'grid', gridTemplateColumns: '1.4fr 1fr', gap: 1.5 }}>
            {field('guestIp', 'Guest address', { placeholder: '192.168.122.10', monospace: true })}
            {field('guestPort', 'Guest port', { placeholder: '80', monospace: true })}
          </Box>
          {field('description', 'Description (optional)', { placeholder: 'web server' })}
          {picked && !picked.reserved && picked.mac && (
            <FormControlLabel
              control={<Checkbox checked={reserve} onChange={(event) => setReserve(event.target.checked)} />}
              label={`Reserve ${picked.ip} for ${picked.name}, so the forward keeps reaching it after its lease ends`}
            />
          )}
          {refusal && !refusal.field?.match(/^(hostPort|hostAddress|guestIp|guestPort|description)$/) && (
            <Alert severity="error">
              {refusal.message} {refusal.hint}
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="contained" disabled={pending}>
          Add forward
        </Button>
      </DialogActions>
    </Dialog>
  );
}
