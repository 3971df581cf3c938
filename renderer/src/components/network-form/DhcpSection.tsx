// DHCP on one family's <ip>: the ranges dnsmasq leases from (with their lease time) and, for IPv4,
// the static hosts: reservations that always give a MAC the same address.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControlLabel from '@mui/material/FormControlLabel';
import IconButton from '@mui/material/IconButton';
import Switch from '@mui/material/Switch';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { DhcpHost, DhcpRange, IpConfig, IpFamily } from '../../../../shared/model';
import { AddIcon, DeleteIcon } from '../icons';
import { dhcpRangePreset, ipIndexOf, ipOf, problemAt, withIp, withOptional, type DhcpPreset, type NetworkFormSectionProps } from './definition';
import { FormTextField, OptionalNumberField, ProblemText } from './fields';

const PRESET_LABEL: Record<DhcpPreset, string> = { middle: 'Middle of the subnet', whole: 'Whole subnet' };

export function DhcpSection({ family, definition, onChange, problems, disabled }: NetworkFormSectionProps & { family: IpFamily }) {
  const ip = ipOf(definition, family);
  const label = family === 'ipv4' ? 'DHCP' : 'DHCPv6';
  if (!ip) {
    return (
      <Typography variant="body2" color="text.secondary">
        {label} needs an {family === 'ipv4' ? 'IPv4' : 'IPv6'} address on the network; turn it on under addressing.
      </Typography>
    );
  }
  const path = `ips[${ipIndexOf(definition, family)}]`;
  const update = (next: Partial<IpConfig>) => onChange(withIp(definition, family, { ...ip, ...next }));
  const setRange = (index: number, range: DhcpRange) => update({ dhcpRanges: ip.dhcpRanges.map((old, at) => (at === index ? range : old)) });
  const firstPreset = dhcpRangePreset(ip, 'middle') ?? dhcpRangePreset(ip, 'whole');
  const perFamily = problemAt(problems, `${path}.dhcpRanges`);
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
      <FormControlLabel
        control={
          <Switch
            checked={ip.dhcpRanges.length > 0}
            disabled={disabled || (ip.dhcpRanges.length === 0 && !firstPreset)}
            onChange={(event) => update({ dhcpRanges: event.target.checked && firstPreset ? [firstPreset] : [] })}
            slotProps={{ input: { 'data-testid': `toggle-dhcp-${family}` } as object }}
          />
        }
        label={<Typography variant="subtitle2">{`Serve addresses by ${label}`}</Typography>}
      />
      <ProblemText problem={perFamily} />
      {ip.dhcpRanges.map((range, index) => (
        <RangeRow
          key={index}
          path={`${path}.dhcpRanges[${index}]`}
          ip={ip}
          range={range}
          problems={problems}
          disabled={disabled}
          onChange={(next) => setRange(index, next)}
          onRemove={ip.dhcpRanges.length > 1 ? () => update({ dhcpRanges: ip.dhcpRanges.filter((_, at) => at !== index) }) : undefined}
        />
      ))}
      {family === 'ipv4' && (
        <StaticHosts
          path={path}
          hosts={ip.dhcpHosts}
          problems={problems}
          disabled={disabled}
          onChange={(dhcpHosts) => update({ dhcpHosts })}
        />
      )}
    </Box>
  );
}

interface RangeRowProps {
  path: string;
  ip: IpConfig;
  range: DhcpRange;
  problems: NetworkFormSectionProps['problems'];
  disabled: boolean | undefined;
  onChange(range: DhcpRange): void;
  onRemove: (() => void) | undefined;
}

