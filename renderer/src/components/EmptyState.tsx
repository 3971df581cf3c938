import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';

/** What a tab shows when there is nothing to list, with a sentence on why that might be. */
export function EmptyState({ title, children }: { title: string; children: string }) {
  return (
    <Paper sx={{ py: 6, px: 3, textAlign: 'center' }}>
      <Typography variant="subtitle1" sx={{ fontWeight: 650 }} gutterBottom>
        {title}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ maxWidth: 520, mx: 'auto' }}>
        {children}
      </Typography>
    </Paper>
  );
}
