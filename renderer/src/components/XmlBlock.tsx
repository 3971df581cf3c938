import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Collapse from '@mui/material/Collapse';
import { useId, useState } from 'react';
import { MONOSPACE_FONTS } from '../theme';
import { ExpandMoreIcon } from './icons';

/** A network's XML, collapsed by default since it is long and rarely the first thing one needs. */
export function XmlBlock({ xml }: { xml: string }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <>
      <Button
        size="small"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        aria-controls={id}
        endIcon={<ExpandMoreIcon sx={{ transform: open ? 'rotate(180deg)' : 'none', transition: 'transform 150ms' }} />}
      >
        {open ? 'Hide XML' : 'Show XML'}
      </Button>
      <Collapse in={open} id={id}>
        <Box
          component="pre"
          sx={{
            mt: 1,
            mb: 0,
            p: 1.5,
            maxHeight: 420,
            overflow: 'auto',
            fontFamily: MONOSPACE_FONTS,
            fontSize: 12,
            lineHeight: 1.5,
            borderRadius: 1,
            bgcolor: 'action.hover',
            border: 1,
            borderColor: 'divider',
          }}
        >
          {xml}
        </Box>
      </Collapse>
    </>
  );
}
