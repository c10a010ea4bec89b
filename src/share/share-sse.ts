/**
 * Sharing one connection between subscribers.
 *
 * @module
 */
import type { MonoTypeOperatorFunction } from 'rxjs';
import { shareLingering } from './linger.js';

/**
 * Options of {@link shareSse} and of an endpoint's `share`.
 *
 * Sharing keeps the number of connections down, but it does not lift the browser's limit: over
 * HTTP/1.1 a browser opens at most six connections per origin, across all its tabs, and every
 * open stream holds one. Two things help beyond sharing:
 * - `crossTab: true` makes the tabs of the app share one connection per key, instead of one per
 *   tab (see the guide "Many tabs, one connection");
 * - the client's `connectionBudget` (default 4 per origin in a tab) closes shared connections
 *   kept open only by their grace period, the one idle longest first, when a new stream would
 *   exceed it. A page that moves through many keys (rooms, documents, a list selection) then
 *   never waits for a lingering connection to time out.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { defineEndpoint } from 'rx-sse';
 *
 * // Every badge on the page shares one connection per room and shows the latest count at once;
 * // every tab of the app shares it too.
 * export const online = defineEndpoint({
 *   path: '/rooms/:roomId/online',
 *   events: { count: z.number().int() },
 *   share: { replay: 1, gracePeriod: 5000, crossTab: true },
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
   *
   * With `crossTab`, the key is added to the request instead of replacing it: calls with different
   * arguments never share, and calls with equal arguments share only when their keys are equal
   * too. Put the user in it when tabs of one browser may be signed in as different users.
   * @defaultValue the request: method, URL (path parameters and query, validated) and body
   */
  readonly key?: string | ((args: Readonly<Record<string, unknown>>) => string);
  /**
   * Endpoint calls only: share the connection with the other tabs (and windows, iframes) of the
   * same origin in this browser profile, instead of one connection per tab. One tab, the
   * *holder*, elected with the Web Locks API, makes the request and relays every raw event over a
   * `BroadcastChannel`; every tab decodes and validates it with its own schemas, and sees the
   * connection's states (`open`, `reconnecting`, the error that ended it).
   *
   * - The holder's `headers`, `lastEventId`, `fetch` and `onUnauthorized` are the ones used: key by
   *   the user (`key`) when tabs may send different credentials.
   * - When the holder tab closes, crashes, or its last subscriber leaves (after `gracePeriod`),
   *   another subscribed tab takes over within a second and resumes with `Last-Event-ID` = the last
   *   event delivered to the tabs: events repeated by the server around that id are dropped, none
   *   is lost if the server resumes. The connection closes after `gracePeriod` once every tab has
   *   left.
   * - A tab that joins a running connection receives events from then on, and the last `replay`
   *   ones at once (not what the server sends when a connection opens).
   * - `pauseWhenHidden` does not apply: the connection serves tabs that may be visible.
   * - Only for requests that may be sent again (GET, or `idempotent: true`): a handover connects
   *   again from another tab, and a POST is never re-sent on its own, so a POST endpoint shares
   *   within each tab.
   * - Where `navigator.locks` or `BroadcastChannel` is missing (Node, server-side rendering, older
   *   browsers), calls share within their tab, as without `crossTab`.
   * @defaultValue false
   */
  readonly crossTab?: boolean;
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
 * Sharing keeps a page under the browser's limit of six connections per origin on HTTP/1.1: ten
 * components showing the same feed make one request. It does not reach across tabs (each tab
 * opens its own); for that, and for pages that move through many keys, see an endpoint's `share`
 * ({@link SseSharing}: `crossTab` and the client's `connectionBudget`).
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
export function shareSse<T>(
  options: Omit<SseSharing, 'key' | 'crossTab'> = {},
): MonoTypeOperatorFunction<T> {
  return shareLingering(options);
}
