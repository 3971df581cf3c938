// The New network wizard: pick a mode, address it (with a free subnet already filled in), set up
// DHCP and DNS, review the XML and what it does to the host, then create it. Every field is
// checked as it is typed, with the same validation the core runs, so a clash (an overlapping
// subnet, a bridge name in use) shows at the field and nothing is sent. What libvirt still
// refuses comes back verbatim with an explanation, and the wizard keeps the user's input.
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Divider from '@mui/material/Divider';
import FormControlLabel from '@mui/material/FormControlLabel';
import LinearProgress from '@mui/material/LinearProgress';
import Step from '@mui/material/Step';
import StepLabel from '@mui/material/StepLabel';
import Stepper from '@mui/material/Stepper';
import Typography from '@mui/material/Typography';
import { useMemo, useState } from 'react';
import { toErrorValue } from '../../../../shared/errors';
import type { NetworkDefinition } from '../../../../shared/libvirt/network-xml';
import { applyNetworkDefinition } from '../../../../shared/libvirt/network-xml-edit';
import type { ErrorValue, Network } from '../../../../shared/model';
import type { FieldProblem, HostRoute } from '../../../../shared/validation/network-validation';
import { getApi } from '../../api';
import { useAppStore } from '../../store';
import { MONOSPACE_FONTS } from '../../theme';
import { bridgeNetworkDefinition } from '../host-bridge/BridgeNetworkOffer';
import { AddIcon } from '../icons';
import {
  AddressingSection,
  addressSpace,
  BridgeSection,
  DhcpSection,
  DnsSection,
  freeBridgeName,
  freeNetworkName,
  HostBridgeSection,
  hostBridges,
  isUnder,
  loadHostRoutes,
  suggestedIpv4,
  suggestedIpv6,
  useNetworkProblems,
  type AddressSpace,
} from '../network-form';
import { ModeStep } from './ModeStep';
import { describeHostChanges, MODE_INFO, type WizardMode } from './modes';

type StepId = 'mode' | 'addressing' | 'dhcp-dns' | 'host-bridge' | 'review';

const STEP_LABEL: Record<StepId, string> = {
  mode: 'Mode',
  addressing: 'Addressing',
  'dhcp-dns': 'DHCP & DNS',
  'host-bridge': 'Host bridge',
  review: 'Review',
};

const NAME_BASE: Record<WizardMode, string> = { nat: 'nat-net', route: 'routed-net', isolated: 'isolated-net', open: 'open-net', bridge: 'bridged-net' };

function stepsFor(mode: WizardMode): StepId[] {
  return mode === 'bridge' ? ['mode', 'host-bridge', 'review'] : ['mode', 'addressing', 'dhcp-dns', 'review'];
}

/** The step whose inputs show a problem of `field`. */
function stepOfField(field: string, mode: WizardMode): StepId {
  // Until a host bridge is picked, validation reads a bridge network as a macvtap one (forward.mode).
  if (mode === 'bridge') return isUnder(field, 'name') ? 'mode' : 'host-bridge';
  if (['name', 'uuid', 'forward'].some((parent) => isUnder(field, parent))) return 'mode';
  if (/^ips\[\d+\]\.(dhcpRanges|dhcpHosts|bootp|tftpRoot)/.test(field)) return 'dhcp-dns';
  if (['dns', 'dnsHosts', 'domain'].some((parent) => isUnder(field, parent))) return 'dhcp-dns';
  return 'addressing';
}

/** A nat network on the first free /24 and the first free virbrN: what the wizard starts from. */
function initialDefinition(space: AddressSpace): NetworkDefinition {
  const ipv4 = suggestedIpv4(space);
  return {
    name: '',
    uuid: '',
    forward: { mode: 'nat' },
    bridge: { name: freeBridgeName(space), stp: true },
    ips: ipv4 ? [ipv4] : [],
    dnsHosts: [],
    dns: { forwarders: [], txts: [], srvs: [] },
    routes: [],
  };
}

type Outcome = { kind: 'creating' } | { kind: 'created'; network: Network } | { kind: 'failed'; error: ErrorValue };

