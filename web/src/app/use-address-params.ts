import { useCallback, useRef } from 'react';
import { createSearchParams, type SetURLSearchParams, useSearchParams } from 'react-router-dom';

/**
 * `useSearchParams`, with updates that build on the last update rather than on the last render.
 *
 * react-router hands an updater function the parameters of the render it was made in, so two changes
 * made before the page renders again (two filters picked in quick succession on a busy machine) keep
 * only the second: it is computed from an address without the first. Here each update starts from
 * the address the previous update asked for, until the page renders with a new address.
 */
export function useAddressParams(): [URLSearchParams, SetURLSearchParams] {
  const [params, setParams] = useSearchParams();
  const rendered = useRef(params);
  const latest = useRef(params);
  if (rendered.current !== params) {
    rendered.current = params;
    latest.current = params;
  }
  const update = useCallback<SetURLSearchParams>(
    (nextInit, options) => {
      const next = createSearchParams(
        typeof nextInit === 'function' ? nextInit(new URLSearchParams(latest.current)) : nextInit,
      );
      latest.current = next;
      setParams(next, options);
    },
    [setParams],
  );
  return [params, update];
}
