// The network's DNS server (dnsmasq on the bridge): on or off, the domain its DHCP clients get,
// and the upstream servers it forwards to instead of the host's own resolvers.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import IconButton from '@mui/material/IconButton';
import Switch from '@mui/material/Switch';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { NetworkDefinition } from '../../../../shared/libvirt/network-xml';
import { AddIcon, DeleteIcon } from '../icons';
import { problemAt, withOptional, type NetworkFormSectionProps } from './definition';
import { FormTextField, ProblemText } from './fields';

function withDomain(definition: NetworkDefinition, domain: string): NetworkDefinition {
  const { domain: _old, domainLocalOnly, ...rest } = definition;
  if (domain === '') return rest;
  return { ...rest, domain, ...(domainLocalOnly !== undefined ? { domainLocalOnly } : {}) };
}

export function DnsSection({ definition, onChange, problems, disabled }: NetworkFormSectionProps) {
  const { dns } = definition;
  const enabled = dns.enable !== false;
  const enableProblem = problemAt(problems, 'dns.enable');
  const setForwarders = (forwarders: NetworkDefinition['dns']['forwarders']) => onChange({ ...definition, dns: { ...dns, forwarders } });
  const setForwarder = (index: number, key: 'addr' | 'domain', text: string) =>
    setForwarders(dns.forwarders.map((old, at) => (at === index ? withOptional(old, key, text.trim() || undefined) : old)));
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
      <Box>
        <FormControlLabel
          control={
            <Switch
              checked={enabled}
              disabled={disabled}
              onChange={(event) => {
                // Absent means on; only "off" is written.
                onChange({ ...definition, dns: withOptional(dns, 'enable', event.target.checked ? undefined : false) });
              }}
              slotProps={{ input: { 'data-testid': 'toggle-dns' } as object }}
            />
          }
          label={<Typography variant="subtitle2">Answer DNS queries from guests</Typography>}
        />
        {enableProblem ? (
          <ProblemText problem={enableProblem} />
        ) : (
          <FormHelperText>
            {enabled
              ? 'dnsmasq answers for the guests’ names and passes other queries on.'
              : 'Guests must be given another DNS server (e.g. by their own configuration).'}
          </FormHelperText>
        )}
      </Box>
      <FormTextField
        label="DNS domain (optional)"
        placeholder="lab.example"
        field="domain"
        problems={problems}
        help="Guests get it by DHCP and are found as NAME.DOMAIN."
        disabled={disabled || !enabled}
        value={definition.domain ?? ''}
        onValueChange={(domain) => onChange(withDomain(definition, domain.trim()))}
      />
      <Box>
        <Typography variant="subtitle2">Upstream DNS servers</Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          {dns.forwarders.length === 0 ? 'None: dnsmasq asks the resolvers the host itself uses.' : 'dnsmasq sends the queries it cannot answer to these servers.'}
        </Typography>
        <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
          {dns.forwarders.map((forwarder, index) => (
            <Box key={index} sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr auto', gap: 2, alignItems: 'start' }}>
              <FormTextField
                label="Server address"
                placeholder="9.9.9.9"
                field={`dns.forwarders[${index}].addr`}
                problems={problems}
                disabled={disabled}
                value={forwarder.addr ?? ''}
                onValueChange={(addr) => setForwarder(index, 'addr', addr)}
              />
              <FormTextField
                label="Only for domain (optional)"
                field={`dns.forwarders[${index}].domain`}
                problems={problems}
                disabled={disabled}
                value={forwarder.domain ?? ''}
                onValueChange={(domain) => setForwarder(index, 'domain', domain)}
              />
              <Tooltip title="Remove this server">
                <IconButton aria-label="Remove this server" disabled={disabled} onClick={() => setForwarders(dns.forwarders.filter((_, at) => at !== index))} sx={{ mt: 0.25 }}>
                  <DeleteIcon fontSize="small" />
                </IconButton>
              </Tooltip>
            </Box>
          ))}
        </Box>
        <Button size="small" startIcon={<AddIcon />} disabled={disabled || !enabled} onClick={() => setForwarders([...dns.forwarders, { addr: '' }])} sx={{ mt: 1 }}>
          Add upstream server
        </Button>
      </Box>
    </Box>
  );
}
