/**
 * `fromSse`: one Server-Sent Events endpoint as a cold Observable.
 *
 * @module
 */
import {
  EMPTY,
  Observable,
  concatWith,
  defer,
  filter,
  from,
  identity,
  retry,
  switchMap,
  throwError,
  type Subscription,
} from 'rxjs';
import { SseClosedError, isSseError, type SseHttpError } from './errors.js';
import { completeAfter } from './internal/complete-after.js';
import { Deduper } from './internal/dedupe.js';
import { callSafely, stateReporter } from './internal/report.js';
import { sseRetryPolicy } from './retry/policy.js';
import { retryBackoff, type RetryBackoffConfig, type RetryInfo } from './retry/retry-backoff.js';
import { openStream } from './transport/open-stream.js';
import { prepareRequest } from './transport/request.js';
import type {
  Resolvable,
  SseDedupe,
  SseHeaders,
  SseMessage,
  SseRequestBody,
  SseStateObserver,
} from './types.js';

/**
 * The `retry` option of `fromSse` and endpoints: {@link RetryBackoffConfig}, where
 * `shouldRetry` defaults to {@link sseRetryPolicy} instead of "retry everything".
 *
 * @category Client
 */
export type SseRetryConfig = RetryBackoffConfig;

/**
 * Options of {@link fromSse}. Every one is optional.
 *
 * How they interact:
 * - `headers`, `body` and the URL (when it is a function) are resolved again before every
 *   connection attempt, after `onUnauthorized` has run — that is how a refreshed token is used.
 * - `retry` governs reconnects after failures *and* after the server closes the stream;
 *   `completeOn` ends the stream on a given event instead; a 204 always ends it.
 * - `lastEventId` seeds the `last-event-id` header; after that the header follows the stream.
 *   `dedupe` drops what a resumed stream repeats.
 * - `signal` and unsubscribing both close the connection; the signal also completes observers.
 *
 * @example
 * ```ts
 * import { fromSse } from 'rx-sse';
 *
 * declare const session: { token(): Promise<string>; refresh(): Promise<void> };
 *
 * // A finite POST stream (an LLM answer) that survives a network drop and an expired token.
 * const answer$ = fromSse('https://api.example.com/v1/answers', {
 *   body: { question: 'What is SSE?' }, // JSON; POST is implied; sent again on a retry
 *   headers: async () => ({ authorization: `Bearer ${await session.token()}` }),
 *   onUnauthorized: () => session.refresh(), // then one more attempt, with fresh headers
 *   retry: { initialDelay: 500, maxDelay: 10_000, maxAttempts: 8 },
 *   idleTimeout: 45_000, // the server sends a heartbeat comment every 15 s
 *   completeOn: 'done',
 *   state: (state) => console.log('connection:', state.status),
 * });
 *
 * answer$.subscribe({
 *   next: (message) => console.log(message.event, message.data),
 *   complete: () => console.log('answered'),
 * });
 * ```
 * @category Client
 */
