import { useEffect, useState } from 'react';

const TICK_MS = 30_000;

/** The current time, refreshed every 30 s: enough for "expires in 52 min". */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}
