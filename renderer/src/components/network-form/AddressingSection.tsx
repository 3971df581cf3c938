// The host's address on the network, per family: IPv4 and optional IPv6, each the gateway guests
// use and, with its prefix, the subnet they get addresses from.
import Box from '@mui/material/Box';
import FormControlLabel from '@mui/material/FormControlLabel';
import Switch from '@mui/material/Switch';
import Typography from '@mui/material/Typography';
import { formatCidr, subnetOf } from '../../../../shared/address';
import type { IpConfig, IpFamily } from '../../../../shared/model';
import { ipIndexOf, ipOf, problemAt, withIp, withRangesFollowingSubnet, type NetworkFormSectionProps } from './definition';
import { FormTextField, PrefixSelect, ProblemText } from './fields';

export interface AddressingSectionProps extends NetworkFormSectionProps {
  /** The <ip> a family starts with when the user turns it on; undefined when none can be offered. */
  suggestIp(family: IpFamily): IpConfig | undefined;
}

const FAMILY_LABEL: Record<IpFamily, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };
const FAMILY_HELP: Record<IpFamily, string> = {
  ipv4: "The host's address on the network: guests use it as their gateway and DNS server.",
  ipv6: 'Guests configure themselves from the router advertisements libvirt sends on this prefix.',
};

export function AddressingSection(props: AddressingSectionProps) {
  const missing = problemAt(props.problems, 'ips');
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
      <FamilyAddress family="ipv4" {...props} />
      <FamilyAddress family="ipv6" {...props} />
      <ProblemText problem={missing} />
    </Box>
  );
}

function FamilyAddress({ family, definition, onChange, problems, disabled, suggestIp }: AddressingSectionProps & { family: IpFamily }) {
  const ip = ipOf(definition, family);
  const path = `ips[${ipIndexOf(definition, family)}]`;
  const subnet = ip && subnetOf(ip.address, ip.prefix);
  const suggestion = ip ? undefined : suggestIp(family);
  const update = (next: IpConfig) => ip && onChange(withIp(definition, family, withRangesFollowingSubnet(ip, next)));
  return (
    <Box>
      <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between' }}>
        <FormControlLabel
          control={
            <Switch
              checked={Boolean(ip)}
              disabled={disabled || (!ip && !suggestion)}
              onChange={(event) => onChange(withIp(definition, family, event.target.checked ? suggestion : undefined))}
              slotProps={{ input: { 'data-testid': `toggle-${family}` } as object }}
            />
          }
          label={<Typography variant="subtitle2">{FAMILY_LABEL[family]}</Typography>}
        />
        {subnet && (
          <Typography variant="body2" color="text.secondary" data-testid={`subnet-${family}`}>
            Subnet {formatCidr(subnet)}
          </Typography>
        )}
      </Box>
      {ip && (
        <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 180px', gap: 2, mt: 1 }}>
          <FormTextField
            label="Host address (gateway)"
            field={`${path}.address`}
            problems={problems}
            help={FAMILY_HELP[family]}
            disabled={disabled}
            value={ip.address}
            onValueChange={(address) => update({ ...ip, address: address.trim() })}
          />
          <PrefixSelect
            label="Prefix length"
            family={family}
            field={`${path}.prefix`}
            problems={problems}
            disabled={disabled}
            value={ip.prefix}
            onValueChange={(prefix) => update({ ...ip, prefix })}
            problemTextElsewhere
          />
          <Box sx={{ gridColumn: '1 / -1', mt: -1.5, mx: 1.75, '&:empty': { display: 'none' } }} data-testid={`problem-${path}.prefix`}>
            <ProblemText problem={problemAt(problems, `${path}.prefix`)} />
          </Box>
        </Box>
      )}
    </Box>
  );
}
