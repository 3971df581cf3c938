import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import LinearProgress from '@mui/material/LinearProgress';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import type { ErrorValue, HostInterface, Lease, Network, NetworkDetails, Snapshot } from '../../../shared/model';
import { cidr, dhcpRangeText, leaseTimeText, leasesByMac } from '../format';
import type { NetworkDetailsState } from '../store';
import { DetailSection, KeyValueList } from './DetailSection';
import { CloseIcon } from './icons';
import { FirewallSection } from './firewall/FirewallSection';
import { PortForwardsSection } from './firewall/PortForwardsSection';
import { HostEntriesSection } from './HostEntriesSection';
import { LeaseTable } from './LeaseTable';
import { Missing, Mono } from './Mono';
import { NetworkActions } from './network-edit/NetworkActions';
import { ForwardModeChip, LinkStateChip, NetworkStateChip, VmStateChip } from './StatusChips';
import { XmlBlock } from './XmlBlock';

interface NetworkDetailsPanelProps {
  name: string;
  snapshot: Snapshot;
  detailsState: NetworkDetailsState | null;
  onClose(): void;
}

/** Everything about one network: its definition, its bridge as the kernel sees it, who uses it. */
export function NetworkDetailsPanel({ name, snapshot, detailsState, onClose }: NetworkDetailsPanelProps) {
  const state = detailsState?.name === name ? detailsState : null;
  const details = state?.details;
  // The snapshot's copy is the freshest; the details' copy covers a network that just vanished.
  const network = snapshot.networks.find((n) => n.name === name) ?? details?.network;
  return (
    <Box data-testid="network-details" aria-label={`Details of network ${name}`} role="region" sx={{ pb: 2 }}>
      <Box sx={{ display: 'flex', alignItems: 'flex-start', gap: 1, px: 2.5, pt: 2, pb: 1.5 }}>
        <Box sx={{ flex: 1, minWidth: 0 }}>
          <Typography variant="h6" component="h2" sx={{ overflowWrap: 'anywhere' }}>
            {name}
          </Typography>
          {network && (
            <Box sx={{ display: 'flex', gap: 0.75, mt: 0.5 }}>
              <NetworkStateChip active={network.active} />
              <ForwardModeChip mode={network.forward.mode} />
            </Box>
          )}
        </Box>
        <IconButton onClick={onClose} aria-label="Close network details" edge="end">
          <CloseIcon />
        </IconButton>
      </Box>
      {snapshot.networks.some((n) => n.name === name) && network && <NetworkActions network={network} />}
      <Box sx={{ height: 4 }}>{state?.loading && !details && <LinearProgress aria-label="Loading network details" />}</Box>
      {state?.error && <DetailsError error={state.error} stale={Boolean(details)} />}
      {network && <OverviewSection network={network} />}
      {network && network.ips.length > 0 && <IpSection network={network} />}
      {network && <HostBridgeSection network={network} snapshot={snapshot} />}
      {details && <AttachedVmsSection details={details} leases={snapshot.leases} />}
      {network && <HostEntriesSection network={network} />}
      {network && <PortForwardsSection network={network} />}
      {network && <FirewallSection network={network} />}
      {details && (
        <DetailSection title={`DHCP leases (${snapshot.leases.filter((l) => l.network === name).length})`}>
          {/* The snapshot's leases are the live ones; the details' copy is as old as the last details read. */}
          <LeaseTable
            leases={snapshot.leases.filter((l) => l.network === name)}
            networks={snapshot.networks}
            problems={snapshot.leaseProblems}
            network={name}
            maxHeight={320}
            emptyText="No DHCP leases on this network right now."
          />
        </DetailSection>
      )}
      {details && (
        <DetailSection title="XML definition">
          <XmlBlock xml={details.xml} />
        </DetailSection>
      )}
    </Box>
  );
}