function RangeRow({ path, ip, range, problems, disabled, onChange, onRemove }: RangeRowProps) {
  const presets = (['middle', 'whole'] as const).flatMap((preset) => {
    const value = dhcpRangePreset(ip, preset);
    return value ? [{ preset, value }] : [];
  });
  const minutes = range.leaseSeconds === undefined ? undefined : Math.round(range.leaseSeconds / 60);
  return (
    <Box>
      <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr 200px auto', gap: 2, alignItems: 'start' }}>
        <FormTextField label="First address" field={`${path}.start`} problems={problems} disabled={disabled} value={range.start} onValueChange={(start) => onChange({ ...range, start: start.trim() })} />
        <FormTextField label="Last address" field={`${path}.end`} problems={problems} disabled={disabled} value={range.end} onValueChange={(end) => onChange({ ...range, end: end.trim() })} />
        <OptionalNumberField
          label="Lease (minutes)"
          placeholder="60"
          field={`${path}.leaseSeconds`}
          problems={problems}
          help="Empty: 1 hour. 0: never expires."
          disabled={disabled}
          value={minutes}
          onValueChange={(value) => onChange(withOptional(range, 'leaseSeconds', value === undefined ? undefined : value * 60))}
        />
        {onRemove ? (
          <Tooltip title="Remove this range">
            <IconButton aria-label="Remove this range" onClick={onRemove} disabled={disabled} sx={{ mt: 0.25 }}>
              <DeleteIcon fontSize="small" />
            </IconButton>
          </Tooltip>
        ) : (
          <Box sx={{ width: 36 }} />
        )}
      </Box>
      {presets.length > 0 && (
        <Box sx={{ display: 'flex', gap: 1, mt: 0.5, alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography variant="caption" color="text.secondary">
            Quick choice:
          </Typography>
          {presets.map(({ preset, value }) => (
            <Button key={preset} size="small" variant="text" disabled={disabled} onClick={() => onChange({ ...range, start: value.start, end: value.end })} sx={{ py: 0 }}>
              {PRESET_LABEL[preset]} ({lastPart(value.start)}–{lastPart(value.end)})
            </Button>
          ))}
        </Box>
      )}
    </Box>
  );
}

/** ".100" of 192.168.100.100, "::2" of fd00::2: the part that differs between presets. */
function lastPart(address: string): string {
  const separator = address.includes(':') ? ':' : '.';
  return `${separator}${address.slice(address.lastIndexOf(separator) + 1)}`;
}

interface StaticHostsProps {
  path: string;
  hosts: readonly DhcpHost[];
  problems: NetworkFormSectionProps['problems'];
  disabled: boolean | undefined;
  onChange(hosts: DhcpHost[]): void;
}

function StaticHosts({ path, hosts, problems, disabled, onChange }: StaticHostsProps) {
  const setHost = (index: number, host: DhcpHost) => onChange(hosts.map((old, at) => (at === index ? host : old)));
  const text = (value: string) => (value.trim() === '' ? undefined : value.trim());
  return (
    <Box sx={{ mt: 1 }}>
      <Typography variant="subtitle2">Static hosts</Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        A reservation always gives the NIC with this MAC address the same IPv4 address (and name).
      </Typography>
      <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
        {hosts.map((host, index) => {
          const at = `${path}.dhcpHosts[${index}]`;
          return (
            <Box key={index} sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr 1fr auto', gap: 2, alignItems: 'start' }}>
              <FormTextField label="MAC address" placeholder="52:54:00:…" field={`${at}.mac`} problems={problems} disabled={disabled} value={host.mac ?? ''} onValueChange={(mac) => setHost(index, withOptional(host, 'mac', text(mac)))} />
              <FormTextField label="IPv4 address" field={`${at}.ip`} problems={problems} disabled={disabled} value={host.ip} onValueChange={(ip) => setHost(index, { ...host, ip: ip.trim() })} />
              <FormTextField label="Name (optional)" field={`${at}.name`} problems={problems} disabled={disabled} value={host.name ?? ''} onValueChange={(name) => setHost(index, withOptional(host, 'name', text(name)))} />
              <Tooltip title="Remove this host">
                <IconButton aria-label="Remove this host" onClick={() => onChange(hosts.filter((_, other) => other !== index))} disabled={disabled} sx={{ mt: 0.25 }}>
                  <DeleteIcon fontSize="small" />
                </IconButton>
              </Tooltip>
            </Box>
          );
        })}
      </Box>
      <Button size="small" startIcon={<AddIcon />} disabled={disabled} onClick={() => onChange([...hosts, { mac: '', ip: '' }])} sx={{ mt: 1 }}>
        Add static host
      </Button>
    </Box>
  );
}
