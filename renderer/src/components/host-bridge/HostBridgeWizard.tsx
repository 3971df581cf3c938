// The host bridge wizard: pick a wired NIC (or a bridge to remove), choose the options, review the
// exact commands and files, then apply with a countdown that rolls everything back unless the
// user confirms — like `netplan try`. The privileged side holds the countdown too, so closing the
// window or losing the app still rolls back.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import LinearProgress from '@mui/material/LinearProgress';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Step from '@mui/material/Step';
import StepLabel from '@mui/material/StepLabel';
import Stepper from '@mui/material/Stepper';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import { toErrorValue } from '../../../../shared/errors';
import { interfaceNameProblem } from '../../../../shared/helper-protocol';
import type {
  HostBridgeChange,
  HostBridgeOverview,
  HostBridgePlanView,
  HostBridgeTransaction,
} from '../../../../shared/host-bridge';
import type { ErrorValue } from '../../../../shared/model';
import { getApi } from '../../api';
import { BridgeNetworkOffer } from './BridgeNetworkOffer';

type Action = HostBridgeChange['action'];
const STEPS = ['Interface', 'Options', 'Review', 'Apply'] as const;
const DEFAULT_COUNTDOWN_SECONDS = 30;

function ErrorAlert({ error }: { error: ErrorValue | undefined }) {
  if (!error) return null;
  return (
    <Alert severity="error" data-testid="hb-error" sx={{ mt: 2 }}>
      {error.message}
      {error.hint ? ` ${error.hint}` : ''}
    </Alert>
  );
}

function Code({ children, testId }: { children: string; testId?: string }) {
  return (
    <Box
      component="pre"
      data-testid={testId}
      sx={{ m: 0, p: 1.5, bgcolor: 'action.hover', borderRadius: 1, fontSize: 13, overflowX: 'auto', fontFamily: 'monospace' }}
    >
      {children}
    </Box>
  );
}

function freeBridgeName(overview: HostBridgeOverview): string {
  const taken = new Set([...overview.candidates.map((c) => c.name), ...overview.bridges.map((b) => b.name)]);
  for (let index = 0; ; index += 1) if (!taken.has(`br${index}`)) return `br${index}`;
}