function DetailsError({ error, stale }: { error: ErrorValue; stale: boolean }) {
  return (
    <Alert severity={stale ? 'warning' : 'error'} sx={{ mx: 2.5, mb: 2 }}>
      {stale ? 'Could not refresh these details: ' : 'Could not read this network: '}
      {error.message}
      {error.hint && <Box sx={{ mt: 0.5 }}>{error.hint}</Box>}
    </Alert>
  );
}

function OverviewSection({ network }: { network: Network }) {
  const bridge = network.bridge;
  const items: Array<readonly [string, ReactNode]> = [
    ['UUID', <Mono key="uuid">{network.uuid}</Mono>],
    ['Autostart', network.autostart ? 'Yes, starts with the host' : 'No'],
    ['Persistent', network.persistent ? 'Yes' : 'No, transient (gone once stopped)'],
    [
      'Forward mode',
      <>
        <ForwardModeChip mode={network.forward.mode} />
        {network.forward.dev && (
          <>
            {' '}
            via <Mono>{network.forward.dev}</Mono>
          </>
        )}
      </>,
    ],
    [
      'Bridge',
      bridge ? (
        <>
          <Mono>{bridge.name}</Mono>
          {bridge.stp !== undefined && ` · STP ${bridge.stp ? 'on' : 'off'}`}
          {bridge.delay !== undefined && ` · delay ${bridge.delay} s`}
        </>
      ) : (
        <Missing />
      ),
    ],
    ['MTU', network.mtu ?? <Missing />],
    ['MAC', network.mac ? <Mono>{network.mac}</Mono> : <Missing />],
    ['DNS domain', network.domain ? <Mono>{network.domain}</Mono> : <Missing />],
  ];
  return (
    <DetailSection title="Overview">
      <KeyValueList items={items} />
    </DetailSection>
  );
}

function IpSection({ network }: { network: Network }) {
  return (
    <DetailSection title="IP configuration">
      <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
        {network.ips.map((ip) => (
          <Box key={cidr(ip)}>
            <Typography variant="body2" sx={{ fontWeight: 600, mb: 0.5 }}>
              {ip.family === 'ipv4' ? 'IPv4' : 'IPv6'} <Mono>{cidr(ip)}</Mono>
            </Typography>
            <KeyValueList
              items={[
                [
                  'DHCP',
                  ip.dhcpRanges.length > 0
                    ? ip.dhcpRanges.map((range) => (
                        <Box key={range.start}>
                          <Mono>{dhcpRangeText(range)}</Mono>
                          {range.leaseSeconds !== undefined && (
                            <Box component="span" sx={{ color: 'text.secondary' }}>
                              {' '}
                              ({leaseTimeText(range.leaseSeconds)})
                            </Box>
                          )}
                        </Box>
                      ))
                    : 'Off',
                ],
              ]}
            />
          </Box>
        ))}
      </Box>
    </DetailSection>
  );
}

function HostBridgeSection({ network, snapshot }: { network: Network; snapshot: Snapshot }) {
  const bridgeName = network.bridge?.name;
  const link = bridgeName ? snapshot.hostInterfaces.find((i) => i.name === bridgeName) : undefined;
  return (
    <DetailSection title="Bridge on the host">
      {!bridgeName ? (
        <Note>This network has no bridge of its own.</Note>
      ) : snapshot.hostError ? (
        <Note>{snapshot.hostError.message}</Note>
      ) : !link ? (
        <Note>
          The host has no link named <Mono>{bridgeName}</Mono>
          {network.active ? '.' : ': libvirt creates it when the network starts.'}
        </Note>
      ) : (
        <HostBridge link={link} snapshot={snapshot} />
      )}
    </DetailSection>
  );
}