export function NewNetworkWizard({ hostRoutes, onClose }: { hostRoutes: HostRoute[] | undefined; onClose(): void }) {
  const snapshot = useAppStore((state) => state.snapshot);
  const selectNetwork = useAppStore((state) => state.selectNetwork);
  const space = addressSpace(snapshot, hostRoutes);
  const [mode, setMode] = useState<WizardMode>('nat');
  const [typedName, setTypedName] = useState<string>();
  const [libvirtBridged, setLibvirtBridged] = useState(() => initialDefinition(space));
  const [pickedHostBridge, setPickedHostBridge] = useState<string>();
  const [start, setStart] = useState(true);
  const [autostart, setAutostart] = useState(true);
  const [active, setActive] = useState(0);
  const [outcome, setOutcome] = useState<Outcome>();

  const name = typedName ?? freeNetworkName(NAME_BASE[mode], space.networks);
  const offeredBridges = hostBridges(space.hostInterfaces ?? [], space.networks);
  const hostBridge = pickedHostBridge ?? offeredBridges[0]?.name;
  const definition = useMemo<NetworkDefinition>(() => {
    if (mode !== 'bridge') return { ...libvirtBridged, name, forward: { mode } };
    const bridged = bridgeNetworkDefinition(name, hostBridge ?? '');
    const { bridge: _none, ...withoutBridge } = bridged;
    return hostBridge ? bridged : withoutBridge;
  }, [mode, libvirtBridged, name, hostBridge]);
  const problems = useNetworkProblems(definition, true, hostRoutes);
  const xml = useMemo(() => applyNetworkDefinition(undefined, definition), [definition]);

  const steps = stepsFor(mode);
  const step = steps[Math.min(active, steps.length - 1)] ?? 'mode';
  const errors = problems.filter((problem) => problem.severity === 'error');
  const stepHasErrors = (id: StepId) => errors.some((problem) => id === 'review' || stepOfField(problem.field, mode) === id);
  const creating = outcome?.kind === 'creating';

  const setDefinition = (next: NetworkDefinition) => {
    setLibvirtBridged(next);
    if (outcome?.kind === 'failed') setOutcome(undefined);
  };
  const sectionProps = { definition, onChange: setDefinition, problems, disabled: creating };

  async function create() {
    setOutcome({ kind: 'creating' });
    try {
      const network = await getApi().createNetwork({ xml, start, autostart });
      selectNetwork(network.name);
      setOutcome({ kind: 'created', network });
    } catch (error) {
      setOutcome({ kind: 'failed', error: toErrorValue(error) });
    }
  }

  if (outcome?.kind === 'created') {
    return (
      <Dialog open onClose={onClose} maxWidth="sm" fullWidth data-testid="new-network-wizard">
        <DialogTitle>Network created</DialogTitle>
        <DialogContent>
          <Alert severity="success" data-testid="wizard-success">
            <AlertTitle>{outcome.network.name} is {outcome.network.active ? 'running' : 'defined'}</AlertTitle>
            {createdSummary(outcome.network)}
          </Alert>
        </DialogContent>
        <DialogActions>
          <Button variant="contained" onClick={onClose} data-testid="wizard-close">
            Done
          </Button>
        </DialogActions>
      </Dialog>
    );
  }

  return (
    <Dialog open onClose={creating ? undefined : onClose} maxWidth="md" fullWidth data-testid="new-network-wizard" aria-labelledby="new-network-title">
      <DialogTitle id="new-network-title" sx={{ pb: 1 }}>
        New network
      </DialogTitle>
      <Box sx={{ px: 3, pb: 2 }}>
        <Stepper activeStep={active}>
          {steps.map((id, index) => (
            <Step key={id} completed={index < active}>
              <StepLabel error={index < active && stepHasErrors(id)}>{STEP_LABEL[id]}</StepLabel>
            </Step>
          ))}
        </Stepper>
      </Box>
      <Divider />
      <DialogContent sx={{ minHeight: 430 }} data-testid={`wizard-step-${step}`}>
        {outcome?.kind === 'failed' && <CreateFailure error={outcome.error} />}
        {step === 'mode' && (
          <ModeStep
            mode={mode}
            onModeChange={setMode}
            name={name}
            onNameChange={setTypedName}
            problems={problems}
            bridge={definition.bridge?.name ?? ''}
          />
        )}
        {step === 'addressing' && (
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: 3 }}>
            <StepIntro title="Addresses">
              The first private subnet that no network, host address or host route uses is filled in. The host takes the first address and is the guests’ gateway.
            </StepIntro>
            <AddressingSection {...sectionProps} suggestIp={(family) => (family === 'ipv4' ? suggestedIpv4(space) : suggestedIpv6())} />
            <Divider />
            <StepIntro title="Bridge">{`libvirt creates this bridge on the host when the network starts.`}</StepIntro>
            <BridgeSection {...sectionProps} />
          </Box>
        )}
        {step === 'dhcp-dns' && (
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: 3 }}>
            <DhcpSection family="ipv4" {...sectionProps} />
            {definition.ips.some((ip) => ip.family === 'ipv6') && (
              <>
                <Divider />
                <DhcpSection family="ipv6" {...sectionProps} />
              </>
            )}
            <Divider />
            <DnsSection {...sectionProps} />
          </Box>
        )}
        {step === 'host-bridge' && (
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
            <StepIntro title="Host bridge">
              Guests’ NICs become ports of this bridge, next to the host’s own NIC. Only bridges the host already has are listed, not the ones libvirt runs for its networks.
            </StepIntro>
            <HostBridgeSection
              {...sectionProps}
              onChange={(next) => setPickedHostBridge(next.bridge?.name)}
              hostInterfaces={space.hostInterfaces ?? []}
              networks={space.networks}
              hostUnreadable={space.hostInterfaces ? undefined : 'Switchyard cannot read this host’s links (a remote libvirt?), so it cannot list its bridges.'}
            />
          </Box>
        )}
        {step === 'review' && (
          <ReviewStep
            definition={definition}
            xml={xml}
            errors={errors}
            start={start}
            autostart={autostart}
            onStartChange={setStart}
            onAutostartChange={setAutostart}
            disabled={creating}
          />
        )}
      </DialogContent>
      {creating && (
        <Box sx={{ px: 3, pb: 1 }} data-testid="wizard-progress">
          <Typography variant="body2" color="text.secondary" sx={{ mb: 0.5 }}>
            {progressText(name, start, autostart)}
          </Typography>
          <LinearProgress />
        </Box>
      )}
      <DialogActions sx={{ px: 3, py: 2 }}>
        <Button onClick={onClose} disabled={creating} sx={{ mr: 'auto' }}>
          Cancel
        </Button>
        <Button onClick={() => setActive(active - 1)} disabled={active === 0 || creating} data-testid="wizard-back">
          Back
        </Button>
        {step === 'review' ? (
          <Button variant="contained" onClick={() => void create()} disabled={creating || errors.length > 0} data-testid="wizard-create">
            {start ? 'Create and start' : 'Create'}
          </Button>
        ) : (
          <Button variant="contained" onClick={() => setActive(active + 1)} disabled={stepHasErrors(step)} data-testid="wizard-next">
            Next
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}

function StepIntro({ title, children }: { title: string; children: string }) {
  return (
    <Box>
      <Typography variant="subtitle1" sx={{ fontWeight: 650 }}>
        {title}
      </Typography>
      <Typography variant="body2" color="text.secondary">
        {children}
      </Typography>
    </Box>
  );
}

function progressText(name: string, start: boolean, autostart: boolean): string {
  const steps = [`Defining ${name}`, ...(start ? ['starting it'] : []), ...(autostart ? ['turning on autostart'] : [])];
  return `${steps.join(', ')}…`;
}

function createdSummary(network: Network): string {
  const where = network.forward.mode === 'bridge' ? `VMs plugged into it get a port on ${network.bridge?.name ?? 'the host bridge'}.` : `Its bridge is ${network.bridge?.name ?? '(not yet created)'}.`;
  const boot = network.autostart ? 'It starts with the host.' : 'It does not start with the host.';
  return `${where} ${boot} Plug VM NICs into it from the Topology tab.`;
}

interface ReviewStepProps {
  definition: NetworkDefinition;
  xml: string;
  errors: readonly FieldProblem[];
  start: boolean;
  autostart: boolean;
  onStartChange(start: boolean): void;
  onAutostartChange(autostart: boolean): void;
  disabled: boolean;
}

function ReviewStep({ definition, xml, errors, start, autostart, onStartChange, onAutostartChange, disabled }: ReviewStepProps) {
  const mode = definition.forward.mode as WizardMode;
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
      {errors.length > 0 && (
        <Alert severity="error" data-testid="wizard-review-errors">
          <AlertTitle>Fix these before creating the network</AlertTitle>
          {errors.map((problem) => (
            <div key={`${problem.field} ${problem.message}`}>{`${problem.message} ${problem.hint}`}</div>
          ))}
        </Alert>
      )}
      <Box>
        <Typography variant="subtitle1" sx={{ fontWeight: 650 }}>
          What this does to the host
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {MODE_INFO[mode].title} network <b>{definition.name}</b>
        </Typography>
        <Box component="ul" data-testid="host-changes" sx={{ my: 1, pl: 2.5, '& li': { mb: 0.5 } }}>
          {describeHostChanges(definition, { start, autostart }).map((change) => (
            <Typography component="li" variant="body2" key={change}>
              {change}
            </Typography>
          ))}
        </Box>
        <Box sx={{ display: 'flex', gap: 3 }}>
          <FormControlLabel
            control={<Checkbox checked={start} disabled={disabled} onChange={(event) => onStartChange(event.target.checked)} slotProps={{ input: { 'data-testid': 'wizard-start' } as object }} />}
            label="Start it now"
          />
          <FormControlLabel
            control={<Checkbox checked={autostart} disabled={disabled} onChange={(event) => onAutostartChange(event.target.checked)} slotProps={{ input: { 'data-testid': 'wizard-autostart' } as object }} />}
            label="Start it when the host boots (autostart)"
          />
        </Box>
      </Box>
      <Box>
        <Typography variant="subtitle2" sx={{ mb: 0.5 }}>
          Network XML
        </Typography>
        <Box
          component="pre"
          data-testid="wizard-xml"
          sx={{ m: 0, p: 1.5, maxHeight: 240, overflow: 'auto', fontFamily: MONOSPACE_FONTS, fontSize: 12, lineHeight: 1.5, borderRadius: 1, bgcolor: 'action.hover', border: 1, borderColor: 'divider' }}
        >
          {xml}
        </Box>
      </Box>
    </Box>
  );
}