export interface FromSseOptions {
  /**
   * HTTP method.
   * @defaultValue `'POST'` when a `body` is given, else `'GET'`
   */
  readonly method?: string;
  /**
   * Request headers, or a function (sync or async) returning them, called before every connection
   * attempt. `accept: text/event-stream` is added unless you set `accept`. A `last-event-id` you
   * pass here is ignored: the stream sends its own, seeded by `lastEventId`.
   * @defaultValue no extra headers
   */
  readonly headers?: Resolvable<SseHeaders>;
  /**
   * Request body, or a function returning it per attempt. Plain objects and arrays are sent as
   * JSON with `content-type: application/json`.
   * @defaultValue no body
   */
  readonly body?: Resolvable<SseRequestBody>;
  /**
   * `fetch`'s `credentials` mode: `'include'` sends cookies cross-origin (the server must answer
   * with `Access-Control-Allow-Credentials: true` and an explicit origin).
   * @defaultValue `fetch`'s default, `'same-origin'`
   */
  readonly credentials?: RequestCredentials;
  /**
   * The `fetch` to use: for tests (see `rx-sse/testing`), proxies, or instrumentation. It must
   * return a WHATWG `Response` with a `ReadableStream` body.
   * @defaultValue `globalThis.fetch`
   */
  readonly fetch?: typeof fetch;
  /**
   * Closes the connection and completes the Observable when aborted. An already-aborted signal
   * completes at once without connecting. The listener is removed when the subscription ends.
   * @defaultValue none
   */
  readonly signal?: AbortSignal;
  /**
   * Sent as `last-event-id` on the first connection, to resume a stream across page loads.
   * @defaultValue `''` (no header)
   */
  readonly lastEventId?: string;
  /**
   * Reconnection: `false` to never retry (then a clean close by the server completes the
   * Observable), or backoff settings. What is retried is decided by {@link sseRetryPolicy}.
   * @defaultValue `{}`: retry with `initialDelay` 1 s, `maxDelay` 30 s, full jitter, forever
   */
  readonly retry?: false | SseRetryConfig;
  /**
   * Called on a 401 or 403, e.g. to refresh a token; then one more attempt is made (with headers
   * resolved again). A second 401/403 before the stream opens is fatal. Never a loop. If it throws
   * or rejects, the Observable errors with that. Works even with `retry: false`.
   * @defaultValue none: 401 and 403 are fatal
   */
  readonly onUnauthorized?: (error: SseHttpError) => void | Promise<void>;
  /**
   * Ends the stream (completes, no reconnect) after delivering a matching event: an event name,
   * several, or a predicate. For finite streams such as an LLM answer ending with `done`.
   * @defaultValue never: the stream is endless
   */
  readonly completeOn?: string | readonly string[] | ((message: SseMessage) => boolean);
  /**
   * How to drop events a server repeats after a resume. See {@link SseDedupe}.
   * @defaultValue `'auto'`
   */
  readonly dedupe?: SseDedupe;
  /**
   * Receives this subscription's {@link SseConnectionState}s (a function or a `Subject`).
   * @defaultValue none
   */
  readonly state?: SseStateObserver;
  /**
   * Milliseconds without a single byte (heartbeat comments count) after which the connection is
   * presumed dead, closed and retried with {@link SseIdleTimeoutError}. Set it to 2–3 times
   * your server's heartbeat interval. Also bounds the wait for response headers.
   * @defaultValue none (no watchdog)
   */
  readonly idleTimeout?: number;
  /**
   * Largest line or event, in bytes. Past it the connection is closed with
   * {@link SseEventTooLargeError} (fatal), so an endless line cannot exhaust memory.
   * @defaultValue 8 MiB
   */
  readonly maxEventSize?: number;
  /**
   * Called with the size in bytes of every chunk of a response body as it arrives (heartbeat
   * comments included): for byte counters and bandwidth metrics.
   * @defaultValue none
   */
  readonly onBytes?: (count: number) => void;
  /**
   * Browser only: close the connection while the page is hidden and reconnect, resuming from the
   * last event ID, when it is visible again. No retry timer runs while hidden and there is never a
   * second connection. Do not use it for POST streams that must not be sent twice.
   * @defaultValue false
   */
  readonly pauseWhenHidden?: boolean;
  /**
   * Browser only: keep the connection open while the page is hidden. fetch-event-source's name
   * for the same switch, kept so its users can port their options as they are: `false` is
   * `pauseWhenHidden: true`. Unlike fetch-event-source, which closes hidden streams unless told
   * otherwise, rx-sse stays connected by default. Setting both to values that contradict each
   * other errors with a `TypeError`.
   * @defaultValue true
   */
  readonly openWhenHidden?: boolean;
}

const DEFAULT_MAX_EVENT_SIZE = 8 * 1024 * 1024;

/** The page's visibility, when there is a page. */
function watchVisibility(onChange: (hidden: boolean) => void): (() => void) | undefined {
  const doc = (globalThis as { document?: Document }).document;
  if (doc === undefined || typeof doc.addEventListener !== 'function') return undefined;
  const listener = (): void => onChange(doc.hidden);
  doc.addEventListener('visibilitychange', listener);
  return () => doc.removeEventListener('visibilitychange', listener);
}

/** Whether the stream pauses while hidden; throws when the two switches contradict each other. */
function pausesWhenHidden({ pauseWhenHidden, openWhenHidden }: FromSseOptions): boolean {
  if (pauseWhenHidden !== undefined && openWhenHidden === pauseWhenHidden) {
    throw new TypeError(
      `rx-sse: pauseWhenHidden: ${String(pauseWhenHidden)} contradicts openWhenHidden: ${String(openWhenHidden)}; set one of them`,
    );
  }
  return pauseWhenHidden ?? openWhenHidden === false;
}

function isHidden(): boolean {
  return (globalThis as { document?: Document }).document?.hidden === true;
}

/**
 * Connects to a Server-Sent Events endpoint. **Cold**: nothing happens until you subscribe, and
 * every subscriber gets its own connection. Unsubscribing aborts the request at once.
 *
 * Emits each event as an {@link SseMessage}. By default the stream stays connected: failures and
 * clean closes by the server are retried with backoff (see {@link sseRetryPolicy}), resuming with
 * `last-event-id`. It completes on a 204, on `completeOn`, or when `signal` aborts; it errors with
 * an {@link SseError} when the policy gives up. For typed, validated payloads see
 * {@link createSseClient}.
 *
 * Works in browsers, web workers, Node ≥ 20 and Jest's node environment, with no global defined.
 *
 * @param url - The endpoint, or a function returning it (called before every attempt).
 * @param options - See {@link FromSseOptions}.
 *
 * @example
 * ```ts
 * import { fromSse } from 'rx-sse';
 *
 * declare const auth: { token(): Promise<string> };
 *
 * const subscription = fromSse('https://api.example.com/feed', {
 *   headers: async () => ({ authorization: `Bearer ${await auth.token()}` }),
 * }).subscribe((message) => console.log(message.event, message.data, message.id));
 *
 * subscription.unsubscribe(); // the socket closes now
 * ```
 * @category Client
 */
