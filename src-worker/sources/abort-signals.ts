/** What a call cancelled by `signal` rejects with: its reason, or an AbortError when it has none. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * A signal that fires when either given one does. (Not AbortSignal.any: a long-lived signal from
 * open() would collect one dependant per lookup; dispose() unhooks this one when the call ends.)
 */
export function linkSignals(a?: AbortSignal, b?: AbortSignal): { signal?: AbortSignal; dispose(): void } {
  if (!a || !b) return { signal: a ?? b, dispose: () => {} };
  const controller = new AbortController();
  const onA = (): void => controller.abort(a.reason);
  const onB = (): void => controller.abort(b.reason);
  if (a.aborted) onA();
  else if (b.aborted) onB();
  a.addEventListener('abort', onA, { once: true });
  b.addEventListener('abort', onB, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      a.removeEventListener('abort', onA);
      b.removeEventListener('abort', onB);
    },
  };
}
