// After a host bridge is kept, VMs still cannot use it until a libvirt network points at it
// (forward mode bridge). This offers exactly that network, in one step, with the name checked at
// the field before anything is sent.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { toErrorValue } from '../../../../shared/errors';
import type { NetworkDefinition } from '../../../../shared/libvirt/network-xml';
import { applyNetworkDefinition } from '../../../../shared/libvirt/network-xml-edit';
import type { ErrorValue } from '../../../../shared/model';
import { validateNetworkDefinition } from '../../../../shared/validation/network-validation';
import { getApi } from '../../api';
import { useAppStore } from '../../store';

/** The libvirt network that hands VMs a port on an existing host bridge. */
export function bridgeNetworkDefinition(name: string, bridge: string): NetworkDefinition {
  return {
    name,
    uuid: '',
    forward: { mode: 'bridge' },
    bridge: { name: bridge },
    ips: [],
    dnsHosts: [],
    dns: { forwarders: [], txts: [], srvs: [] },
    routes: [],
  };
}

export function BridgeNetworkOffer({ bridge }: { bridge: string }) {
  const snapshot = useAppStore((state) => state.snapshot);
  const [name, setName] = useState(`host-${bridge}`);
  const [autostart, setAutostart] = useState(true);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string>();
  const [error, setError] = useState<ErrorValue>();

  const definition = bridgeNetworkDefinition(name, bridge);
  // Only the name is checked here: the bridge was just made, and the snapshot may not show it yet;
  // the core validates the whole definition again before defining it.
  const nameProblem = validateNetworkDefinition(definition, {
    isNew: true,
    otherNetworks: snapshot?.networks ?? [],
  }).find((problem) => problem.field === 'name' && problem.severity === 'error');

  async function create() {
    setBusy(true);
    setError(undefined);
    try {
      const network = await getApi().createNetwork({ xml: applyNetworkDefinition(undefined, definition), start: true, autostart });
      setCreated(network.name);
    } catch (e) {
      setError(toErrorValue(e));
    } finally {
      setBusy(false);
    }
  }

  if (created) {
    return (
      <Alert severity="success" data-testid="hb-network-created">
        Network {created} is running: VMs plugged into it get a port on {bridge} and addresses from your LAN.
      </Alert>
    );
  }
  return (
    <Box data-testid="hb-network-offer" sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
      <Typography variant="subtitle2">Let VMs use {bridge}</Typography>
      <Typography variant="body2" color="text.secondary">
        A libvirt network in bridge mode gives each VM NIC plugged into it a tap port on {bridge}, so guests sit on your LAN
        like any other machine there.
      </Typography>
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'flex-start' }}>
        <TextField
          size="small"
          label="Network name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={Boolean(nameProblem)}
          helperText={nameProblem ? `${nameProblem.message} ${nameProblem.hint}` : ' '}
          slotProps={{ htmlInput: { 'data-testid': 'hb-network-name' } }}
          sx={{ minWidth: 260 }}
        />
        <FormControlLabel
          control={<Checkbox checked={autostart} onChange={(event) => setAutostart(event.target.checked)} />}
          label="Start with the host"
        />
      </Box>
      <Box>
        <Button variant="contained" disabled={busy || Boolean(nameProblem)} onClick={() => void create()} data-testid="hb-network-create">
          Create network {name || '…'}
        </Button>
      </Box>
      {error && (
        <Alert severity="error" data-testid="hb-network-error">
          {error.message}
          {error.hint ? ` ${error.hint}` : ''}
        </Alert>
      )}
    </Box>
  );
}