function HostBridge({ link, snapshot }: { link: HostInterface; snapshot: Snapshot }) {
  const ports = snapshot.hostInterfaces.filter((i) => i.master === link.name);
  // A port that is a VM's tap gets the VM's name next to it.
  const vmByTap = new Map(snapshot.vms.flatMap((vm) => vm.nics.flatMap((nic) => (nic.tap ? [[nic.tap, vm.name] as const] : []))));
  return (
    <>
      <KeyValueList
        items={[
          ['Link', <Mono key="name">{link.name}</Mono>],
          ['State', <LinkStateChip key="state" operState={link.operState} />],
          ['MAC', link.mac ? <Mono>{link.mac}</Mono> : <Missing />],
          ['MTU', link.mtu ?? <Missing />],
          [
            'Addresses',
            link.addresses.length > 0 ? link.addresses.map((a) => <Mono key={cidr(a)}>{cidr(a)} </Mono>) : <Missing />,
          ],
        ]}
      />
      <Typography variant="body2" sx={{ fontWeight: 600, mt: 2, mb: 0.5 }}>
        Ports ({ports.length})
      </Typography>
      {ports.length === 0 ? (
        <Note>No interfaces are enslaved to this bridge.</Note>
      ) : (
        <MiniTable headers={['Port', 'Kind', 'State', 'Guest']}>
          {ports.map((port) => (
            <TableRow key={port.name}>
              <TableCell>
                <Mono>{port.name}</Mono>
              </TableCell>
              <TableCell>{port.kind}</TableCell>
              <TableCell>
                <LinkStateChip operState={port.operState} />
              </TableCell>
              <TableCell>{vmByTap.get(port.name) ?? <Missing />}</TableCell>
            </TableRow>
          ))}
        </MiniTable>
      )}
    </>
  );
}

function AttachedVmsSection({ details, leases }: { details: NetworkDetails; leases: readonly Lease[] }) {
  const byMac = leasesByMac(leases);
  const rows = details.attached.flatMap((entry) => entry.nics.map((nic, index) => ({ entry, nic, index })));
  return (
    <DetailSection title={`Attached VMs (${details.attached.length})`}>
      {rows.length === 0 ? (
        <Note>No VM has a NIC on this network.</Note>
      ) : (
        <MiniTable headers={['VM', 'NIC', 'Tap', 'IP']}>
          {rows.map(({ entry, nic, index }) => (
            <TableRow key={`${entry.vm}-${nic.mac ?? index}`}>
              <TableCell>
                <Box sx={{ fontWeight: 600, whiteSpace: 'nowrap', mb: 0.5 }}>{entry.vm}</Box>
                <VmStateChip state={entry.state} />
              </TableCell>
              <TableCell>
                {nic.mac ? <Mono>{nic.mac}</Mono> : <Missing />}
                <Box sx={{ color: 'text.secondary', fontSize: 12 }}>{nic.model ?? 'default model'}</Box>
              </TableCell>
              <TableCell>{nic.tap ? <Mono>{nic.tap}</Mono> : <Missing />}</TableCell>
              <TableCell>
                {(nic.mac && byMac.get(nic.mac.toLowerCase())?.map((l) => <Box key={l.ip}><Mono>{l.ip}</Mono></Box>)) || <Missing />}
              </TableCell>
            </TableRow>
          ))}
        </MiniTable>
      )}
    </DetailSection>
  );
}

/** The dense tables inside the details panel. */
function MiniTable({ headers, children }: { headers: readonly string[]; children: ReactNode }) {
  return (
    <Box sx={{ overflowX: 'auto', mx: -1 }}>
      <Table size="small" sx={{ '& td, & th': { px: 1, py: 0.75, fontSize: 13, verticalAlign: 'top' }, '& tr:last-child td': { borderBottom: 0 } }}>
        <TableHead>
          <TableRow>
            {headers.map((header) => (
              <TableCell key={header}>{header}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>{children}</TableBody>
      </Table>
    </Box>
  );
}

function Note({ children }: { children: ReactNode }) {
  return (
    <Typography variant="body2" color="text.secondary">
      {children}
    </Typography>
  );
}
