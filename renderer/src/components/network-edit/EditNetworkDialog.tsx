// Editing an existing network, with the wizard's form sections or, for experts, its XML. Both
// start from the stored definition and write back into it losslessly (applyNetworkDefinition:
// XML the form does not know, such as dnsmasq options, stays). Before anything is applied the
// user reviews the XML diff and the impact: live, stored only, or a restart, which is confirmed
// separately with the VMs that lose connectivity.
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Divider from '@mui/material/Divider';
import LinearProgress from '@mui/material/LinearProgress';
import MenuItem from '@mui/material/MenuItem';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useMemo, useState, type ReactNode } from 'react';
import { SwitchyardError, toErrorValue } from '../../../../shared/errors';
import { planNetworkEdit, type NetworkEditPlan } from '../../../../shared/libvirt/network-update-plan';
import { parseNetworkXml, type NetworkDefinition } from '../../../../shared/libvirt/network-xml';
import { applyNetworkDefinition } from '../../../../shared/libvirt/network-xml-edit';
import type { ErrorValue, Network } from '../../../../shared/model';
import { editIdentityProblems, type FieldProblem, type HostRoute } from '../../../../shared/validation/network-validation';
import { getApi } from '../../api';
import { useAppStore } from '../../store';
import { MONOSPACE_FONTS } from '../../theme';
import {
  AddressingSection,
  addressSpace,
  BridgeSection,
  DhcpSection,
  DnsSection,
  HostBridgeSection,
  suggestedIpv4,
  suggestedIpv6,
  useNetworkProblems,
} from '../network-form';
import { MODE_INFO } from '../network-wizard/modes';
import { ConfirmDialog } from './ConfirmDialog';
import { EditReview } from './EditReview';
import { ErrorDetails } from './ErrorDetails';
import { isPluggedIn, nicsOnNetwork, vmNames } from './impact';
import { NetworkNicList } from './NetworkNicList';

export type EditView = 'form' | 'xml';

interface EditNetworkDialogProps {
  network: Network;
  /** The stored definition (net-dumpxml --inactive), which the edit starts from and is diffed against. */
  storedXml: string;
  hostRoutes: HostRoute[] | undefined;
  initialView: EditView;
  onClose(): void;
}

const LIBVIRT_BRIDGE_MODES = ['nat', 'route', 'isolated', 'open'] as const;

type Outcome =
  | { kind: 'applying'; allowRestart: boolean }
  | { kind: 'applied'; applied: 'unchanged' | 'stored' | 'live' | 'restarted'; detachedTaps: string[] }
  | { kind: 'failed'; error: ErrorValue };

/** The XML text as a definition, or why it is not one. */
function parseXmlText(text: string): { definition: NetworkDefinition } | { error: ErrorValue } {
  try {
    return { definition: parseNetworkXml(text) };
  } catch (error) {
    if (error instanceof SwitchyardError) return { error: error.value };
    throw error;
  }
}

