// What can be done to a network from its details: start or stop it, autostart, edit it (form or
// XML) and delete it. Whatever cuts guests off (stop, delete, a restarting edit) is confirmed first
// with the VMs and NICs it affects.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControlLabel from '@mui/material/FormControlLabel';
import Switch from '@mui/material/Switch';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useState, type ReactNode } from 'react';
import { toErrorValue } from '../../../../shared/errors';
import type { ErrorValue, Network } from '../../../../shared/model';
import { readOnlyReason, type HostRoute } from '../../../../shared/validation/network-validation';
import { getApi } from '../../api';
import { useAppStore } from '../../store';
import { DeleteIcon, EditIcon } from '../icons';
import { loadHostRoutes } from '../network-form';
import { ConfirmDialog } from './ConfirmDialog';
import { EditNetworkDialog, type EditView } from './EditNetworkDialog';
import { ErrorDetails } from './ErrorDetails';
import { isPluggedIn, nicsOnNetwork } from './impact';
import { NetworkNicList } from './NetworkNicList';

type Busy = 'start' | 'stop' | 'autostart' | 'delete' | 'edit';

/** What an edit starts from, read together when the dialog opens, so the review stays consistent while snapshots arrive. */
interface EditSession {
  network: Network;
  view: EditView;
  storedXml: string;
  hostRoutes: HostRoute[] | undefined;
}

