// The details panel of the selected topology node. For a VM it is also the keyboard path to NIC
// management: add a NIC, move one to another network, detach one.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { Network } from '../../../../shared/model';
import type { TopologyNode, TopologyNic } from '../../../../shared/topology/graph';
import { DetailSection, KeyValueList } from '../DetailSection';
import { CloseIcon } from '../icons';
import { Mono } from '../Mono';

export interface NicCommands {
  attach(vm: string): void;
  move(vm: string, mac: string, network: string): void;
  detach(vm: string, mac: string): void;
}

const TITLES: Record<TopologyNode['data']['kind'], string> = {
  uplink: 'Uplink',
  network: 'Network',
  bridge: 'Bridge (not libvirt)',
  port: 'Bridge port',
  vm: 'Virtual machine',
  process: 'Process (not libvirt)',
};

export function TopologyDetails(props: { node: TopologyNode; networks: readonly Network[]; busy: boolean; commands: NicCommands; onClose(): void }) {
  const { node, onClose } = props;
  return (
    <Box data-testid="topology-details">
      <Box sx={{ display: 'flex', alignItems: 'center', px: 2.5, pt: 2, pb: 1.5 }}>
        <Box sx={{ flex: 1, minWidth: 0 }}>
          <Typography variant="overline" color="text.secondary">
            {TITLES[node.data.kind]}
          </Typography>
          <Typography variant="h6" sx={{ overflowWrap: 'anywhere' }}>
            {node.data.name}
          </Typography>
        </Box>
        <IconButton aria-label="Close details" onClick={onClose} edge="end" data-testid="topology-details-close">
          <CloseIcon />
        </IconButton>
      </Box>
      <DetailsBody {...props} />
    </Box>
  );
}

function addresses(list: readonly { address: string; prefix: number }[]) {
  return list.length > 0 ? <Mono>{list.map((a) => `${a.address}/${a.prefix}`).join(', ')}</Mono> : '—';
}

