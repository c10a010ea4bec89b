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
 * - `reconnecting`: the connection failed or ended and a retry is scheduled in `delay` ms (never
 *   after a request that is not `idempotent`, such as a POST, has been answered: it goes to
 *   `closed`);
 * - `paused`: `pauseWhenHidden` closed it while the page is hidden;
 * - `closed`: finished — completed, unsubscribed, or failed with `error`.
 *
 * @example
 * ```ts
 * import { BehaviorSubject } from 'rxjs';
 * import { fromSse, type SseConnectionState } from 'rx-sse';
 *
 * const state = new BehaviorSubject<SseConnectionState>({ status: 'idle' });
 * fromSse('/api/feed', { state }).subscribe();
 * state.subscribe((s) => {
 *   if (s.status === 'reconnecting') console.log(`retry ${s.attempt} in ${s.delay} ms`, s.error);
 * });
 * ```
 * @category Client
 */
export type SseConnectionState =
  | {
      /** Not subscribed. */
      readonly status: 'idle';
    }
  | {
      /** A request is being made. */
      readonly status: 'connecting';
      /** 0 for the first connection, n for the n-th retry of a failure streak. */
      readonly attempt: number;
    }
  | {
      /** The server accepted the stream (2xx, `text/event-stream`). */
      readonly status: 'open';
      /** The attempt that succeeded (0 unless it took retries). */
      readonly attempt: number;
    }
  | {
      /** The connection failed or ended; a retry is scheduled. */
      readonly status: 'reconnecting';
      /**
       * The retry about to be made: 1 for the first of a failure streak (0 for the retry after
       * `onUnauthorized`).
       */
      readonly attempt: number;
      /** Milliseconds until the retry (0 for the retry after `onUnauthorized`). */
      readonly delay: number;
      /** Why: an {@link SseError} such as {@link SseNetworkError} or {@link SseClosedError}. */
      readonly error: unknown;
    }
  | {
      /** `pauseWhenHidden` closed the connection while the page is hidden. */
      readonly status: 'paused';
    }
  | {
      /** Finished: completed, unsubscribed, or failed. */
      readonly status: 'closed';
      /** The error that ended the stream, when it failed. */
      readonly error?: unknown;
    };

/**
 * Receives connection states: a function, or anything with a `next` method — an RxJS `Subject`
 * or `BehaviorSubject` works as is (only `next` is ever called).
 *
 * @category Client
 */
export type SseStateObserver =
  | ((state: SseConnectionState) => void)
  | {
      /** Called with every state, in order. */
      next(state: SseConnectionState): void;
    };

/**
 * How to recognise events a server sends again after a reconnect:
 * - `'auto'`: drop only true repeats. On a resumed connection, until the first event that is new,
 *   an event is dropped when its `id`, `event` name and `data` all equal one of the last 1,000
 *   delivered events that had an id. A server that restarted and numbers its events from 1 again,
 *   a replica after a failover or a server that counts per connection sends new data: nothing of
 *   it is dropped. Events without an id are never dropped. A server that numbers per connection
 *   and sends the same data under the same ids again looks exactly like a replay: use `false`.
 * - `false`: deliver whatever the server sends.
 * - `{ compare }`: for servers whose ids are ordered and never restart (e.g. ULIDs, a database
 *   sequence): on a resumed connection, drop events whose id is not after the highest delivered,
 *   until one is.
 *
 * Every dropped event is reported to `onWarning` as an {@link SseWarning} with code
 * `'duplicate'`.
 *
 * @category Client
 */
export type SseDedupe =
  | 'auto'
  | false
  | {
      /** Orders two ids: negative when `a` came before `b`, positive after, 0 when equal. */
      readonly compare: (a: string, b: string) => number;
    };

/**
 * Something a stream did on its own that you may want to log, reported to the `onWarning` option
 * of `fromSse` and endpoint calls. The stream carries on in every case.
 *
 * - `duplicate`: `dedupe` dropped `message`, a repeat of an event already delivered.
 * - `last-event-id-omitted`: the last event ID `lastEventId` cannot be carried by a request
 *   header on this platform (e.g. a control character, which Node's `fetch` refuses): reconnects
 *   are sent without `last-event-id` until the server sets another id. Reported once per id.
 *
 * @example
 * ```ts
 * import { fromSse } from 'rx-sse';
 *
 * fromSse('/api/feed', {
 *   onWarning: (warning) => console.warn(warning.code, warning.message),
 * }).subscribe();
 * ```
 * @category Client
 */
export type SseWarning =
  | {
      /** An event was dropped as a repeat. */
      readonly code: 'duplicate';
      /** What happened, in words. */
      readonly message: string;
      /** The event that was dropped. */
      readonly event: SseMessage;
    }
  | {
      /** A reconnect was sent without the last event ID. */
      readonly code: 'last-event-id-omitted';
      /** What happened, in words. */
      readonly message: string;
      /** The id that could not be sent. */
      readonly lastEventId: string;
    };