/** libvirt's refusal verbatim, then what it means; the user's input stays as it was. */
function CreateFailure({ error }: { error: ErrorValue }) {
  const refused = error.code === 'libvirt-error';
  return (
    <Alert severity="error" data-testid="wizard-error" sx={{ mb: 2.5 }} ref={(alert) => alert?.scrollIntoView({ block: 'nearest' })}>
      <AlertTitle>{refused ? 'libvirt refused the network' : 'The network was not created'}</AlertTitle>
      <Box component="pre" data-testid="wizard-error-message" sx={{ m: 0, mb: 1, whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontFamily: MONOSPACE_FONTS, fontSize: 12 }}>
        {error.message}
      </Box>
      {error.hint && <Typography variant="body2" data-testid="wizard-error-hint">{error.hint}</Typography>}
      {error.field && !refused && (
        <Typography variant="body2" sx={{ mt: 0.5 }}>
          Field: {error.field}
        </Typography>
      )}
    </Alert>
  );
}

/** The "New network" button: loads the host's routes (which a new subnet must avoid), then opens the wizard. */
export function NewNetworkButton({ disabled = false }: { disabled?: boolean }) {
  const [opened, setOpened] = useState<{ hostRoutes: HostRoute[] | undefined }>();
  const [loading, setLoading] = useState(false);
  async function open() {
    setLoading(true);
    const hostRoutes = await loadHostRoutes();
    setLoading(false);
    setOpened({ hostRoutes });
  }
  return (
    <>
      <Button variant="contained" startIcon={<AddIcon />} onClick={() => void open()} disabled={disabled || loading} data-testid="new-network">
        New network
      </Button>
      {opened && <NewNetworkWizard hostRoutes={opened.hostRoutes} onClose={() => setOpened(undefined)} />}
    </>
  );
}
