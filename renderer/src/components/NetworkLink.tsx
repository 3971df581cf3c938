import Link from '@mui/material/Link';
import { useAppStore } from '../store';

/** A network name that opens that network's details on the Networks tab. */
export function NetworkLink({ name }: { name: string }) {
  const selectTab = useAppStore((s) => s.selectTab);
  const selectNetwork = useAppStore((s) => s.selectNetwork);
  return (
    <Link
      component="button"
      type="button"
      variant="body2"
      underline="hover"
      aria-label={`Show network ${name}`}
      onClick={(event) => {
        event.stopPropagation();
        selectTab('networks');
        selectNetwork(name);
      }}
      sx={{ fontWeight: 600, verticalAlign: 'baseline' }}
    >
      {name}
    </Link>
  );
}
