import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import { forwardText, networkForwardingProblem } from '../../../../shared/firewall/port-forward';
import type { ErrorValue, Network } from '../../../../shared/model';
import { DetailSection } from '../DetailSection';
import { AddIcon, DeleteIcon } from '../icons';
import { Mono } from '../Mono';
import { PortForwardDialog } from './PortForwardDialog';
import { usePortForwardStore } from './portForwardStore';

/** The network's port forwards: a table with remove buttons and the add dialog. */
export function PortForwardsSection({ network }: { network: Network }) {
  const list = usePortForwardStore((s) => s.byNetwork[network.name]);
  const loadError = usePortForwardStore((s) => s.errors[network.name]);
  const load = usePortForwardStore((s) => s.load);
  const remove = usePortForwardStore((s) => s.remove);
  const applyStored = usePortForwardStore((s) => s.applyStored);
  const [adding, setAdding] = useState(false);
  const [applying, setApplying] = useState(false);
  const [error, setError] = useState<ErrorValue>();
  const unsupported = networkForwardingProblem(network);

  // Reloaded when the network starts or stops, since whether the forwards are in effect changes.
  useEffect(() => {
    if (!unsupported) void load(network.name);
  }, [load, network.name, network.active, unsupported]);

  const applyNow = async () => {
    setApplying(true);
    setError(await applyStored(network.name));
    setApplying(false);
  };

  if (unsupported) return null;
  const forwards = list?.forwards ?? [];
  return (
    <DetailSection
      title={`Port forwards (${forwards.length})`}
      aside={
        <Button size="small" startIcon={<AddIcon />} onClick={() => setAdding(true)} disabled={Boolean(loadError)}>
          Add port forward
        </Button>
      }
    >
      {(error ?? loadError) && (
        <Alert severity="error" onClose={error ? () => setError(undefined) : undefined} sx={{ mb: 1.5 }}>
          {(error ?? loadError)!.message} {(error ?? loadError)!.hint}
        </Alert>
      )}
      {list?.inactiveReason && forwards.length > 0 && !list.awaitingAuthorization && (
        <Alert severity="info" sx={{ mb: 1.5 }}>
          Not in effect now: {list.inactiveReason}
        </Alert>
      )}
      {list?.awaitingAuthorization && forwards.length > 0 && (
        <Alert
          severity="info"
          sx={{ mb: 1.5 }}
          data-testid="port-forwards-awaiting-authorization"
          action={
            <Button color="inherit" size="small" disabled={applying} onClick={() => void applyNow()} sx={{ whiteSpace: 'nowrap' }}>
              Apply now
            </Button>
          }
        >
          {list.inactiveReason} They may still be in effect from before; applying makes sure.
        </Alert>
      )}
      {forwards.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          Nothing outside can reach this network’s guests: NAT lets them out, but nothing in. Forward a host port to let a guest’s service be reached.
        </Typography>
      ) : (
        <Box sx={{ overflowX: 'auto', mx: -1 }}>
          <Table size="small" data-testid="port-forwards" sx={{ '& td, & th': { px: 1, py: 0.75, fontSize: 13 }, '& tr:last-child td': { borderBottom: 0 } }}>
            <TableHead>
              <TableRow>
                <TableCell>Host</TableCell>
                <TableCell>Guest</TableCell>
                <TableCell>Description</TableCell>
                <TableCell />
              </TableRow>
            </TableHead>
            <TableBody>
              {forwards.map((forward) => (
                <TableRow key={forward.id} data-testid={`port-forward-${forward.protocol}-${forward.hostPort}`}>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>
                    <Mono>
                      {forward.hostAddress ?? 'any'}:{forward.hostPort}
                    </Mono>{' '}
                    <Box component="span" sx={{ color: 'text.secondary', textTransform: 'uppercase', fontSize: 11 }}>
                      {forward.protocol}
                    </Box>
                  </TableCell>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>
                    <Mono>
                      {forward.guestIp}:{forward.guestPort}
                    </Mono>
                  </TableCell>
                  <TableCell sx={{ color: forward.description ? 'text.primary' : 'text.secondary' }}>{forward.description ?? '—'}</TableCell>
                  <TableCell align="right" sx={{ width: 40 }}>
                    <Tooltip title="Remove this forward">
                      <IconButton
                        size="small"
                        aria-label={`Remove forward ${forwardText(forward)}`}
                        onClick={() => void remove(network.name, forward.id).then(setError)}
                      >
                        <DeleteIcon fontSize="small" />
                      </IconButton>
                    </Tooltip>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
      {adding && <PortForwardDialog network={network} onClose={() => setAdding(false)} />}
    </DetailSection>
  );
}
