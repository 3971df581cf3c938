// The bridge libvirt creates for a nat, route, open or isolated network: its name, spanning tree
// and MTU. (A bridge network's existing host bridge is HostBridgeSection.)
import Box from '@mui/material/Box';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import Switch from '@mui/material/Switch';
import type { NetworkDefinition } from '../../../../shared/libvirt/network-xml';
import { problemAt, withOptional, type NetworkFormSectionProps } from './definition';
import { FormTextField, OptionalNumberField, ProblemText } from './fields';

type Bridge = NonNullable<NetworkDefinition['bridge']>;

export function BridgeSection({ definition, onChange, problems, disabled }: NetworkFormSectionProps) {
  const bridge: Bridge = definition.bridge ?? { name: '' };
  const setBridge = (next: Bridge) => onChange({ ...definition, bridge: next });
  // libvirt turns STP on when the XML does not say.
  const stp = bridge.stp !== false;
  const stpProblem = problemAt(problems, 'bridge.stp');
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 170px', gap: 2, alignItems: 'start' }}>
      <FormTextField
        label="Bridge name"
        field="bridge.name"
        problems={problems}
        help="The host interface guests' taps are plugged into; at most 15 characters."
        disabled={disabled}
        value={bridge.name}
        onValueChange={(name) => setBridge({ ...bridge, name: name.trim() })}
      />
      <OptionalNumberField
        label="MTU"
        placeholder="1500"
        field="mtu"
        problems={problems}
        help="Empty: 1500."
        disabled={disabled}
        value={definition.mtu}
        onValueChange={(mtu) => onChange(withOptional(definition, 'mtu', mtu))}
      />
      <Box sx={{ gridColumn: '1 / -1' }}>
        <FormControlLabel
          control={
            <Switch
              checked={stp}
              disabled={disabled}
              onChange={(event) => setBridge({ ...bridge, stp: event.target.checked })}
              slotProps={{ input: { 'data-testid': 'toggle-stp' } as object }}
            />
          }
          label="Spanning tree protocol (STP)"
        />
        {stpProblem ? (
          <ProblemText problem={stpProblem} />
        ) : (
          <FormHelperText sx={{ mt: 0 }}>Guards against loops when guests bridge NICs themselves; harmless otherwise.</FormHelperText>
        )}
      </Box>
    </Box>
  );
}
