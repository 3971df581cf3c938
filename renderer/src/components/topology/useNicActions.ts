// The NIC requests as the topology view uses them: one at a time, with the last error kept for
// display until the user dismisses it or tries again.
import { useCallback, useState } from 'react';
import type { RequestInput, RequestOutput } from '../../../../shared/contract';
import { toErrorValue } from '../../../../shared/errors';
import type { ErrorValue } from '../../../../shared/model';
import { getApi } from '../../api';

export interface NicActions {
  pending: boolean;
  error: ErrorValue | undefined;
  clearError(): void;
  /** Each answers the change, or undefined when it failed (the error is then in `error`). */
  attach(input: RequestInput<'attachNic'>): Promise<RequestOutput<'attachNic'> | undefined>;
  move(input: RequestInput<'moveNic'>): Promise<RequestOutput<'moveNic'> | undefined>;
  detach(input: RequestInput<'detachNic'>): Promise<RequestOutput<'detachNic'> | undefined>;
}

export function useNicActions(): NicActions {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ErrorValue | undefined>();

  const perform = useCallback(async <T,>(request: () => Promise<T>): Promise<T | undefined> => {
    setPending(true);
    setError(undefined);
    try {
      return await request();
    } catch (caught) {
      setError(toErrorValue(caught));
      return undefined;
    } finally {
      setPending(false);
    }
  }, []);

  return {
    pending,
    error,
    clearError: useCallback(() => setError(undefined), []),
    attach: useCallback((input) => perform(() => getApi().attachNic(input)), [perform]),
    move: useCallback((input) => perform(() => getApi().moveNic(input)), [perform]),
    detach: useCallback((input) => perform(() => getApi().detachNic(input)), [perform]),
  };
}