export function EditNetworkDialog({ network, storedXml, hostRoutes, initialView, onClose }: EditNetworkDialogProps) {
  const snapshot = useAppStore((state) => state.snapshot);
  const [view, setView] = useState<EditView>(initialView);
  const [step, setStep] = useState<'edit' | 'review'>('edit');
  // The form writes its definition into baseXml, which is the stored XML or what the XML view last held.
  const [baseXml, setBaseXml] = useState(storedXml);
  const [definition, setDefinition] = useState(() => parseNetworkXml(storedXml));
  const [xmlText, setXmlText] = useState(storedXml);
  const [outcome, setOutcome] = useState<Outcome>();
  const [confirmRestart, setConfirmRestart] = useState(false);

  const formXml = useMemo(() => applyNetworkDefinition(baseXml, definition), [baseXml, definition]);
  const parsedText = useMemo(() => (view === 'xml' ? parseXmlText(xmlText) : undefined), [view, xmlText]);
  const xmlError = parsedText && 'error' in parsedText ? parsedText.error : undefined;
  const checked = parsedText && 'definition' in parsedText ? parsedText.definition : definition;
  const newXml = view === 'xml' ? xmlText : formXml;

  const runningBridge = network.active ? network.bridge?.name : undefined;
  const fieldProblems = useNetworkProblems(checked, false, hostRoutes, runningBridge);
  const problems = useMemo(() => [...editIdentityProblems(checked, network), ...fieldProblems], [checked, network, fieldProblems]);
  const errors = problems.filter((problem) => problem.severity === 'error');
  const plan = useMemo<NetworkEditPlan | undefined>(
    () => (xmlError ? undefined : planNetworkEdit(storedXml, newXml, network.active)),
    [xmlError, storedXml, newXml, network.active],
  );
  const nics = nicsOnNetwork(snapshot?.vms ?? [], network.name);
  const busy = outcome?.kind === 'applying';
  const canReview = !xmlError && errors.length === 0 && plan !== undefined && plan.kind !== 'unchanged';

  const changeDefinition = (next: NetworkDefinition) => {
    setDefinition(next);
    if (outcome?.kind === 'failed') setOutcome(undefined);
  };
  const switchView = (next: EditView) => {
    if (next === 'xml') setXmlText(formXml);
    else if (parsedText && 'definition' in parsedText) {
      setBaseXml(xmlText);
      setDefinition(parsedText.definition);
    }
    setView(next);
  };

  async function apply(allowRestart: boolean) {
    setOutcome({ kind: 'applying', allowRestart });
    try {
      const result = await getApi().updateNetwork({ name: network.name, xml: newXml, allowRestart });
      setConfirmRestart(false);
      setOutcome({ kind: 'applied', applied: result.applied, detachedTaps: result.detachedTaps ?? [] });
    } catch (error) {
      const value = toErrorValue(error);
      // The network changed meanwhile and the core found a restart where the dialog did not: ask.
      if (value.code === 'restart-required' && !allowRestart) {
        setOutcome(undefined);
        setConfirmRestart(true);
        return;
      }
      setOutcome({ kind: 'failed', error: value });
    }
  }

  if (outcome?.kind === 'applied') return <Applied network={network} outcome={outcome} onClose={onClose} />;

  return (
    <>
      <Dialog open onClose={busy ? undefined : onClose} maxWidth="md" fullWidth data-testid="edit-network-dialog" aria-labelledby="edit-network-title">
        <DialogTitle id="edit-network-title" sx={{ pb: 0 }}>
          {step === 'review' ? `Review changes to ${network.name}` : `Edit ${network.name}`}
        </DialogTitle>
        {step === 'edit' && (
          <Tabs value={view} onChange={(_, next: EditView) => switchView(next)} sx={{ px: 3 }}>
            <Tab value="form" label="Settings" data-testid="edit-tab-form" disabled={Boolean(xmlError)} />
            <Tab value="xml" label="XML" data-testid="edit-tab-xml" />
          </Tabs>
        )}
        <Divider />
        <DialogContent sx={{ minHeight: 420 }}>
          {step === 'review' && plan ? (
            <EditReview network={network} plan={plan} nics={nics} storedXml={storedXml} newXml={newXml} />
          ) : view === 'xml' ? (
            <XmlEditor text={xmlText} onChange={setXmlText} parseError={xmlError} errors={errors} disabled={busy} />
          ) : (
            <FormView definition={definition} onChange={changeDefinition} problems={problems} hostRoutes={hostRoutes} disabled={busy} />
          )}
          {outcome?.kind === 'failed' && (
            <Alert severity="error" data-testid="edit-error" sx={{ mt: 2 }}>
              <AlertTitle>{outcome.error.code === 'libvirt-error' ? 'libvirt refused the change' : 'The change was not applied'}</AlertTitle>
              <ErrorDetails error={outcome.error} />
            </Alert>
          )}
        </DialogContent>
        {busy && !confirmRestart && <LinearProgress aria-label="Applying the change" />}
        <DialogActions sx={{ px: 3, py: 2 }}>
          <Button onClick={onClose} disabled={busy} sx={{ mr: 'auto' }}>
            Cancel
          </Button>
          {step === 'review' ? (
            <>
              <Button onClick={() => setStep('edit')} disabled={busy} data-testid="edit-back">
                Back
              </Button>
              <Button
                variant="contained"
                onClick={() => (plan?.kind === 'restart' ? setConfirmRestart(true) : void apply(false))}
                disabled={busy || !canReview}
                data-testid="edit-apply"
              >
                {applyLabel(plan)}
              </Button>
            </>
          ) : (
            <Button variant="contained" onClick={() => setStep('review')} disabled={!canReview} data-testid="edit-review-button">
              Review changes
            </Button>
          )}
        </DialogActions>
      </Dialog>
      {confirmRestart && plan?.kind === 'restart' && (
        <ConfirmDialog
          title={`Restart ${network.name} to apply the change?`}
          confirmLabel="Restart and apply"
          busyLabel="Restarting…"
          busy={busy}
          error={outcome?.kind === 'failed' ? outcome.error : undefined}
          onConfirm={() => void apply(true)}
          onClose={() => setConfirmRestart(false)}
          testId="restart-confirm"
        >
          <Typography variant="body2">
            libvirt stops the network and starts it with the new definition ({plan.reasons.join('; ')}). Its bridge, dnsmasq and firewall rules are
            recreated; Switchyard then plugs the running guests&apos; NICs back into the bridge. If the new definition does not start, the old one is
            restored and started again.
          </Typography>
          <Typography variant="body2" sx={{ fontWeight: 600 }} data-testid="restart-cut-off">
            {cutOffText(vmNames(nics.filter(isPluggedIn)))}
          </Typography>
          <NetworkNicList nics={nics} change="restart" testId="restart-impact" />
        </ConfirmDialog>
      )}
    </>
  );
}

