/**
 * `window.crossdock` in a plain browser, for the test bridge (scripts/ui-bridge.ts): each method is a
 * POST to the bridge, events arrive over Server-Sent Events, and `pathForFile` uploads a dropped File's
 * bytes (synchronously, as the preload's webUtils.getPathForFile is synchronous) and returns the path
 * the bridge saved it under. Loaded by a classic script tag before the app's module script.
 */
import {
  EVENTS,
  METHODS,
  type CallError,
  type CallOutcome,
  type CrossdockApi,
  type CrossdockMethods,
  type EventName,
  type EventPayloads,
} from '../src-main/common/contract.ts';

const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
let source: EventSource | null = null;

function connect(): void {
  source = new EventSource('/__bridge/events');
  source.onmessage = (e: MessageEvent<string>) => {
    const { event, payload } = JSON.parse(e.data) as { event: EventName; payload: unknown };
    for (const fn of listeners.get(event) ?? []) fn(payload);
  };
}

const paths = new WeakMap<File, string>();

const methods = Object.fromEntries(
  METHODS.map((name) => [
    name,
    async (...args: unknown[]) => {
      const res = await fetch(`/__bridge/call/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(args),
      });
      // As the preload does: an error comes back as its code, params and sentence, and rejects.
      const out = (await res.json()) as CallOutcome;
      if (!out.ok) {
        const { code, params, message } = out.error ?? {};
        const err: CallError = Object.assign(new Error(message || 'The call failed.'), {
          code: code || 'UNEXPECTED',
          params: params ?? {},
        });
        throw err;
      }
      return out.value;
    },
  ]),
) as unknown as CrossdockMethods;

const api: CrossdockApi = {
  ...methods,
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
    if (!EVENTS.includes(event)) throw new Error(`There is no event "${String(event)}".`);
    if (!source) connect();
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    const fn = listener as (payload: unknown) => void;
    set.add(fn);
    return () => set.delete(fn);
  },
  pathForFile(file: File): string {
    const known = paths.get(file);
    if (known) return known;
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/__bridge/upload?name=${encodeURIComponent(file.name)}`, false);
    xhr.send(file);
    if (xhr.status !== 200) return '';
    const path = (JSON.parse(xhr.responseText) as { path: string }).path;
    paths.set(file, path);
    return path;
  },
};

Object.defineProperty(window, 'crossdock', { value: Object.freeze(api), enumerable: true });
