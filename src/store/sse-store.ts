/**
 * `createSseStore`: a stream as an external store (subscribe + immutable snapshot), the shape
 * React's `useSyncExternalStore`, Angular signals, Vue, Svelte and Solid all consume.
 *
 * @module
 */
import type { Observable, Subscription } from 'rxjs';
import { untrackedTimeout } from '../internal/timers.js';
import type { SseConnectionState, SseStateObserver } from '../types.js';

/**
 * The `data` of a stream's values: `value.data` for SSE events, the value itself otherwise.
 *
 * @category Frameworks
 */
export type SseDataOf<T> = T extends { readonly data: infer D } ? D : T;

/**
 * What a UI renders from a stream: the latest event and its data, the error that ended it, and
 * the connection state. A new object on every change, never mutated.
 *
 * @category Frameworks
 */
export interface SseSnapshot<T> {
  /** The latest event's `data` (or the latest value, for streams of plain values). */
  readonly data: SseDataOf<T> | undefined;
  /** The latest event. */
  readonly event: T | undefined;
  /** The error that ended the stream, if it failed. */
  readonly error: unknown;
  /** The connection state (see {@link SseConnectionState}). */
  readonly state: SseConnectionState;
}

/**
 * Where a store's stream comes from: an Observable, or a function that receives a state observer
 * to pass to `fromSse` / an endpoint call (so the store reports real connection states such as
 * `reconnecting`) and returns the Observable.
 *
 * @category Frameworks
 */
export type SseSource<T> = Observable<T> | ((state: SseStateObserver) => Observable<T>);

/**
 * Options of {@link createSseStore}.
 *
 * @example
 * ```ts
 * import { createSseStore, fromSse } from 'rx-sse';
 *
 * // Keep the connection for a second after the last listener leaves (route changes).
 * const store = createSseStore((state) => fromSse('/api/notifications', { state }), {
 *   gracePeriod: 1000,
 * });
 * ```
 * @category Frameworks
 */
export interface SseStoreOptions {
  /**
   * Milliseconds the subscription survives its last listener, so that a listener that leaves and
   * comes back at once (React StrictMode's mount → unmount → mount) reuses the connection.
   * @defaultValue 0 (the next macrotask)
   */
  readonly gracePeriod?: number;
}

/**
 * A stream as an external store. Subscribing the first listener subscribes to the stream; the
 * last listener leaving unsubscribes (after `gracePeriod`), which closes the connection.
 *
 * @category Frameworks
 */
export interface SseStore<T> {
  /** The current snapshot: the same object until something changes. */
  getSnapshot(): SseSnapshot<T>;
  /** Adds a listener called on every change; returns the function that removes it. */
  subscribe(onChange: () => void): () => void;
}

const IDLE: SseSnapshot<never> = Object.freeze({
  data: undefined,
  event: undefined,
  error: undefined,
  state: Object.freeze({ status: 'idle' }),
});

/**
 * The snapshot of a store that has not connected: state `idle`, no data. What server-side
 * rendering shows: pass it as the server snapshot of `useSyncExternalStore`, so the server and
 * the first client render agree.
 *
 * @example
 * ```ts
 * import { createSseStore, fromSse, idleSnapshot, type SseMessage } from 'rx-sse';
 *
 * const store = createSseStore((state) => fromSse('/api/online', { state }));
 * const getServerSnapshot = () => idleSnapshot<SseMessage>();
 *
 * console.log(getServerSnapshot().state.status); // 'idle': nothing connects during SSR
 * console.log(store.getSnapshot() === getServerSnapshot()); // true until the first listener
 * ```
 * @category Frameworks
 */
export function idleSnapshot<T>(): SseSnapshot<T> {
  return IDLE;
}

function dataOf<T>(value: T): SseDataOf<T> {
  return (
    typeof value === 'object' && value !== null && 'data' in value
      ? (value as { data: unknown }).data
      : value
  ) as SseDataOf<T>;
}

/**
 * Turns a stream into an external store: `subscribe(listener)` / `getSnapshot()`. Framework
 * bindings (`rx-sse/react`'s `useSse`, `rx-sse/angular`'s `injectSse`) are thin layers over it;
 * use it directly for Vue, Svelte, Solid or vanilla code.
 *
 * Nothing connects until the first listener subscribes, so creating a store during server-side
 * rendering is free. For sources that are not `fromSse` / endpoint streams (or that ignore the
 * state observer), the state is derived: `connecting` until the first value, then `open`, then
 * `closed`.
 *
 * @example
 * ```ts
 * import { createSseStore, fromSse } from 'rx-sse';
 *
 * const store = createSseStore((state) => fromSse('/api/online', { state }));
 * const stop = store.subscribe(() => {
 *   const { data, state } = store.getSnapshot();
 *   document.title = state.status === 'open' ? `${data} online` : 'connecting…';
 * });
 * // later
 * stop();
 * ```
 * @category Frameworks
 */
export function createSseStore<T>(
  source: SseSource<T>,
  options: SseStoreOptions = {},
): SseStore<T> {
  const { gracePeriod = 0 } = options;
  const listeners = new Set<() => void>();
  let snapshot: SseSnapshot<T> = IDLE;
  let subscription: Subscription | undefined;
  /** Cancels the pending disconnect, while the grace period runs. */
  let cancelStop: (() => void) | undefined;
  let reported = false;

  const update = (patch: Partial<SseSnapshot<T>>): void => {
    snapshot = Object.freeze({ ...snapshot, ...patch });
    for (const listener of [...listeners]) listener();
  };

  const connect = (): void => {
    reported = false;
    const onState = (state: SseConnectionState): void => {
      reported = true;
      if (state !== snapshot.state) update({ state });
    };
    const observable = typeof source === 'function' ? source(onState) : source;
    update({ state: { status: 'connecting', attempt: 0 }, error: undefined });
    subscription = observable.subscribe({
      next: (event) => {
        const derived: Partial<SseSnapshot<T>> =
          reported || snapshot.state.status === 'open'
            ? {}
            : { state: { status: 'open', attempt: 0 } };
        update({ event, data: dataOf(event), ...derived });
      },
      error: (error: unknown) => update({ error, state: { status: 'closed', error } }),
      complete: () => {
        if (snapshot.state.status !== 'closed') update({ state: { status: 'closed' } });
      },
    });
  };

  const disconnect = (): void => {
    cancelStop = undefined;
    subscription?.unsubscribe();
    subscription = undefined;
  };

  return {
    getSnapshot: () => snapshot,
    subscribe(onChange) {
      listeners.add(onChange);
      if (cancelStop !== undefined) {
        cancelStop();
        cancelStop = undefined;
      } else if (subscription === undefined) {
        connect();
      }
      return () => {
        if (!listeners.delete(onChange) || listeners.size > 0) return;
        cancelStop = untrackedTimeout(disconnect, gracePeriod);
      };
    },
  };
}