function cutOffText(names: readonly string[]): string {
  if (names.length === 0) return 'No running VM is on this network, so nobody loses connectivity.';
  return `${names.join(', ')} briefly ${names.length === 1 ? 'loses' : 'lose'} connectivity:`;
}

function applyLabel(plan: NetworkEditPlan | undefined): string {
  switch (plan?.kind) {
    case 'live':
      return 'Apply live';
    case 'restart':
      return 'Restart and apply…';
    case 'stored':
      return 'Save';
    default:
      return 'Apply';
  }
}

interface FormViewProps {
  definition: NetworkDefinition;
  onChange(next: NetworkDefinition): void;
  problems: readonly FieldProblem[];
  hostRoutes: HostRoute[] | undefined;
  disabled: boolean;
}

/** The wizard's sections for the network's mode; the name stays (renaming makes a new network). */
function FormView({ definition, onChange, problems, hostRoutes, disabled }: FormViewProps) {
  const snapshot = useAppStore((state) => state.snapshot);
  const space = addressSpace(snapshot, hostRoutes);
  const sectionProps = { definition, onChange, problems, disabled };
  if (definition.forward.mode === 'bridge') {
    return (
      <FormPart title="Host bridge" intro="Guests' NICs are ports of this existing host bridge.">
        <HostBridgeSection
          {...sectionProps}
          hostInterfaces={space.hostInterfaces ?? []}
          networks={space.networks}
          hostUnreadable={space.hostInterfaces ? undefined : 'Switchyard cannot read this host’s links (a remote libvirt?), so it cannot list its bridges.'}
        />
      </FormPart>
    );
  }
  const mode = definition.forward.mode === 'nat' || definition.forward.mode === 'route' || definition.forward.mode === 'open' ? definition.forward.mode : 'isolated';
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 3 }}>
      <FormPart title="Forward mode" intro={MODE_INFO[mode].explanation}>
        <TextField
          select
          size="small"
          label="Mode"
          value={mode}
          disabled={disabled}
          sx={{ width: 260 }}
          onChange={(event) => {
            const next = event.target.value as (typeof LIBVIRT_BRIDGE_MODES)[number];
            const { dev, nat } = definition.forward;
            onChange({ ...definition, forward: { mode: next, ...(dev && next !== 'open' && next !== 'isolated' ? { dev } : {}), ...(nat && next === 'nat' ? { nat } : {}) } });
          }}
          slotProps={{ htmlInput: { 'data-testid': 'field-forward.mode' } }}
        >
          {LIBVIRT_BRIDGE_MODES.map((option) => (
            <MenuItem key={option} value={option}>
              {MODE_INFO[option].title} — {MODE_INFO[option].tagline}
            </MenuItem>
          ))}
        </TextField>
      </FormPart>
      <Divider />
      <FormPart title="Addresses">
        <AddressingSection {...sectionProps} suggestIp={(family) => (family === 'ipv4' ? suggestedIpv4(space) : suggestedIpv6())} />
      </FormPart>
      <Divider />
      <FormPart title="Bridge">
        <BridgeSection {...sectionProps} />
      </FormPart>
      <Divider />
      <FormPart title="DHCP">
        <DhcpSection family="ipv4" {...sectionProps} />
        {definition.ips.some((ip) => ip.family === 'ipv6') && <DhcpSection family="ipv6" {...sectionProps} />}
      </FormPart>
      <Divider />
      <FormPart title="DNS">
        <DnsSection {...sectionProps} />
      </FormPart>
    </Box>
  );
}

