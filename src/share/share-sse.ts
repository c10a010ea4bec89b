/**
 * Sharing one connection between subscribers.
 *
 * @module
 */
import {
  ReplaySubject,
  Subject,
  share,
  type MonoTypeOperatorFunction,
  type SubjectLike,
} from 'rxjs';
import { untrackedTimer } from '../internal/timers.js';

/**
 * Options of {@link shareSse} and of an endpoint's `share`.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { defineEndpoint } from 'rx-sse';
 *
 * // Every badge on the page shares one connection per room and shows the latest count at once.
 * export const online = defineEndpoint({
 *   path: '/rooms/:roomId/online',
 *   events: { count: z.number().int() },
 *   share: { replay: 1, gracePeriod: 5000 },
 * });
 * ```
 * @category Operators
 */
export interface SseSharing {
  /**
   * Endpoint calls only: which calls share a connection. By default calls to the same endpoint
   * with equal `params`, `query` and `body` share; give a string (or a function of the call's
   * arguments) to choose yourself. The call that opens a shared connection decides its `headers`
   * and `lastEventId`: the calls that join it send nothing, so key by whatever differs between
   * them (e.g. the user, when each sends its own authorization).
   * @defaultValue the request: method, URL (path parameters and query, validated) and body
   */
  readonly key?: string | ((args: Readonly<Record<string, unknown>>) => string);
  /**
   * Milliseconds the connection stays open after the last subscriber leaves, so that React
   * StrictMode's mount → unmount → mount, or a route change, reuses it instead of reconnecting.
   * `0` still survives a synchronous unsubscribe/subscribe.
   * @defaultValue 1000
   */
  readonly gracePeriod?: number;
  /**
   * How many of the latest events a late subscriber receives at once (an online-count badge
   * wants `1`: the current value).
   * @defaultValue 0
   */
  readonly replay?: number;
}

/**
 * Shares one subscription to the source — one connection — between all subscribers. The first
 * subscriber connects; the last to leave closes the connection after `gracePeriod`; `replay` hands
 * the latest events to late subscribers. After an error or completion the next subscriber connects
 * anew.
 *
 * Sharing is how an app stays under the browser's limit of six connections per origin on HTTP/1.1:
 * ten components showing the same feed make one request.
 *
 * @example
 * ```ts
 * import { fromSse, shareSse } from 'rx-sse';
 *
 * export const online$ = fromSse('/presence').pipe(shareSse({ replay: 1, gracePeriod: 2000 }));
 * // Every badge subscribing to online$ shares one connection and shows the latest count at once.
 * ```
 * @category Operators
 */
export function shareSse<T>(options: Omit<SseSharing, 'key'> = {}): MonoTypeOperatorFunction<T> {
  const { gracePeriod = 1000, replay = 0 } = options;
  return share<T>({
    connector: (): SubjectLike<T> => (replay > 0 ? new ReplaySubject<T>(replay) : new Subject<T>()),
    resetOnError: true,
    resetOnComplete: true,
    resetOnRefCountZero: () => untrackedTimer(Math.max(0, gracePeriod)),
  });
}
