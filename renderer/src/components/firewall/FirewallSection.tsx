import Accordion from '@mui/material/Accordion';
import AccordionDetails from '@mui/material/AccordionDetails';
import AccordionSummary from '@mui/material/AccordionSummary';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { toErrorValue } from '../../../../shared/errors';
import type { FirewallRuleView, FirewallView } from '../../../../shared/firewall/firewall-view';
import type { ErrorValue, Network } from '../../../../shared/model';
import { getApi } from '../../api';
import { DetailSection } from '../DetailSection';
import { ExpandMoreIcon } from '../icons';
import { MONOSPACE_FONTS } from '../../theme';

const OWNER_LABELS: Record<FirewallRuleView['owner'], { label: string; color: 'default' | 'primary' | 'warning' }> = {
  libvirt: { label: 'libvirt', color: 'default' },
  switchyard: { label: 'Switchyard', color: 'primary' },
  other: { label: 'other', color: 'warning' },
};

const BACKEND_TEXT: Record<FirewallView['backend'], string> = {
  iptables: 'libvirt uses its iptables backend: its rules live in the LIBVIRT_* chains.',
  nftables: 'libvirt writes its rules into its own nftables table, libvirt_network.',
  none: 'No libvirt rules were found: is the network running?',
};

/**
 * The rules in effect for one network, read on request: reading them needs root, which on a
 * desktop means asking for a password.
 */
export function FirewallSection({ network }: { network: Network }) {
  const [view, setView] = useState<FirewallView>();
  const [error, setError] = useState<ErrorValue>();
  const [loading, setLoading] = useState(false);
  const read = async () => {
    setLoading(true);
    try {
      setView(await getApi().getFirewallView({ network: network.name }));
      setError(undefined);
    } catch (caught) {
      setError(toErrorValue(caught));
    }
    setLoading(false);
  };
  const current = view?.network === network.name ? view : undefined;
  return (
    <DetailSection
      title="Firewall rules in effect"
      aside={
        <Button size="small" onClick={() => void read()} disabled={loading}>
          {current ? 'Read again' : 'Read rules'}
        </Button>
      }
    >
      <Box sx={{ height: 4, mb: 0.5 }}>{loading && <LinearProgress aria-label="Reading firewall rules" />}</Box>
      {error && (
        <Alert severity="error" sx={{ mb: 1.5 }}>
          {error.message} {error.hint}
        </Alert>
      )}
      {!current ? (
        <Typography variant="body2" color="text.secondary">
          What the host’s firewall does with this network’s traffic: libvirt’s rules, Switchyard’s port forwards and anyone else’s, in plain words.
        </Typography>
      ) : (
        <Box data-testid="firewall-view">
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            {BACKEND_TEXT[current.backend]}
          </Typography>
          {current.problems.map((problem) => (
            <Alert key={problem} severity="warning" sx={{ mb: 1 }}>
              {problem}
            </Alert>
          ))}
          {current.groups.map((group) => (
            <Accordion key={group.id} disableGutters variant="outlined" data-testid={`firewall-group-${group.id}`} sx={{ '&:before': { display: 'none' }, '& + &': { mt: 1 } }}>
              <AccordionSummary expandIcon={<ExpandMoreIcon />}>
                <Box>
                  <Typography variant="body2" sx={{ fontWeight: 600 }}>
                    {group.title}
                  </Typography>
                  <Typography variant="body2" color="text.secondary">
                    {group.summary}
                  </Typography>
                </Box>
              </AccordionSummary>
              <AccordionDetails sx={{ pt: 0 }}>
                {group.rules.map((rule, index) => (
                  <Box key={`${rule.location}-${index}`} sx={{ py: 0.75, borderTop: index === 0 ? 0 : 1, borderColor: 'divider' }}>
                    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 0.25 }}>
                      <Chip size="small" label={OWNER_LABELS[rule.owner].label} color={OWNER_LABELS[rule.owner].color} variant="outlined" />
                      <Typography variant="caption" color="text.secondary">
                        {rule.location}
                      </Typography>
                    </Box>
                    <Typography variant="body2">{rule.meaning}</Typography>
                    <Box component="code" sx={{ display: 'block', fontFamily: MONOSPACE_FONTS, fontSize: 12, color: 'text.secondary', overflowWrap: 'anywhere' }}>
                      {rule.rule}
                    </Box>
                  </Box>
                ))}
              </AccordionDetails>
            </Accordion>
          ))}
        </Box>
      )}
    </DetailSection>
  );
}
