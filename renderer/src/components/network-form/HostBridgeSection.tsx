// A bridge network's host bridge: the bridges the host already has (not the ones libvirt runs for
// its own networks), with their ports and addresses, or how to make one when there is none.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Radio from '@mui/material/Radio';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { NetworkDefinition } from '../../../../shared/libvirt/network-xml';
import type { HostInterface } from '../../../../shared/model';
import { HostBridgeWizard } from '../host-bridge/HostBridgeWizard';
import { Mono } from '../Mono';
import { problemAt, type NetworkFormSectionProps } from './definition';
import { choiceSx, ProblemText } from './fields';

const LIBVIRT_MANAGED_MODES = new Set(['nat', 'route', 'open', 'isolated']);

/** The host's bridges, without those libvirt creates for its own networks (virbr0 and the like). */
export function hostBridges(hostInterfaces: readonly HostInterface[], networks: readonly NetworkDefinition[]): HostInterface[] {
  const libvirtBridges = new Set(
    networks.flatMap((network) => (network.bridge && LIBVIRT_MANAGED_MODES.has(network.forward.mode) ? [network.bridge.name] : [])),
  );
  return hostInterfaces.filter((link) => link.kind === 'bridge' && !libvirtBridges.has(link.name));
}

// A bridge without ports reports UNKNOWN, which says nothing to the user.
const LINK_STATES = new Set(['UP', 'DOWN']);

/** The bridge's addresses, without the IPv6 link-local one every link has. */
function addressText(bridge: HostInterface): string {
  const addresses = bridge.addresses.filter((address) => !(address.family === 'ipv6' && address.address.toLowerCase().startsWith('fe80:')));
  return addresses.length > 0 ? addresses.map((address) => `${address.address}/${address.prefix}`).join(', ') : 'no address on the host';
}

export interface HostBridgeSectionProps extends NetworkFormSectionProps {
  hostInterfaces: readonly HostInterface[];
  /** The other networks, whose own bridges are not offered. */
  networks: readonly NetworkDefinition[];
  /** Why the host's links are unknown (a remote libvirt), when they are. */
  hostUnreadable?: string | undefined;
}

export function HostBridgeSection({ definition, onChange, problems, disabled, hostInterfaces, networks, hostUnreadable }: HostBridgeSectionProps) {
  const [wizardOpen, setWizardOpen] = useState(false);
  const bridges = hostBridges(hostInterfaces, networks);
  const selected = definition.bridge?.name ?? '';
  const problem = problemAt(problems, 'bridge', true);
  const select = (name: string) => onChange({ ...definition, bridge: { name } });
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1 }} role="radiogroup" aria-label="Host bridge" data-testid="host-bridge-list">
      {hostUnreadable && <Alert severity="warning">{hostUnreadable}</Alert>}
      {bridges.length === 0 && !hostUnreadable && (
        <Alert
          severity="info"
          data-testid="no-host-bridges"
          action={
            <Button color="inherit" size="small" onClick={() => setWizardOpen(true)} sx={{ whiteSpace: 'nowrap' }}>
              Make a host bridge
            </Button>
          }
        >
          The host has no bridge of its own yet. Make one with the host bridge wizard (<b>Host bridges</b> in the app header): it moves a
          wired NIC and its addresses into a new bridge, and rolls everything back unless you confirm the host is still reachable.
        </Alert>
      )}
      {bridges.map((bridge) => {
        const ports = hostInterfaces.filter((link) => link.master === bridge.name).map((link) => link.name);
        const checked = bridge.name === selected;
        return (
          <Box
            key={bridge.name}
            component="label"
            data-testid={`host-bridge-${bridge.name}`}
            sx={[{ display: 'flex', alignItems: 'center', gap: 1, pr: 2, py: 0.5 }, choiceSx(checked, disabled)].flat()}
          >
            <Radio checked={checked} disabled={disabled} onChange={() => select(bridge.name)} value={bridge.name} />
            <Box sx={{ flex: 1, minWidth: 0 }}>
              <Mono>{bridge.name}</Mono>
              <Typography variant="body2" color="text.secondary">
                {ports.length > 0 ? `Ports: ${ports.join(', ')}` : 'No ports yet'}
                {' · '}
                {addressText(bridge)}
                {LINK_STATES.has(bridge.operState) && ` · ${bridge.operState.toLowerCase()}`}
              </Typography>
            </Box>
          </Box>
        );
      })}
      <ProblemText problem={problem} />
      {wizardOpen && <HostBridgeWizard onClose={() => setWizardOpen(false)} />}
    </Box>
  );
}