export function NetworkActions({ network }: { network: Network }) {
  const snapshot = useAppStore((state) => state.snapshot);
  const selectNetwork = useAppStore((state) => state.selectNetwork);
  const [busy, setBusy] = useState<Busy>();
  const [error, setError] = useState<ErrorValue>();
  const [notice, setNotice] = useState<string>();
  const [confirming, setConfirming] = useState<'stop' | 'delete'>();
  const [editing, setEditing] = useState<EditSession>();
  const nics = nicsOnNetwork(snapshot?.vms ?? [], network.name);
  const cutOff = nics.some(isPluggedIn);
  const readOnly = readOnlyReason(network);
  const editBlocked = readOnly ?? (network.persistent ? undefined : 'A transient network has no stored definition to edit.');

  /** Runs one request; its refusal shows under the buttons (or in the open confirmation). */
  async function run(kind: Busy, action: () => Promise<void>): Promise<boolean> {
    setBusy(kind);
    setError(undefined);
    setNotice(undefined);
    try {
      await action();
      return true;
    } catch (caught) {
      setError(toErrorValue(caught));
      return false;
    } finally {
      setBusy(undefined);
    }
  }

  const start = () =>
    run('start', async () => {
      const { detachedTaps } = await getApi().startNetwork({ name: network.name });
      if (detachedTaps.length > 0) setNotice(`${network.name} runs, but these NICs could not be plugged back into its bridge: ${detachedTaps.join(', ')}. Their VMs stay cut off until they restart.`);
    });
  const stop = async () => {
    if (await run('stop', async () => void (await getApi().stopNetwork({ name: network.name })))) setConfirming(undefined);
  };
  const remove = async () => {
    if (await run('delete', async () => void (await getApi().deleteNetwork({ name: network.name })))) {
      setConfirming(undefined);
      selectNetwork(null);
    }
  };
  const openEditor = (view: EditView) =>
    run('edit', async () => {
      const [{ xml }, hostRoutes] = await Promise.all([getApi().getNetworkDefinition({ name: network.name }), loadHostRoutes()]);
      setEditing({ network, view, storedXml: xml, hostRoutes });
    });

  return (
    <Box sx={{ px: 2.5, pb: 1.5 }} data-testid="network-actions">
      <Box sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 1 }}>
        {network.active ? (
          <Button size="small" variant="outlined" disabled={Boolean(busy)} onClick={() => (cutOff ? setConfirming('stop') : void stop())} data-testid="network-stop">
            Stop
          </Button>
        ) : (
          <Button size="small" variant="outlined" disabled={Boolean(busy)} onClick={() => void start()} data-testid="network-start">
            {busy === 'start' ? 'Starting…' : 'Start'}
          </Button>
        )}
        <Blocked reason={editBlocked}>
          <Button size="small" variant="outlined" startIcon={<EditIcon />} disabled={Boolean(busy) || Boolean(editBlocked)} onClick={() => void openEditor('form')} data-testid="network-edit">
            Edit
          </Button>
        </Blocked>
        <Blocked reason={editBlocked}>
          <Button size="small" variant="outlined" disabled={Boolean(busy) || Boolean(editBlocked)} onClick={() => void openEditor('xml')} data-testid="network-xml">
            XML
          </Button>
        </Blocked>
        <Button size="small" color="error" variant="outlined" startIcon={<DeleteIcon />} disabled={Boolean(busy)} onClick={() => setConfirming('delete')} data-testid="network-delete">
          Delete
        </Button>
        <Blocked reason={network.persistent ? undefined : 'A transient network cannot start with the host.'}>
          <FormControlLabel
            sx={{ ml: 'auto', mr: 0 }}
            control={
              <Switch
                size="small"
                checked={network.autostart}
                disabled={Boolean(busy) || !network.persistent}
                onChange={(event) => void run('autostart', async () => void (await getApi().setNetworkAutostart({ name: network.name, autostart: event.target.checked })))}
                slotProps={{ input: { 'data-testid': 'network-autostart' } as object }}
              />
            }
            label={<Typography variant="body2">Autostart</Typography>}
          />
        </Blocked>
      </Box>
      {error && !confirming && (
        <Alert severity="error" sx={{ mt: 1.5 }} onClose={() => setError(undefined)} data-testid="network-action-error">
          <ErrorDetails error={error} />
        </Alert>
      )}
      {notice && (
        <Alert severity="warning" sx={{ mt: 1.5 }} onClose={() => setNotice(undefined)} data-testid="network-action-notice">
          {notice}
        </Alert>
      )}
      {confirming === 'stop' && (
        <ConfirmDialog
          title={`Stop ${network.name}?`}
          confirmLabel="Stop network"
          busyLabel="Stopping…"
          busy={busy === 'stop'}
          error={error}
          onConfirm={() => void stop()}
          onClose={() => setConfirming(undefined)}
          testId="stop-confirm"
        >
          <Typography variant="body2">
            libvirt removes the network’s bridge, dnsmasq and firewall rules. Guests on it lose connectivity until it starts again; starting it from
            here plugs their NICs back in.
          </Typography>
          <NetworkNicList nics={nics} change="stop" testId="stop-impact" />
        </ConfirmDialog>
      )}
      {confirming === 'delete' && (
        <ConfirmDialog
          title={`Delete ${network.name}?`}
          confirmLabel="Delete network"
          busyLabel="Deleting…"
          busy={busy === 'delete'}
          error={error}
          onConfirm={() => void remove()}
          onClose={() => setConfirming(undefined)}
          testId="delete-confirm"
        >
          <Typography variant="body2">
            {deleteSteps(network)} This cannot be undone from Switchyard.
          </Typography>
          <Typography variant="body2" sx={{ fontWeight: 600 }}>
            {nics.length > 0 ? `${nics.length === 1 ? 'This NIC is' : `These ${nics.length} NICs are`} on ${network.name}:` : `No VM has a NIC on ${network.name}.`}
          </Typography>
          {nics.length > 0 && <NetworkNicList nics={nics} change="delete" testId="delete-impact" />}
        </ConfirmDialog>
      )}
      {editing && (
        <EditNetworkDialog
          network={editing.network}
          storedXml={editing.storedXml}
          hostRoutes={editing.hostRoutes}
          initialView={editing.view}
          onClose={() => setEditing(undefined)}
        />
      )}
    </Box>
  );
}

function deleteSteps(network: Network): string {
  if (!network.persistent) return 'libvirt stops the transient network (destroy), which removes it.';
  return network.active ? 'libvirt stops the network (destroy) and removes its definition (undefine).' : 'libvirt removes the network’s definition (undefine).';
}

/** A disabled control with the reason it is disabled on hover. */
function Blocked({ reason, children }: { reason: string | undefined; children: ReactNode }) {
  if (!reason) return <>{children}</>;
  return (
    <Tooltip title={reason}>
      <span>{children}</span>
    </Tooltip>
  );
}
