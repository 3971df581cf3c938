// What an edit will do, before it is applied: live or with a restart (and why), which VMs and
// NICs it touches and how, and the XML diff of the stored definition.
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useMemo, type ReactNode } from 'react';
import type { NetworkEditPlan } from '../../../../shared/libvirt/network-update-plan';
import { reserializeXml } from '../../../../shared/libvirt/xml-edit';
import type { Network } from '../../../../shared/model';
import { Mono } from '../Mono';
import { isPluggedIn, liveCommandTitle, vmNames, type NetworkChange, type NetworkNic } from './impact';
import { NetworkNicList } from './NetworkNicList';
import { XmlDiff } from './XmlDiff';

interface EditReviewProps {
  network: Network;
  plan: NetworkEditPlan;
  nics: readonly NetworkNic[];
  storedXml: string;
  newXml: string;
}

/** How the NICs meet the plan. */
export function changeOf(plan: NetworkEditPlan): NetworkChange {
  return plan.kind === 'live' || plan.kind === 'restart' ? plan.kind : 'stored';
}

export function EditReview({ network, plan, nics, storedXml, newXml }: EditReviewProps) {
  // Both sides in one serialization, so quoting and empty-element spelling do not show as changes.
  const [before, after] = useMemo(() => [reserializeXml(storedXml, 'network'), reserializeXml(newXml, 'network')], [storedXml, newXml]);
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }} data-testid="edit-review">
      <PlanSummary network={network} plan={plan} nics={nics} />
      <ReviewPart title={`Impact on VMs (${vmNames(nics).length})`}>
        <NetworkNicList nics={nics} change={changeOf(plan)} testId="edit-impact" />
      </ReviewPart>
      <ReviewPart title="Changes to the stored definition">
        <XmlDiff before={before} after={after} />
      </ReviewPart>
    </Box>
  );
}

function ReviewPart({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box component="section" aria-label={title}>
      <Typography variant="subtitle2" sx={{ mb: 0.75 }}>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

function PlanSummary({ network, plan, nics }: { network: Network; plan: NetworkEditPlan; nics: readonly NetworkNic[] }) {
  switch (plan.kind) {
    case 'unchanged':
      return (
        <Alert severity="info" data-testid="edit-plan" data-plan="unchanged">
          Nothing changed: the XML says the same as the stored definition.
        </Alert>
      );
    case 'stored':
      return (
        <Alert severity="info" data-testid="edit-plan" data-plan="stored">
          <AlertTitle>Stored only</AlertTitle>
          {network.active
            ? 'The running network needs nothing from this change; libvirt stores the new definition.'
            : `${network.name} is stopped: libvirt stores the new definition and uses it when the network next starts.`}
        </Alert>
      );
    case 'live':
      return (
        <Alert severity="success" data-testid="edit-plan" data-plan="live">
          <AlertTitle>Applies live, without a restart</AlertTitle>
          libvirt changes the running network in place (net-update) and stores the new definition; guests keep their link.
          <Box component="ul" sx={{ m: 0, mt: 1, pl: 2.5 }} data-testid="edit-live-commands">
            {plan.live.map((command) => (
              <li key={`${command.command} ${command.section} ${command.xml}`}>
                {liveCommandTitle(command)} <Mono>{command.xml}</Mono>
              </li>
            ))}
          </Box>
        </Alert>
      );
    case 'restart': {
      const cutOff = vmNames(nics.filter(isPluggedIn));
      return (
        <Alert severity="warning" data-testid="edit-plan" data-plan="restart">
          <AlertTitle>Needs a restart of {network.name}</AlertTitle>
          libvirt cannot change this on the running network:
          <Box component="ul" sx={{ m: 0, my: 0.5, pl: 2.5 }} data-testid="edit-restart-reasons">
            {plan.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </Box>
          {cutOff.length > 0
            ? `While it restarts, ${cutOff.join(', ')} ${cutOff.length === 1 ? 'loses' : 'lose'} connectivity for a moment. You are asked before anything is applied.`
            : 'No running VM is on it, so nobody loses connectivity. You are asked before anything is applied.'}
        </Alert>
      );
    }
  }
}
