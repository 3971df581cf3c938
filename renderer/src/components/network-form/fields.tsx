// The inputs the sections are built from: each shows the validation problem of its field in place
// of (or under) its help text: an error in red, a warning in amber that does not block.
import FormHelperText from '@mui/material/FormHelperText';
import MenuItem from '@mui/material/MenuItem';
import type { SxProps, Theme } from '@mui/material/styles';
import TextField, { type TextFieldProps } from '@mui/material/TextField';
import type { FieldProblem } from '../../../../shared/validation/network-validation';
import { problemAt } from './definition';

type BaseProps = Omit<TextFieldProps, 'onChange' | 'value' | 'error' | 'helperText'> & {
  /**
   * The field's path in the definition, e.g. "ips[0].address". It names the test ids too: the input
   * is "field-PATH", the whole field with its help text "form-PATH".
   */
  field: string;
  problems: readonly FieldProblem[];
  /** Problems of the field's parts count too (e.g. "bridge" shows "bridge.name"). */
  nested?: boolean;
  /** Shown when the field has no problem. */
  help?: string;
  /** Only colours the field by its problem: the caller shows the text (see ProblemText), e.g. under a narrow field's row. */
  problemTextElsewhere?: boolean;
};

function problemProps(problems: readonly FieldProblem[], field: string, nested: boolean, help: string | undefined, textElsewhere: boolean) {
  const problem = problemAt(problems, field, nested);
  if (!problem) return { error: false, helperText: help };
  return {
    error: problem.severity === 'error',
    helperText: textElsewhere ? undefined : `${problem.message} ${problem.hint}`,
    slotProps: problem.severity === 'warning' ? { formHelperText: { sx: { color: 'warning.main' } } } : {},
  };
}

/** A problem's message and hint, for a field whose own helper text has no room for it. */
export function ProblemText({ problem }: { problem: FieldProblem | undefined }) {
  if (!problem) return null;
  return (
    <FormHelperText error={problem.severity === 'error'} sx={problem.severity === 'warning' ? { color: 'warning.main' } : {}}>
      {`${problem.message} ${problem.hint}`}
    </FormHelperText>
  );
}

type TextProps = BaseProps & { value: string; onValueChange(value: string): void; numeric?: boolean };

export function FormTextField({ field, problems, nested = false, help, problemTextElsewhere = false, value, onValueChange, numeric = false, ...props }: TextProps) {
  const { slotProps, ...state } = problemProps(problems, field, nested, help, problemTextElsewhere);
  return (
    <TextField
      size="small"
      fullWidth
      value={value}
      onChange={(event) => onValueChange(event.target.value)}
      data-testid={`form-${field}`}
      {...state}
      {...props}
      slotProps={{
        ...slotProps,
        htmlInput: { 'data-testid': `field-${field}`, spellCheck: false, ...(numeric ? { inputMode: 'numeric' } : {}) },
      }}
    />
  );
}

/** The look of one choice in a list of outlined choices (the wizard's modes, the host bridges). */
export function choiceSx(selected: boolean, disabled = false): SxProps<Theme> {
  return {
    border: 1,
    borderRadius: 1,
    borderColor: selected ? 'primary.main' : 'divider',
    bgcolor: selected ? 'action.selected' : 'background.paper',
    cursor: disabled ? 'default' : 'pointer',
    '&:hover': disabled ? {} : { borderColor: 'primary.main' },
  };
}

/** A whole number that may be left empty (undefined); other text is not taken. */
export function OptionalNumberField({ value, onValueChange, ...props }: BaseProps & { value: number | undefined; onValueChange(value: number | undefined): void }) {
  return (
    <FormTextField
      {...props}
      value={value === undefined ? '' : String(value)}
      onValueChange={(text) => {
        if (/^\d{0,9}$/.test(text)) onValueChange(text === '' ? undefined : Number(text));
      }}
      numeric
    />
  );
}

const IPV4_PREFIXES = Array.from({ length: 23 }, (_, index) => 8 + index);
const IPV6_PREFIXES = [48, 56, 60, 64, 80, 96, 112, 120];

function addressCount(family: 'ipv4' | 'ipv6', prefix: number): string {
  if (family === 'ipv6') return prefix === 64 ? 'usual' : '';
  const usable = 2 ** (32 - prefix) - 2;
  return `${usable.toLocaleString('en')} addresses`;
}

/** The prefix length as a choice of the usual ones (and the current one, when unusual). */
export function PrefixSelect({ family, value, onValueChange, ...props }: BaseProps & { family: 'ipv4' | 'ipv6'; value: number; onValueChange(value: number): void }) {
  const choices = family === 'ipv4' ? IPV4_PREFIXES : IPV6_PREFIXES;
  const options = choices.includes(value) ? choices : [...choices, value].sort((a, b) => a - b);
  return (
    <FormTextField {...props} select value={String(value)} onValueChange={(text) => onValueChange(Number(text))}>
      {options.map((prefix) => (
        <MenuItem key={prefix} value={String(prefix)}>
          /{prefix}
          {addressCount(family, prefix) && (
            <span style={{ opacity: 0.6, marginLeft: 8, fontSize: '0.85em' }}>{addressCount(family, prefix)}</span>
          )}
        </MenuItem>
      ))}
    </FormTextField>
  );
}
