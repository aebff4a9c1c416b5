// Filters, sort and tabs live in the address, so a view can be bookmarked and shared.
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

export type ParamChanges = Record<string, string | null | undefined>;

/**
 * The address's search parameters, and a setter that changes some keys and keeps the rest.
 *
 * The setter starts from the address as it is when called, not as it was at the last render:
 * react-router's functional form of `setSearchParams` hands the render-time parameters to the
 * updater, and its URL changes render in a transition, so two changes close together (a debounced
 * search landing just after a sort click) would otherwise lose the first.
 */
export function useUrlParams() {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (changes: ParamChanges, { replace = true }: { replace?: boolean } = {}) => {
      const next = new URLSearchParams(window.location.search);
      for (const [k, v] of Object.entries(changes)) {
        if (v === null || v === undefined || v === '') next.delete(k);
        else next.set(k, v);
      }
      setParams(next, { replace });
    },
    [setParams],
  );
  return [params, update, setParams] as const;
}
