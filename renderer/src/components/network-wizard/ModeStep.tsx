// The wizard's first step: the network's name, and its mode chosen from five cards, with the
// chosen one explained in a paragraph and drawn as what it does to the host.
import Box from '@mui/material/Box';
import ButtonBase from '@mui/material/ButtonBase';
import Paper from '@mui/material/Paper';
import type { Theme } from '@mui/material/styles';
import Typography from '@mui/material/Typography';
import type { FieldProblem } from '../../../../shared/validation/network-validation';
import { choiceSx, FormTextField } from '../network-form/fields';
import { ModeDiagram } from './ModeDiagram';
import { MODE_INFO, WIZARD_MODES, type WizardMode } from './modes';

interface ModeStepProps {
  mode: WizardMode;
  onModeChange(mode: WizardMode): void;
  name: string;
  onNameChange(name: string): void;
  problems: readonly FieldProblem[];
  /** The bridge's name as chosen so far, for the diagram. */
  bridge: string;
}

export function ModeStep({ mode, onModeChange, name, onNameChange, problems, bridge }: ModeStepProps) {
  const info = MODE_INFO[mode];
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
      <FormTextField
        label="Network name"
        field="name"
        problems={problems}
        help="How libvirt and VMs' NICs refer to the network, e.g. lab or backend."
        value={name}
        onValueChange={onNameChange}
        sx={{ maxWidth: 520 }}
        autoFocus
      />
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '240px 1fr' }, gap: 2.5 }}>
        <Box role="radiogroup" aria-label="Network mode" sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
          {WIZARD_MODES.map((candidate) => {
            const selected = candidate === mode;
            return (
              <ButtonBase
                key={candidate}
                role="radio"
                aria-checked={selected}
                data-testid={`mode-${candidate}`}
                onClick={() => onModeChange(candidate)}
                sx={[
                  { display: 'block', textAlign: 'left', px: 1.5, py: 1 },
                  choiceSx(selected),
                  { boxShadow: (theme: Theme) => (selected ? `inset 3px 0 0 ${theme.palette.primary.main}` : 'none') },
                ].flat()}
              >
                <Typography variant="subtitle2" color={selected ? 'primary' : 'text.primary'}>
                  {MODE_INFO[candidate].title}
                </Typography>
                <Typography variant="caption" color="text.secondary">
                  {MODE_INFO[candidate].tagline}
                </Typography>
              </ButtonBase>
            );
          })}
        </Box>
        <Paper sx={{ p: 2, display: 'flex', flexDirection: 'column', gap: 1.5 }} data-testid="mode-explanation">
          <Typography variant="subtitle1" sx={{ fontWeight: 650 }}>
            {info.title} — {info.tagline}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            {info.explanation}
          </Typography>
          <Box sx={{ display: 'flex', justifyContent: 'center', mt: 'auto', pt: 1 }}>
            <ModeDiagram mode={mode} bridge={bridge} />
          </Box>
        </Paper>
      </Box>
    </Box>
  );
}
