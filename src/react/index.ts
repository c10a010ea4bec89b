/**
 * `rx-sse/react`: render Server-Sent Events streams in React components.
 *
 * {@link useSse} subscribes a component to a stream with `useSyncExternalStore`: no tearing,
 * StrictMode-safe (its mount → unmount → mount reuses the connection), the connection closes when
 * the component unmounts, and server-side rendering never connects (it renders the `idle` state).
 *
 * @example
 * ```tsx
 * import { createSseClient, defineEndpoint } from 'rx-sse';
 * import { useSse } from 'rx-sse/react';
 * import { z } from 'zod';
 *
 * const api = createSseClient({
 *   endpoints: {
 *     online: defineEndpoint({
 *       path: '/api/rooms/:roomId/online',
 *       events: { online: z.object({ count: z.number() }) },
 *     }),
 *   },
 * });
 *
 * export function OnlineBadge({ roomId }: { roomId: string }) {
 *   const { data, state } = useSse((state) => api.online({ params: { roomId }, state }), [roomId]);
 *   if (state.status === 'reconnecting') return <span>reconnecting…</span>;
 *   return <span>{data?.count ?? '–'} online</span>;
 * }
 * ```
 *
 * @packageDocumentation
 * @mergeModuleWith <project>
 */
import { useCallback, useMemo, useSyncExternalStore, type DependencyList } from 'react';
import type { Observable } from 'rxjs';
import {
  createSseStore,
  idleSnapshot,
  type SseSnapshot,
  type SseStateObserver,
  type SseStore,
  type SseStoreOptions,
} from '../index.js';

/**
 * Options of {@link useSse}.
 *
 * A component that unmounts and mounts again starts a new subscription: to reuse a connection
 * across remounts (a route change), share the stream (an endpoint's `share`, or `shareSse()`).
 *
 * @example
 * ```tsx
 * import { fromSse } from 'rx-sse';
 * import { useSse } from 'rx-sse/react';
 *
 * export function Feed() {
 *   // Keep the connection for 2 s when the component is hidden by <Activity mode="hidden"> (its
 *   // effects unmount, its state stays): shown again within that time, it reuses the connection.
 *   const { data } = useSse((state) => fromSse('/api/feed', { state }), [], { gracePeriod: 2000 });
 *   return <p>{data ?? '…'}</p>;
 * }
 * ```
 * @category Frameworks
 */
export type UseSseOptions = SseStoreOptions;

const noSubscription = (): void => undefined;

/**
 * Subscribes the component to a stream and returns its latest {@link SseSnapshot}:
 * `{ data, event, error, state }`.
 *
 * - `source` is an Observable (keep its reference stable: create it outside the component or in
 *   `useMemo`), or a factory `(state) => Observable` with a `deps` list, like `useEffect`. Pass
 *   `state` to `fromSse` or to the endpoint call, so that `state` shows the real connection states
 *   (`connecting`, `open`, `reconnecting` with its delay, `paused`, `closed`). `null` subscribes to
 *   nothing.
 * - Nothing connects during render: the first subscription happens after mount, so server-side
 *   rendering (and hydration) shows the `idle` snapshot and never opens a connection.
 * - When `deps` change the old connection closes and a new one opens; on unmount the connection
 *   closes (after `gracePeriod`, default `0`: the next macrotask, which is enough for StrictMode's
 *   mount → unmount → mount to keep one connection).
 * - Two components showing the same stream make two connections unless the stream is shared:
 *   use an endpoint with `share` or the `shareSse()` operator (every open connection counts
 *   against the browser's limit of six per origin on HTTP/1.1, across tabs). With
 *   `share: { crossTab: true }` the tabs of the app share one connection, and each tab's `state`
 *   is the shared connection's.
 *
 * @param source - The stream, or a factory receiving the state observer; `null` for none.
 * @param options - `gracePeriod` before an unused connection closes.
 * @returns The current snapshot; a new object on every change.
 *
 * @example
 * ```tsx
 * import { fromSse } from 'rx-sse';
 * import { useSse } from 'rx-sse/react';
 *
 * const ticker$ = fromSse('/api/ticker'); // stable: created once, outside the component
 *
 * export function Ticker() {
 *   const { data, error } = useSse(ticker$);
 *   if (error) return <p role="alert">The feed stopped.</p>;
 *   return <p>{data ?? 'waiting…'}</p>;
 * }
 * ```
 * @category Frameworks
 */
export function useSse<T>(
  source: Observable<T> | null | undefined,
  options?: UseSseOptions,
): SseSnapshot<T>;
/**
 * Subscribes the component to the stream the factory returns, re-subscribing when `deps` change.
 *
 * @param factory - Receives the state observer to pass to `fromSse` / the endpoint call; returns
 *   the stream. `null` for none.
 * @param deps - The values the factory reads, as for `useEffect`: when one changes, the old
 *   connection closes and a new one opens.
 * @param options - `gracePeriod` before an unused connection closes.
 *
 * @example
 * ```tsx
 * import { createSseClient, defineEndpoint } from 'rx-sse';
 * import { useSse } from 'rx-sse/react';
 * import { z } from 'zod';
 *
 * const api = createSseClient({
 *   endpoints: {
 *     room: defineEndpoint({
 *       path: '/api/rooms/:roomId/events',
 *       events: {
 *         message: z.object({ text: z.string() }),
 *         typing: z.object({ user: z.string() }),
 *       },
 *     }),
 *   },
 * });
 *
 * export function Room({ roomId }: { roomId: string }) {
 *   const { event, state } = useSse((state) => api.room({ params: { roomId }, state }), [roomId]);
 *   return (
 *     <p>
 *       {state.status}: {event?.event === 'message' ? event.data.text : '…'}
 *     </p>
 *   );
 * }
 * ```
 */
export function useSse<T>(
  factory: ((state: SseStateObserver) => Observable<T>) | null | undefined,
  deps: DependencyList,
  options?: UseSseOptions,
): SseSnapshot<T>;
export function useSse<T>(
  source: Observable<T> | ((state: SseStateObserver) => Observable<T>) | null | undefined,
  depsOrOptions?: DependencyList | UseSseOptions,
  maybeOptions?: UseSseOptions,
): SseSnapshot<T> {
  const withDeps = Array.isArray(depsOrOptions);
  if (typeof source === 'function' && !withDeps) {
    // Without deps a factory is a new function every render: it would reconnect on every render.
    throw new TypeError('useSse(factory) needs a deps array: useSse((state) => …, [deps])');
  }
  const deps: DependencyList = withDeps ? depsOrOptions : [source];
  const options = (withDeps ? maybeOptions : (depsOrOptions as UseSseOptions | undefined)) ?? {};
  const { gracePeriod } = options;
  // The store is lazy: creating it connects nothing, so a render React throws away costs nothing.
  const store: SseStore<T> | undefined = useMemo(
    () =>
      source === null || source === undefined
        ? undefined
        : createSseStore<T>(source, gracePeriod === undefined ? {} : { gracePeriod }),
    // The caller's deps decide when the source changes (a factory is a new function every render).
    [...deps, gracePeriod],
  );
  const subscribe = useCallback(
    (onChange: () => void) => (store === undefined ? noSubscription : store.subscribe(onChange)),
    [store],
  );
  const getSnapshot = useCallback(
    () => (store === undefined ? idleSnapshot<T>() : store.getSnapshot()),
    [store],
  );
  return useSyncExternalStore(subscribe, getSnapshot, idleSnapshot<T>);
}