function DetailsBody({ node, networks, busy, commands }: { node: TopologyNode; networks: readonly Network[]; busy: boolean; commands: NicCommands }) {
  const data = node.data;
  switch (data.kind) {
    case 'uplink':
      return (
        <DetailSection title="Link">
          <KeyValueList
            items={[
              ['Carrier', data.carrier ? 'yes' : 'no'],
              ['Type', data.wireless ? 'wireless' : 'wired'],
              ['Speed', data.speedMbps ? `${data.speedMbps} Mbit/s` : 'unknown'],
              ['MAC', data.mac ? <Mono>{data.mac}</Mono> : '—'],
              ['Addresses', addresses(data.addresses)],
              ['Default route', data.defaultRoute ? 'yes' : 'no'],
            ]}
          />
        </DetailSection>
      );
    case 'network':
      return (
        <DetailSection title="Network">
          <KeyValueList
            items={[
              ['Mode', data.mode],
              ['State', data.active ? 'active' : 'inactive'],
              ['Bridge', data.bridge ? <Mono>{data.bridge}</Mono> : '—'],
              ['Gateway', data.gateways.length > 0 ? <Mono>{data.gateways.join(', ')}</Mono> : '—'],
              ['DHCP', data.dhcpRanges.length > 0 ? <Mono>{data.dhcpRanges.join(', ')}</Mono> : 'off'],
              ['NAT rule', data.mode === 'nat' ? (data.natInEffect ? 'masquerade rule in effect' : 'no masquerade rule found') : 'not a NAT network'],
              ['IP forwarding', data.ipForwarding === undefined ? 'unknown' : data.ipForwarding ? 'on (net.ipv4.ip_forward = 1)' : 'off (net.ipv4.ip_forward = 0)'],
              ['dnsmasq', data.dnsmasq ? `pid ${data.dnsmasq.pid}` : data.active ? 'not running' : '—'],
              ...(data.dnsmasq
                ? ([
                    ['Config file', <Mono key="conf">{data.dnsmasq.confFile}</Mono>],
                    ['Listens on', data.dnsmasq.listen.length > 0 ? <Mono key="listen">{data.dnsmasq.listen.join(', ')}</Mono> : '—'],
                  ] as const)
                : []),
            ]}
          />
        </DetailSection>
      );
    case 'bridge':
      return (
        <DetailSection title="Bridge">
          <KeyValueList items={[['State', data.operState], ['Addresses', addresses(data.addresses)], ['Default route', data.defaultRoute ? 'yes' : 'no']]} />
        </DetailSection>
      );
    case 'port':
      return (
        <DetailSection title="Port">
          <KeyValueList
            items={[
              ['Kind', data.linkKind === 'tun' ? 'tap' : data.linkKind],
              ['Port state', data.portState ?? '—'],
              ['Link state', data.operState],
              ['MAC', data.mac ? <Mono>{data.mac}</Mono> : '—'],
            ]}
          />
        </DetailSection>
      );
    case 'process':
      return (
        <DetailSection title="Process">
          <KeyValueList items={[['Pid', String(data.pid)], ['Program', data.command], ['Taps', <Mono key="taps">{data.taps.join(', ')}</Mono>]]} />
        </DetailSection>
      );
    case 'vm':
      return (
        <>
          <DetailSection title="State">
            <KeyValueList items={[['State', data.state], ['Persistent', data.persistent ? 'yes' : 'no (transient)']]} />
          </DetailSection>
          <DetailSection
            title={`NICs (${data.nics.length})`}
            aside={
              <Button size="small" variant="outlined" onClick={() => commands.attach(data.name)} disabled={busy} data-testid="details-add-nic">
                Add NIC
              </Button>
            }
          >
            {data.nics.length === 0 && <Typography variant="body2" color="text.secondary">This VM has no NICs.</Typography>}
            {data.nics.map((nic) => (
              <NicRow key={nic.mac ?? nic.tap} vm={data.name} nic={nic} networks={networks} busy={busy} commands={commands} />
            ))}
          </DetailSection>
        </>
      );
  }
}

function NicRow({ vm, nic, networks, busy, commands }: { vm: string; nic: TopologyNic; networks: readonly Network[]; busy: boolean; commands: NicCommands }) {
  const mac = nic.mac;
  return (
    <Box sx={{ py: 1, borderTop: 1, borderColor: 'divider' }} data-testid={`details-nic-${mac}`}>
      <KeyValueList
        items={[
          ['MAC', <Mono key="mac">{mac ?? '—'}</Mono>],
          ['Model', nic.model ?? 'default'],
          ['Tap', nic.tap ? <Mono key="tap">{nic.tap}</Mono> : 'none (not running)'],
          ['IP', nic.ip ? `${nic.ip} (from ${nic.ipSource})` : 'unknown'],
        ]}
      />
      {mac && (
        <Box sx={{ display: 'flex', gap: 1, mt: 1, alignItems: 'center' }}>
          <TextField
            select
            size="small"
            label="Network"
            value={nic.network ?? ''}
            onChange={(event) => commands.move(vm, mac, event.target.value)}
            disabled={busy}
            sx={{ flex: 1 }}
            slotProps={{ htmlInput: { 'aria-label': `Network of NIC ${mac}` } }}
          >
            {nic.network === undefined && <MenuItem value="">{nic.bridge ? `bridge ${nic.bridge}` : '—'}</MenuItem>}
            {networks.map((n) => (
              <MenuItem key={n.name} value={n.name}>
                {n.name}
              </MenuItem>
            ))}
          </TextField>
          <Button size="small" color="warning" variant="outlined" onClick={() => commands.detach(vm, mac)} disabled={busy} data-testid={`details-detach-${mac}`}>
            Detach
          </Button>
        </Box>
      )}
    </Box>
  );
}
