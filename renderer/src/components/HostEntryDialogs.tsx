import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type FormEvent } from 'react';
import { dhcpHostProblems, dnsHostProblems } from '../../../shared/leases/host-entries';
import type { DhcpHost, DnsHost, ErrorValue, Network } from '../../../shared/model';
import { useAppStore } from '../store';
import { MONOSPACE_FONTS } from '../theme';

interface FieldSpec<K extends string> {
  key: K;
  label: string;
  placeholder: string;
  helper?: string;
  monospace?: boolean;
}

interface HostEntryDialogProps<K extends string> {
  title: string;
  description: string;
  submitLabel: string;
  fields: readonly FieldSpec<K>[];
  initial: Record<K, string>;
  /** The same checks the core runs, so mistakes show at the field before anything is sent. */
  problems(values: Record<K, string>): ErrorValue[];
  submit(values: Record<K, string>): Promise<ErrorValue | undefined>;
  onClose(): void;
  testId: string;
}

/** A small form for one host entry: per-field errors as the user types, the core's refusal if any. */
function HostEntryDialog<K extends string>(props: HostEntryDialogProps<K>) {
  const { title, description, submitLabel, fields, initial, problems, submit, onClose, testId } = props;
  const [values, setValues] = useState(initial);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<ErrorValue>();
  const current = problems(values);
  const shownError = (key: K) =>
    (touched.has(key) ? current.find((p) => p.field === key) : undefined) ?? (refusal?.field === key ? refusal : undefined);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(new Set(fields.map((f) => f.key)));
    if (current.length > 0) return;
    setPending(true);
    const error = await submit(values);
    setPending(false);
    if (error) setRefusal(error);
    else onClose();
  };

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="xs" slotProps={{ paper: { component: 'form', onSubmit, 'data-testid': testId } as object }}>
      <DialogTitle>{title}</DialogTitle>
      <DialogContent>
        <DialogContentText variant="body2" sx={{ mb: 2 }}>
          {description}
        </DialogContentText>
        <Stack spacing={2}>
          {fields.map((field, index) => {
            const error = shownError(field.key);
            return (
              <TextField
                key={field.key}
                label={field.label}
                placeholder={field.placeholder}
                value={values[field.key]}
                autoFocus={index === 0}
                size="small"
                fullWidth
                error={Boolean(error)}
                helperText={error ? `${error.message} ${error.hint ?? ''}` : field.helper}
                onChange={(event) => {
                  setValues({ ...values, [field.key]: event.target.value });
                  setTouched(new Set(touched).add(field.key));
                  if (refusal?.field === field.key) setRefusal(undefined);
                }}
                slotProps={{
                  htmlInput: {
                    'data-testid': `field-${field.key}`,
                    spellCheck: false,
                    ...(field.monospace ? { style: { fontFamily: MONOSPACE_FONTS } } : {}),
                  },
                }}
              />
            );
          })}
          {refusal && !fields.some((f) => f.key === refusal.field) && (
            <Alert severity="error" data-testid="host-entry-refusal">
              {refusal.message} {refusal.hint}
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="contained" disabled={pending} data-testid="host-entry-submit">
          {pending ? 'Saving…' : submitLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

const RESERVATION_FIELDS = [
  { key: 'mac', label: 'MAC address', placeholder: '52:54:00:12:34:56', monospace: true },
  { key: 'ip', label: 'IPv4 address', placeholder: '192.168.122.50', monospace: true },
  { key: 'name', label: 'Host name (optional)', placeholder: 'web-1', helper: 'dnsmasq hands this name out and answers DNS for it.' },
] as const;

/** Adds a reservation (from a lease, or blank) or edits `original`. */
export function ReservationDialog({
  network,
  initial,
  original,
  onClose,
}: {
  network: Network;
  initial: { mac: string; ip: string; name: string };
  original?: DhcpHost;
  onClose(): void;
}) {
  const changeHostEntries = useAppStore((s) => s.changeHostEntries);
  const input = (v: { mac: string; ip: string; name: string }) => ({ mac: v.mac, ip: v.ip, ...(v.name.trim() ? { name: v.name } : {}) });
  return (
    <HostEntryDialog
      title={original ? `Edit reservation on ${network.name}` : `Reserve an address on ${network.name}`}
      description="The MAC gets this address every time it asks. libvirt updates dnsmasq at once and keeps the entry in the network's definition; the network is not restarted."
      submitLabel={original ? 'Save' : 'Reserve'}
      fields={RESERVATION_FIELDS}
      initial={initial}
      problems={(v) => dhcpHostProblems(network, input(v), original)}
      submit={(v) =>
        original
          ? changeHostEntries('updateReservation', {
              network: network.name,
              original: { mac: original.mac ?? '', ip: original.ip, ...(original.name ? { name: original.name } : {}) },
              ...input(v),
            })
          : changeHostEntries('reserveAddress', { network: network.name, ...input(v) })
      }
      onClose={onClose}
      testId="reservation-dialog"
    />
  );
}

const DNS_FIELDS = [
  { key: 'ip', label: 'IP address', placeholder: '192.168.122.10', monospace: true },
  { key: 'hostnames', label: 'Names', placeholder: 'nas files.lab', helper: 'One or more names, separated by spaces.' },
] as const;

const splitNames = (text: string) => text.split(/[\s,]+/).filter((name) => name !== '');

/** Adds a DNS host record, or edits `original` (libvirt replaces it). */
export function DnsHostDialog({ network, original, onClose }: { network: Network; original?: DnsHost; onClose(): void }) {
  const changeHostEntries = useAppStore((s) => s.changeHostEntries);
  return (
    <HostEntryDialog
      title={original ? `Edit DNS entry on ${network.name}` : `Add a DNS entry on ${network.name}`}
      description="dnsmasq on this network answers these names with this address."
      submitLabel={original ? 'Save' : 'Add'}
      fields={DNS_FIELDS}
      initial={{ ip: original?.ip ?? '', hostnames: original?.hostnames.join(' ') ?? '' }}
      problems={(v) => dnsHostProblems(network, { ip: v.ip, hostnames: splitNames(v.hostnames) }, original)}
      submit={(v) => {
        const host = { ip: v.ip, hostnames: splitNames(v.hostnames) };
        return original
          ? changeHostEntries('updateDnsHost', { network: network.name, original, ...host })
          : changeHostEntries('addDnsHost', { network: network.name, ...host });
      }}
      onClose={onClose}
      testId="dns-host-dialog"
    />
  );
}
