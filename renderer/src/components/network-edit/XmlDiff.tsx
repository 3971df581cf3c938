// The network XML before and after an edit, as a unified diff: only the changed stretches with a
// few lines of context, old and new line numbers, removed lines red and added lines green.
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { alpha } from '@mui/material/styles';
import { Fragment, useMemo } from 'react';
import { diffHunks, diffLines, type DiffLine } from '../../../../shared/line-diff';
import { MONOSPACE_FONTS } from '../../theme';

const MARKS: Record<DiffLine['kind'], string> = { same: ' ', removed: '−', added: '+' };

export function XmlDiff({ before, after }: { before: string; after: string }) {
  const hunks = useMemo(() => diffHunks(diffLines(before, after)), [before, after]);
  if (hunks.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary" data-testid="xml-diff-empty">
        The XML is unchanged.
      </Typography>
    );
  }
  return (
    <Box
      data-testid="xml-diff"
      role="table"
      aria-label="Changes to the network XML"
      sx={{
        fontFamily: MONOSPACE_FONTS,
        fontSize: 12,
        lineHeight: 1.6,
        border: 1,
        borderColor: 'divider',
        borderRadius: 1,
        overflow: 'auto',
        maxHeight: 320,
        bgcolor: 'action.hover',
      }}
    >
      {hunks.map((hunk, index) => (
        <Fragment key={index}>
          {index > 0 && <Box sx={{ px: 1, color: 'text.disabled', borderTop: 1, borderBottom: 1, borderColor: 'divider' }}>⋯</Box>}
          {hunk.lines.map((line) => (
            <DiffRow key={`${line.kind}-${line.kind === 'added' ? line.newNumber : line.oldNumber}`} line={line} />
          ))}
        </Fragment>
      ))}
    </Box>
  );
}

function DiffRow({ line }: { line: DiffLine }) {
  const tone = line.kind === 'added' ? 'success' : line.kind === 'removed' ? 'error' : undefined;
  return (
    <Box
      role="row"
      data-kind={line.kind}
      sx={(theme) => ({
        display: 'grid',
        gridTemplateColumns: '3.5em 3.5em 1.5em 1fr',
        minWidth: 'max-content',
        bgcolor: tone ? alpha(theme.palette[tone].main, theme.palette.mode === 'dark' ? 0.22 : 0.12) : 'transparent',
      })}
    >
      <LineNumber value={line.kind === 'added' ? undefined : line.oldNumber} />
      <LineNumber value={line.kind === 'removed' ? undefined : line.newNumber} />
      <Box component="span" role="cell" aria-label={line.kind} sx={{ textAlign: 'center', color: tone ? `${tone}.main` : 'text.disabled', fontWeight: 700 }}>
        {MARKS[line.kind]}
      </Box>
      <Box component="span" role="cell" sx={{ whiteSpace: 'pre', pr: 2 }}>
        {line.text}
      </Box>
    </Box>
  );
}

function LineNumber({ value }: { value: number | undefined }) {
  return (
    <Box component="span" role="cell" sx={{ textAlign: 'right', pr: 1, color: 'text.disabled', userSelect: 'none' }}>
      {value ?? ''}
    </Box>
  );
}
