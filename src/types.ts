/**
 * Types shared by every entry point.
 *
 * @module
 */

/**
 * One event of a stream, as the WHATWG event-stream rules define it.
 *
 * @category Client
 */
export interface SseMessage {
  /** The event name: the stream's `event:` field, or `'message'` when the stream names none. */
  readonly event: string;
  /** The `data:` lines of the event joined with `\n`, exactly as sent (not parsed). */
  readonly data: string;
  /** The event's own `id:` field, or `undefined` when this event had none. */
  readonly id: string | undefined;
  /**
   * The last event ID in effect for this event: its own `id`, else the one carried forward from an
   * earlier event (per the spec, it persists until the server sets another). `''` when none.
   * This is what a reconnect sends as `last-event-id`.
   */
  readonly lastEventId: string;
}

/**
 * Request headers: a record, a `Headers` instance or a list of pairs. Names are case-insensitive
 * and sent lower-cased.
 *
 * @category Client
 */
export type SseHeaders =
  Readonly<Record<string, string>> | Headers | ReadonlyArray<readonly [string, string]>;

/**
 * A value, or a function returning it (synchronously or as a Promise) that is called again before
 * **every** connection attempt. That is how a refreshed token reaches a reconnect.
 *
 * @category Client
 */
export type Resolvable<T> = T | (() => T | Promise<T>);

/**
 * A request body. Plain objects and arrays are sent as JSON (with
 * `content-type: application/json` unless you set one); anything else is passed to `fetch` as is.
 * Streams are not accepted: a reconnect must be able to send the body again.
 *
 * @category Client
 */
export type SseRequestBody =
  | string
  | URLSearchParams
  | FormData
  | Blob
  | ArrayBuffer
  | ArrayBufferView
  | { readonly [key: string]: unknown }
  | readonly unknown[];

/**
 * Where a stream's connection is, for a UI badge or logs. Reported to the `state` observer of
 * `fromSse` and endpoint calls.
 *
 * - `idle`: not subscribed (a convenient initial value; rx-sse itself never reports it);
 * - `connecting`: a request is being made (`attempt` 0 for the first, n for the n-th retry);
 * - `open`: the server accepted the stream;
 * - `reconnecting`: the connection failed or ended and a retry is scheduled in `delay` ms;
 * - `paused`: `pauseWhenHidden` closed it while the page is hidden;
 * - `closed`: finished — completed, unsubscribed, or failed with `error`.
 *
 * @category Client
 */
export type SseConnectionState =
  | { readonly status: 'idle' }
  | { readonly status: 'connecting'; readonly attempt: number }
  | { readonly status: 'open'; readonly attempt: number }
  | {
      readonly status: 'reconnecting';
      readonly attempt: number;
      readonly delay: number;
      readonly error: unknown;
    }
  | { readonly status: 'paused' }
  | { readonly status: 'closed'; readonly error?: unknown };

/**
 * Receives connection states: a function, or anything with a `next` method — an RxJS `Subject`
 * or `BehaviorSubject` works as is (only `next` is ever called).
 *
 * @category Client
 */
export type SseStateObserver =
  ((state: SseConnectionState) => void) | { next(state: SseConnectionState): void };

/**
 * How to recognise events already delivered after a reconnect:
 * - `'auto'`: when every id so far is a decimal integer and they have been strictly increasing,
 *   drop events on a resumed connection whose id is not greater than the highest delivered;
 * - `false`: deliver whatever the server sends;
 * - `{ compare }`: the same rule with your ordering of ids (e.g. ULIDs: compare as strings).
 *
 * @category Client
 */
export type SseDedupe = 'auto' | false | { readonly compare: (a: string, b: string) => number };