export function HostBridgeWizard({ onClose }: { onClose: () => void }) {
  const [overview, setOverview] = useState<HostBridgeOverview>();
  const [action, setAction] = useState<Action>('create');
  const [active, setActive] = useState(0);
  const [nic, setNic] = useState('');
  const [bridgeToRemove, setBridgeToRemove] = useState('');
  const [bridge, setBridge] = useState('br0');
  const [stp, setStp] = useState(false);
  const [addressing, setAddressing] = useState<'keep' | 'dhcp'>('keep');
  const [seconds, setSeconds] = useState(DEFAULT_COUNTDOWN_SECONDS);
  const [plan, setPlan] = useState<HostBridgePlanView>();
  const [transaction, setTransaction] = useState<HostBridgeTransaction>();
  const [gateway, setGateway] = useState<{ reachable: boolean; detail: string }>();
  const [persisted, setPersisted] = useState<string[]>();
  const [error, setError] = useState<ErrorValue>();
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    getApi()
      .getHostBridgeOverview({})
      .then((value) => {
        setOverview(value);
        setBridge(freeBridgeName(value));
      })
      .catch((e: unknown) => setError(toErrorValue(e)));
  }, []);

  const open = transaction?.state === 'open';
  // While the change waits for confirmation: tick the countdown, ping the gateway, and notice a
  // rollback the privileged side did by itself when its own countdown ran out.
  useEffect(() => {
    if (!open || !transaction) return;
    const id = transaction.transaction;
    const tick = setInterval(() => setNow(Date.now()), 250);
    const poll = setInterval(() => {
      void getApi().getHostBridgeTransaction({ transaction: id }).then((t) => t.state !== 'open' && setTransaction(t)).catch(() => undefined);
      void getApi().checkHostBridgeGateway({ transaction: id }).then(setGateway).catch(() => undefined);
    }, 1500);
    return () => {
      clearInterval(tick);
      clearInterval(poll);
    };
  }, [open, transaction]);

  const change: HostBridgeChange = action === 'create' ? { action, nic, bridge, stp, addressing } : { action, bridge: bridgeToRemove };
  const bridgeNameProblem = action === 'create' ? interfaceNameProblem(bridge) : undefined;

  async function run<T>(work: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(undefined);
    try {
      return await work();
    } catch (e) {
      setError(toErrorValue(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }

  async function review() {
    const value = await run(() => getApi().planHostBridge(change));
    if (value) {
      setPlan(value);
      setActive(2);
    }
  }

  async function apply() {
    if (!plan) return;
    const value = await run(() =>
      getApi().applyHostBridge({ change, reviewedCommands: plan.commands, confirmWithinSeconds: seconds }),
    );
    if (value) {
      setTransaction(value);
      setGateway(undefined);
      setNow(Date.now());
      setActive(3);
    }
  }

  async function finish(kind: 'confirm' | 'rollback') {
    if (!transaction) return;
    const id = { transaction: transaction.transaction };
    const value = await run(() => (kind === 'confirm' ? getApi().confirmHostBridge(id) : getApi().rollbackHostBridge(id)));
    if (value) setTransaction(value);
  }

  async function persist(manager: 'networkd' | 'networkmanager') {
    if (!transaction) return;
    const value = await run(() => getApi().persistHostBridge({ transaction: transaction.transaction, manager }));
    if (value) setPersisted(value.done);
  }

  const canContinue =
    active === 0 ? (action === 'create' ? nic !== '' : bridgeToRemove !== '') : active === 1 ? !bridgeNameProblem : false;
  const remaining = transaction?.deadline ? Math.max(0, Math.ceil((transaction.deadline - now) / 1000)) : 0;

  return (
    <Dialog open onClose={open ? undefined : onClose} maxWidth="md" fullWidth data-testid="host-bridge-wizard">
      <DialogTitle>{action === 'create' ? 'Bridge a NIC for VMs' : 'Remove a host bridge'}</DialogTitle>
      <DialogContent dividers>
        <Stepper activeStep={active} sx={{ mb: 3 }}>
          {STEPS.map((label) => (
            <Step key={label}>
              <StepLabel>{label}</StepLabel>
            </Step>
          ))}
        </Stepper>
        {!overview && !error && <LinearProgress />}
        {overview?.privileges.mode === 'unavailable' && (
          <Alert severity="warning" sx={{ mb: 2 }} data-testid="hb-privileges">
            {overview.privileges.message}
          </Alert>
        )}
        {overview && active === 0 && (
          <PickStep
            overview={overview}
            action={action}
            onAction={(next) => {
              setAction(next);
              setActive(0);
            }}
            nic={nic}
            onNic={setNic}
            bridge={bridgeToRemove}
            onBridge={setBridgeToRemove}
          />
        )}
        {active === 1 && (
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2, maxWidth: 520 }}>
            <TextField
              label="Bridge name"
              value={bridge}
              onChange={(event) => setBridge(event.target.value)}
              error={bridgeNameProblem !== undefined}
              helperText={bridgeNameProblem ?? 'Up to 15 letters, digits, "_", "." or "-".'}
              slotProps={{ htmlInput: { 'data-testid': 'hb-bridge-name' } }}
            />
            <FormControlLabel
              control={<Switch checked={stp} onChange={(event) => setStp(event.target.checked)} data-testid="hb-stp" />}
              label="Spanning Tree Protocol (only if this bridge could close a loop in your LAN)"
            />
            <RadioGroup value={addressing} onChange={(event) => setAddressing(event.target.value as 'keep' | 'dhcp')}>
              <FormControlLabel
                value="keep"
                control={<Radio data-testid="hb-addressing-keep" />}
                label={`Keep ${nic}'s addressing: its addresses, routes and default gateway move to the bridge`}
              />
              <FormControlLabel
                value="dhcp"
                control={<Radio data-testid="hb-addressing-dhcp" />}
                label="Use DHCP on the bridge (it keeps the NIC's MAC, so the DHCP server sees the same machine)"
              />
            </RadioGroup>
            <TextField
              type="number"
              label="Roll back unless confirmed within (seconds)"
              value={seconds}
              onChange={(event) => setSeconds(Number(event.target.value))}
              slotProps={{ htmlInput: { min: 10, max: 300, 'data-testid': 'hb-countdown-seconds' } }}
            />
          </Box>
        )}
        {active === 2 && plan && <ReviewStep plan={plan} />}
        {active === 3 && transaction && (
          <Box data-testid="hb-apply-step">
            {open && (
              <>
                <Typography variant="h5" data-testid="hb-countdown">
                  Rolling back in {remaining} s unless you keep it
                </Typography>
                <LinearProgress
                  variant="determinate"
                  value={(remaining / seconds) * 100}
                  sx={{ my: 2, height: 8, borderRadius: 4 }}
                />
                <Alert severity={gateway?.reachable ? 'success' : 'info'} data-testid="hb-gateway-status">
                  {transaction.gateway
                    ? gateway
                      ? gateway.detail
                      : `Pinging the gateway ${transaction.gateway.address} through ${transaction.gateway.dev}…`
                    : 'There is no gateway to ping: check the network yourself before keeping the change.'}
                </Alert>
              </>
            )}
            {transaction.state === 'rolled-back' && (
              <Alert severity={transaction.differences?.length ? 'error' : 'warning'} data-testid="hb-result">
                Rolled back. {transaction.reason}{' '}
                {transaction.differences?.length
                  ? `Not restored: ${transaction.differences.join(' ')}`
                  : 'The previous addresses, routes, ports and link states are back exactly.'}
              </Alert>
            )}
            {transaction.state === 'confirmed' && plan && (
              <PersistStep plan={plan} persisted={persisted} busy={busy} onPersist={persist} />
            )}
          </Box>
        )}
        <ErrorAlert error={error} />
      </DialogContent>
      <DialogActions>
        {active === 3 && open ? (
          <>
            <Button color="warning" onClick={() => void finish('rollback')} disabled={busy} data-testid="hb-rollback">
              Roll back now
            </Button>
            <Button variant="contained" onClick={() => void finish('confirm')} disabled={busy} data-testid="hb-confirm">
              Keep this configuration
            </Button>
          </>
        ) : (
          <>
            <Button onClick={onClose} data-testid="hb-close">
              {active === 3 ? 'Close' : 'Cancel'}
            </Button>
            {active > 0 && active < 3 && (
              <Button onClick={() => setActive(action === 'remove' && active === 2 ? 0 : active - 1)}>Back</Button>
            )}
            {active < 2 && (
              <Button
                variant="contained"
                disabled={!canContinue || busy}
                data-testid="hb-next"
                onClick={() => (active === 0 && action === 'create' ? setActive(1) : void review())}
              >
                {active === 0 && action === 'create' ? 'Next' : 'Review'}
              </Button>
            )}
            {active === 2 && (
              <Button
                variant="contained"
                color="warning"
                disabled={busy || overview?.privileges.mode === 'unavailable'}
                onClick={() => void apply()}
                data-testid="hb-apply"
              >
                Apply with {seconds} s to confirm
              </Button>
            )}
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}

function PickStep(props: {
  overview: HostBridgeOverview;
  action: Action;
  onAction: (action: Action) => void;
  nic: string;
  onNic: (nic: string) => void;
  bridge: string;
  onBridge: (bridge: string) => void;
}) {
  const { overview, action } = props;
  return (
    <Box>
      <ToggleButtonGroup
        exclusive
        size="small"
        value={action}
        onChange={(_, value: Action | null) => value && props.onAction(value)}
        sx={{ mb: 2 }}
      >
        <ToggleButton value="create" data-testid="hb-mode-create">
          Create a bridge
        </ToggleButton>
        <ToggleButton value="remove" data-testid="hb-mode-remove">
          Remove a bridge
        </ToggleButton>
      </ToggleButtonGroup>
      {action === 'create' ? (
        <RadioGroup value={props.nic} onChange={(event) => props.onNic(event.target.value)}>
          {overview.candidates
            .filter((candidate) => candidate.kind !== 'loopback')
            .map((candidate) => (
              <Box key={candidate.name} sx={{ mb: 1 }} data-testid={`hb-candidate-${candidate.name}`}>
                <FormControlLabel
                  value={candidate.name}
                  disabled={candidate.unavailableReason !== undefined}
                  control={<Radio />}
                  label={
                    <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
                      <Typography sx={{ fontFamily: 'monospace' }}>{candidate.name}</Typography>
                      <Typography variant="body2" color="text.secondary">
                        {candidate.kind} {candidate.mac ?? ''} {candidate.addresses.join(', ')}
                      </Typography>
                      {candidate.carriesDefaultRoute && <Chip size="small" color="warning" label="default route" />}
                    </Box>
                  }
                />
                {candidate.unavailableReason && (
                  <Typography variant="body2" color="text.secondary" sx={{ ml: 4 }}>
                    {candidate.unavailableReason}
                  </Typography>
                )}
                {candidate.carriesDefaultRoute && props.nic === candidate.name && (
                  <Alert severity="warning" sx={{ ml: 4, mt: 0.5 }}>
                    The machine reaches its LAN and the Internet through {candidate.name}. If the bridge does not work, the
                    countdown rolls everything back.
                  </Alert>
                )}
              </Box>
            ))}
        </RadioGroup>
      ) : (
        <RadioGroup value={props.bridge} onChange={(event) => props.onBridge(event.target.value)}>
          {overview.bridges.length === 0 && <Typography color="text.secondary">There are no bridges.</Typography>}
          {overview.bridges.map((bridge) => (
            <Box key={bridge.name} sx={{ mb: 1 }} data-testid={`hb-bridge-${bridge.name}`}>
              <FormControlLabel
                value={bridge.name}
                disabled={bridge.unavailableReason !== undefined}
                control={<Radio />}
                label={`${bridge.name}${bridge.port ? ` (port ${bridge.port})` : ''} ${bridge.addresses.join(', ')}`}
              />
              {bridge.unavailableReason && (
                <Typography variant="body2" color="text.secondary" sx={{ ml: 4 }}>
                  {bridge.unavailableReason}
                </Typography>
              )}
            </Box>
          ))}
        </RadioGroup>
      )}
    </Box>
  );
}

function ReviewStep({ plan }: { plan: HostBridgePlanView }) {
  const removing = plan.change.action === 'remove';
  return (
    <Box data-testid="hb-review" sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      {plan.warnings.map((warning) => (
        <Alert key={warning} severity="warning">
          {warning}
        </Alert>
      ))}
      <Typography variant="subtitle1">These commands run, in this order ({plan.commands.length}):</Typography>
      <Code testId="hb-review-commands">{plan.commands.map((command, index) => `${index + 1}. ${command}`).join('\n')}</Code>
      <Typography variant="subtitle1">
        Once you keep the change, {removing ? 'these are removed' : 'this makes it survive a reboot'} (
        {plan.persistence.manager === 'none' ? 'no network manager found' : plan.persistence.manager}):
      </Typography>
      {plan.persistence.warnings.map((warning) => (
        <Alert key={warning} severity="info">
          {warning}
        </Alert>
      ))}
      {plan.persistence.commands.length > 0 && <Code>{plan.persistence.commands.join('\n')}</Code>}
      {plan.persistence.files.map((file) => (
        <Box key={file.path} data-testid="hb-review-file">
          <Typography variant="body2" sx={{ mb: 0.5, fontFamily: 'monospace' }}>
            {file.path}
          </Typography>
          {file.content && <Code>{file.content}</Code>}
        </Box>
      ))}
    </Box>
  );
}

function PersistStep(props: {
  plan: HostBridgePlanView;
  persisted: string[] | undefined;
  busy: boolean;
  onPersist: (manager: 'networkd' | 'networkmanager') => void;
}) {
  const { plan, persisted } = props;
  const manager = plan.persistence.manager === 'networkmanager' ? 'networkmanager' : 'networkd';
  const removing = plan.change.action === 'remove';
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      <Alert severity="success" data-testid="hb-result">
        Kept. {removing ? 'The bridge is gone and the NIC has its addressing back.' : 'The bridge carries the NIC’s traffic now.'}
      </Alert>
      {persisted ? (
        <Alert severity="success" data-testid="hb-persisted">
          {removing ? 'Removed' : 'Written'}: {persisted.join(', ')}
        </Alert>
      ) : (
        <Box>
          {plan.persistence.manager === 'none' && (
            <Alert severity="warning" sx={{ mb: 1 }}>
              Without a network manager the {removing ? 'removal' : 'bridge'} lasts until the next reboot.
            </Alert>
          )}
          <Button variant="outlined" disabled={props.busy} onClick={() => props.onPersist(manager)} data-testid="hb-persist">
            {removing
              ? 'Remove the saved configuration'
              : manager === 'networkmanager'
                ? 'Save as NetworkManager profiles'
                : 'Write systemd-networkd files'}
          </Button>
        </Box>
      )}
      {plan.change.action === 'create' && <BridgeNetworkOffer bridge={plan.change.bridge} />}
    </Box>
  );
}

/** The header's entry to the wizard. */
export function HostBridgeButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button color="inherit" onClick={() => setOpen(true)} data-testid="host-bridge-open">
        Host bridges
      </Button>
      {open && <HostBridgeWizard onClose={() => setOpen(false)} />}
    </>
  );
}