function FormPart({ title, intro, children }: { title: string; intro?: string; children: ReactNode }) {
  return (
    <Box component="section" aria-label={title} sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
      <Box>
        <Typography variant="subtitle1" sx={{ fontWeight: 650 }}>
          {title}
        </Typography>
        {intro && (
          <Typography variant="body2" color="text.secondary">
            {intro}
          </Typography>
        )}
      </Box>
      {children}
    </Box>
  );
}

interface XmlEditorProps {
  text: string;
  onChange(text: string): void;
  parseError: ErrorValue | undefined;
  errors: readonly FieldProblem[];
  disabled: boolean;
}

/** The stored XML as text: checked with the shared parser and validation as it is typed. */
function XmlEditor({ text, onChange, parseError, errors, disabled }: XmlEditorProps) {
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
      <Typography variant="body2" color="text.secondary">
        The stored definition as libvirt keeps it (formatnetwork). Everything here is kept, including elements Switchyard does not show, such as
        dnsmasq options. It is checked as you type; nothing is applied before you review the changes.
      </Typography>
      <TextField
        multiline
        minRows={16}
        maxRows={24}
        fullWidth
        value={text}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
        error={Boolean(parseError) || errors.length > 0}
        slotProps={{ htmlInput: { 'data-testid': 'xml-editor', spellCheck: false, 'aria-label': 'Network XML', style: { fontFamily: MONOSPACE_FONTS, fontSize: 12, lineHeight: 1.5 } } }}
      />
      {parseError ? (
        <Alert severity="error" data-testid="xml-problems">
          <AlertTitle>The XML cannot be read</AlertTitle>
          <ErrorDetails error={parseError} />
        </Alert>
      ) : errors.length > 0 ? (
        <Alert severity="error" data-testid="xml-problems">
          <AlertTitle>Fix {errors.length === 1 ? 'this' : 'these'} before applying</AlertTitle>
          {errors.map((problem) => (
            <Box key={`${problem.field} ${problem.message}`} sx={{ mb: 0.5 }} data-testid="xml-problem">
              <Box component="code" sx={{ fontFamily: MONOSPACE_FONTS, fontSize: 12, fontWeight: 600 }}>
                {problem.field}
              </Box>
              : {problem.message} {problem.hint}
            </Box>
          ))}
        </Alert>
      ) : (
        <Alert severity="success" data-testid="xml-valid">
          The XML is well-formed and passes Switchyard’s checks.
        </Alert>
      )}
    </Box>
  );
}

function Applied({ network, outcome, onClose }: { network: Network; outcome: Extract<Outcome, { kind: 'applied' }>; onClose(): void }) {
  const text: Record<typeof outcome.applied, string> = {
    unchanged: 'Nothing needed changing.',
    stored: `libvirt stored the new definition of ${network.name}.`,
    live: `${network.name} was changed live; its guests kept their link.`,
    restarted: `${network.name} was restarted with the new definition; running guests’ NICs were plugged back into its bridge.`,
  };
  return (
    <Dialog open onClose={onClose} maxWidth="sm" fullWidth data-testid="edit-network-dialog">
      <DialogTitle>Change applied</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Alert severity="success" data-testid="edit-applied" data-applied={outcome.applied}>
          {text[outcome.applied]}
        </Alert>
        {outcome.detachedTaps.length > 0 && (
          <Alert severity="warning" data-testid="edit-detached-taps">
            These NICs could not be plugged back into the bridge and stay cut off until their VM restarts: {outcome.detachedTaps.join(', ')}.
          </Alert>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, py: 2 }}>
        <Button variant="contained" onClick={onClose} data-testid="edit-done">
          Done
        </Button>
      </DialogActions>
    </Dialog>
  );
}