export function fromSse(
  url: Resolvable<string | URL>,
  options: FromSseOptions = {},
): Observable<SseMessage> {
  return new Observable<SseMessage>((subscriber) => {
    const report = stateReporter(options.state);
    let finished = false;
    const finish = (error?: { error: unknown }): void => {
      if (finished) return;
      finished = true;
      report(error === undefined ? { status: 'closed' } : { status: 'closed', error: error.error });
    };
    let pauses: boolean;
    try {
      pauses = pausesWhenHidden(options);
    } catch (error) {
      finish({ error });
      subscriber.error(error);
      return undefined;
    }
    const { signal } = options;
    if (signal?.aborted) {
      finish();
      subscriber.complete();
      return undefined;
    }

    const fetchFn: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const retryConfig = options.retry === false ? undefined : (options.retry ?? {});
    const policy = retryConfig?.shouldRetry ?? sseRetryPolicy;
    const userOnBytes = options.onBytes;
    const onBytes =
      userOnBytes === undefined
        ? undefined
        : (count: number): void => callSafely(userOnBytes, count);
    const deduper = new Deduper(options.dedupe ?? 'auto');
    const spec = {
      url,
      method: options.method,
      headers: [options.headers],
      body: options.body,
      credentials: options.credentials,
    };

    let lastEventId = options.lastEventId ?? '';
    let serverRetry = 0;
    let attempt = 0;
    let connections = 0;
    let noContent = false;
    let authRetried = false;
    let displayUrl = '';

    const connectOnce = defer(() => {
      deduper.connection(connections++ > 0);
      report({ status: 'connecting', attempt });
      return from(prepareRequest(spec, lastEventId)).pipe(
        switchMap((request) => {
          displayUrl = request.displayUrl;
          return openStream({
            request,
            fetch: fetchFn,
            maxEventSize: options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE,
            idleTimeout: options.idleTimeout,
            lastEventId,
            onOpen: () => {
              authRetried = false;
              report({ status: 'open', attempt });
            },
            onRetry: (ms) => {
              serverRetry = ms;
            },
            onLastEventId: (id) => {
              lastEventId = id;
            },
            onNoContent: () => {
              noContent = true;
            },
            ...(onBytes === undefined ? {} : { onBytes }),
          });
        }),
        // A clean close is a reason to reconnect, unless retry is off or the server said 204.
        concatWith(
          defer(() =>
            noContent || retryConfig === undefined
              ? EMPTY
              : throwError(() => new SseClosedError({ url: displayUrl })),
          ),
        ),
      );
    });

    const retryAuth = (error: unknown): Observable<unknown> => {
      const hook = options.onUnauthorized;
      const denied = isSseError(error, 'http') && (error.status === 401 || error.status === 403);
      if (!denied || hook === undefined || authRetried) return throwError(() => error);
      authRetried = true;
      report({ status: 'reconnecting', attempt, delay: 0, error });
      return from(Promise.resolve().then(() => hook(error)));
    };

    const onRetry = (info: RetryInfo): void => {
      attempt = info.attempt;
      report({ status: 'reconnecting', ...info });
      if (retryConfig?.onRetry) callSafely(retryConfig.onRetry, info);
    };

    const messages = connectOnce.pipe(
      // One stage, not filter + tap: it runs for every event.
      filter((message) => {
        if (!deduper.accept(message)) return false;
        lastEventId = message.lastEventId;
        attempt = 0;
        return true;
      }),
      retry({ delay: retryAuth }),
      retryConfig === undefined
        ? identity
        : retryBackoff<SseMessage>({
            ...retryConfig,
            shouldRetry: (error, n) => {
              const decision = policy(error, n);
              if (decision === false) return false;
              return Math.max(decision === true ? 0 : decision, serverRetry);
            },
            onRetry,
          }),
      completeAfter(options.completeOn),
    );

    let inner: Subscription | undefined;
    const start = (): void => {
      inner = messages.subscribe({
        next: (message) => subscriber.next(message),
        error: (error: unknown) => {
          finish({ error });
          subscriber.error(error);
        },
        complete: () => {
          finish();
          subscriber.complete();
        },
      });
    };
    const stop = (): void => {
      inner?.unsubscribe();
      inner = undefined;
    };

    const unwatch = pauses
      ? watchVisibility((hidden) => {
          if (hidden && inner !== undefined) {
            stop();
            report({ status: 'paused' });
          } else if (!hidden && inner === undefined && !subscriber.closed) {
            start();
          }
        })
      : undefined;
    const onAbort = (): void => {
      stop();
      finish();
      subscriber.complete();
    };
    signal?.addEventListener('abort', onAbort);

    if (unwatch !== undefined && isHidden()) report({ status: 'paused' });
    else start();

    return () => {
      unwatch?.();
      signal?.removeEventListener('abort', onAbort);
      stop();
      finish();
    };
  });
}
