/**
 * `fromSse`: one Server-Sent Events endpoint as a cold Observable.
 *
 * @module
 */
import { Observable } from 'rxjs';
import { SseClosedError, isSseError, type SseHttpError } from './errors.js';
import { completeMatcher } from './internal/complete-after.js';
import { Deduper } from './internal/dedupe.js';
import { isHidden, watchVisibility, whenBackOnline } from './internal/page.js';
import { callSafely, stateReporter } from './internal/report.js';
import { untrackedTimeout, untrackedTimer } from './internal/timers.js';
import { ReconnectSchedule, isResendable } from './retry/reconnect.js';
import type { RetryBackoffConfig } from './retry/retry-backoff.js';
import { openStream } from './transport/open-stream.js';
import { prepareRequest } from './transport/request.js';
import type {
  Resolvable,
  SseDedupe,
  SseHeaders,
  SseMessage,
  SseRequestBody,
  SseStateObserver,
  SseWarning,
} from './types.js';

/**
 * The `retry` option of `fromSse` and endpoints: {@link RetryBackoffConfig}, where
 * `shouldRetry` defaults to {@link sseRetryPolicy} instead of "retry everything", plus the rule
 * that ends a failure streak after a healthy connection.
 *
 * @example
 * ```ts
 * import { Subject } from 'rxjs';
 * import { fromSse, type SseRetryConfig } from 'rx-sse';
 *
 * const retryNow = new Subject<void>(); // e.g. a "Retry now" button
 * const retry: SseRetryConfig = {
 *   initialDelay: 500,
 *   maxDelay: 15_000,
 *   healthyAfter: 60_000, // a connection up for a minute starts the backoff over
 *   retryNow,
 * };
 * fromSse('/api/feed', { retry }).subscribe();
 * ```
 * @category Client
 */
export interface SseRetryConfig extends RetryBackoffConfig {
  /**
   * Milliseconds a connection must stay alive — the server accepted it and bytes kept arriving,
   * heartbeat comments included — to end the failure streak: the next reconnect then waits
   * `initialDelay` (or the server's `retry:`), however many failures came before. So a quiet stream
   * that a proxy or load balancer cuts every few minutes does not drift towards `maxDelay`, while
   * a server that accepts and closes at once still backs off. An event delivered also ends the
   * streak (unless `resetOnSuccess` is `false`).
   * @defaultValue the smaller of `maxDelay` and 4 × `initialDelay`: 4000 with the defaults
   */
  readonly healthyAfter?: number;
}

/**
 * Options of {@link fromSse}. Every one is optional.
 *
 * How they interact:
 * - `headers`, `body` and the URL (when it is a function) are resolved again before every
 *   connection attempt, after `onUnauthorized` has run — that is how a refreshed token is used.
 * - `retry` governs reconnects after failures *and* after the server closes the stream of a GET;
 *   `completeOn` ends the stream on a given event instead; a 204 always ends it.
 * - A request that is not `idempotent` (a POST, by default) is never sent again once its response
 *   began: a clean end completes the stream, a failure errors it. Before that, only a status that
 *   shows the server did not process it (408, 425, 429, 503, and 401/403 through
 *   `onUnauthorized`) sends it again.
 * - `lastEventId` seeds the `last-event-id` header; after that the header follows the stream.
 *   `dedupe` drops the true repeats a resumed stream sends, reporting each to `onWarning`.
 * - `signal` and unsubscribing both close the connection; the signal also completes observers.
 *
 * @example
 * ```ts
 * import { fromSse } from 'rx-sse';
 *
 * declare const session: { token(): Promise<string>; refresh(): Promise<void> };
 *
 * // A finite POST stream (an LLM answer): sent once, ended by the server or by `done`.
 * const answer$ = fromSse('https://api.example.com/v1/answers', {
 *   body: { question: 'What is SSE?' }, // JSON; POST is implied; never sent twice on its own
 *   headers: async () => ({ authorization: `Bearer ${await session.token()}` }),
 *   onUnauthorized: () => session.refresh(), // then one more attempt, with fresh headers
 *   retry: { initialDelay: 500, maxDelay: 10_000, maxAttempts: 8 }, // 429 and 503 before it began
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
   * Whether the request may be sent again automatically after its response began — after a
   * dropped connection, an idle timeout or a clean end of the stream. RFC 9110 §9.2.2: a client
   * should not retry a non-idempotent request on its own, and a POST stream re-sent after the
   * server finished it makes the server produce (and bill) the answer again. Set `true` for a
   * POST that the server resumes from `last-event-id` or that is safe to repeat; `false` makes
   * even a GET end on a clean close and error on a drop.
   *
   * When `false`, a clean end completes the Observable; a failure after the response began errors
   * it, with a message saying why it was not retried. Before the response began, only 408, 425,
   * 429 and 503 (which show the request was not processed) are retried, and 401/403 once through
   * `onUnauthorized`; a network error, 500, 502 or 504 is final.
   * @defaultValue `true` for GET, HEAD and OPTIONS; `false` for every other method (POST, PUT,
   *   PATCH, DELETE, …)
   */
  readonly idempotent?: boolean;
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
   * Observable), or backoff settings. What is retried is decided by {@link sseRetryPolicy} and,
   * for requests that are not `idempotent`, by the method rule. During a backoff wait, the
   * browser's `online` event, the page becoming visible and `retry.retryNow` start the retry at
   * once.
   * @defaultValue `{}`: retry with `initialDelay` 1 s, `maxDelay` 30 s, full jitter, forever; a
   *   connection alive for 4 s ends a failure streak
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
   * Called with each {@link SseWarning}: an event `dedupe` dropped as a repeat, or a last event ID
   * that the platform's `fetch` cannot carry in a header (the reconnect was sent without it).
   * Nothing is ever dropped or left out without a call here.
   * @defaultValue none
   */
  readonly onWarning?: (warning: SseWarning) => void;
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
   * second connection. Only requests that may be sent again pause: a POST (any request that is
   * not `idempotent`) stays connected while hidden, since showing the page would send it twice.
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

/** `globalThis.fetch` looked up at call time (tests and polyfills may replace it). */
const defaultFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);

/** Whether the stream pauses while hidden; throws when the two switches contradict each other. */
function pausesWhenHidden({ pauseWhenHidden, openWhenHidden }: FromSseOptions): boolean {
  if (pauseWhenHidden !== undefined && openWhenHidden === pauseWhenHidden) {
    throw new TypeError(
      `rx-sse: pauseWhenHidden: ${String(pauseWhenHidden)} contradicts openWhenHidden: ${String(openWhenHidden)}; set one of them`,
    );
  }
  return pauseWhenHidden ?? openWhenHidden === false;
}

/**
 * Connects to a Server-Sent Events endpoint. **Cold**: nothing happens until you subscribe, and
 * every subscriber gets its own connection. Unsubscribing aborts the request at once.
 *
 * Emits each event as an {@link SseMessage}. By default a GET stream stays connected: failures and
 * clean closes by the server are retried with backoff (see {@link sseRetryPolicy}), resuming with
 * `last-event-id`. A POST (any request that is not `idempotent`) is sent once: it completes when
 * the server ends it. It completes on a 204, on `completeOn`, or when `signal` aborts; it errors
 * with an {@link SseError} when the policy gives up. For typed, validated payloads see
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
    const { signal, onWarning, onBytes: userOnBytes } = options;
    const retryConfig = options.retry ?? {};
    let pauses: boolean;
    try {
      // A request that must not be sent twice stays connected: resuming would re-send it.
      const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
      pauses = pausesWhenHidden(options) && (options.idempotent ?? isResendable(method));
    } catch (error) {
      report({ status: 'closed', error });
      subscriber.error(error);
      return undefined;
    }
    if (signal?.aborted) {
      report({ status: 'closed' });
      subscriber.complete();
      return undefined;
    }

    const fetchFn = options.fetch ?? defaultFetch;
    const schedule = new ReconnectSchedule(retryConfig, options.idempotent);
    const resetOnSuccess = retryConfig === false || retryConfig.resetOnSuccess !== false;
    const deduper = new Deduper(options.dedupe ?? 'auto');
    const completes = completeMatcher(options.completeOn);
    const warn = (warning: SseWarning): void => {
      if (onWarning !== undefined) callSafely(onWarning, warning);
    };
    const onBytes = (count: number): void => {
      schedule.alive();
      if (userOnBytes !== undefined) callSafely(userOnBytes, count);
    };

    /**
     * Where the stream is: `connecting` (preparing the request, waiting for the response), `open`
     * (reading events), `waiting` (out a backoff delay, or for `onUnauthorized`), `paused` (the
     * page is hidden and `pauseWhenHidden` is on) or `closed` (for good).
     */
    let phase: 'connecting' | 'open' | 'waiting' | 'paused' | 'closed' = 'connecting';
    /** Cancels what the current phase is doing: the connection attempt, or the wait. */
    let cancel: (() => void) | undefined;
    let lastEventId = options.lastEventId ?? '';
    /** A last event ID the platform's fetch refused to carry: later attempts leave it out. */
    let unsendableId: string | undefined;
    let connections = 0;
    let authRetried = false;
    let displayUrl = '';
    /** Whether the stream ended — also from inside a callback of ours (`state`, `onRetry`). */
    const isClosed = (): boolean => phase === 'closed';

    /** Ends the stream for good: completes it, or errors it with `failure.error`. */
    const close = (failure?: { readonly error: unknown }): void => {
      if (phase === 'closed') return;
      stop();
      report(
        failure === undefined ? { status: 'closed' } : { status: 'closed', error: failure.error },
      );
      if (failure === undefined) subscriber.complete();
      else subscriber.error(failure.error);
    };
    const stop = (): void => {
      phase = 'closed';
      cancel?.();
      unwatch?.();
      if (onAbort) signal.removeEventListener('abort', onAbort);
    };

    /** One connection attempt, resuming from the last event ID. */
    const connect = (): void => {
      phase = 'connecting';
      deduper.connection(connections++ > 0);
      report({ status: 'connecting', attempt: schedule.attempt });
      if (isClosed()) return; // Unsubscribed by the state observer.
      let abort: (() => void) | undefined;
      let aborted = false;
      cancel = () => {
        aborted = true;
        abort?.();
      };
      // What the request is made of, built per attempt (kept by nothing while a stream is open).
      const spec = {
        url,
        method: options.method,
        headers: [options.headers],
        body: options.body,
        credentials: options.credentials,
      };
      prepareRequest(spec, lastEventId === unsendableId ? '' : lastEventId).then(
        (request) => {
          if (aborted) return;
          displayUrl = request.displayUrl;
          schedule.connecting(request.method);
          abort = openStream({
            request,
            fetch: fetchFn,
            maxEventSize: options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE,
            idleTimeout: options.idleTimeout,
            lastEventId,
            onOpen: () => {
              phase = 'open';
              authRetried = false;
              schedule.opened();
              report({ status: 'open', attempt: schedule.attempt });
            },
            onMessage: receive,
            onEnd: (error) => ended(error ?? new SseClosedError({ url: displayUrl })),
            onNoContent: () => close(),
            onRetry: (ms) => schedule.retryField(ms),
            onLastEventId: (id) => {
              lastEventId = id;
            },
            onLastEventIdOmitted: (id) => {
              if (unsendableId === id) return;
              unsendableId = id;
              warn({
                code: 'last-event-id-omitted',
                lastEventId: id,
                message: `The last event ID ${JSON.stringify(id)} cannot be sent in a header here: reconnecting without last-event-id`,
              });
            },
            onBytes,
          });
        },
        (error: unknown) => aborted || ended(error),
      );
    };

    /** An event of the open connection: dedupe, deliver, and end the stream on `completeOn`. */
    const receive = (message: SseMessage): void => {
      let fresh: boolean;
      try {
        fresh = deduper.accept(message);
      } catch (error) {
        return close({ error }); // Thrown by your `dedupe.compare`.
      }
      if (!fresh) {
        warn({
          code: 'duplicate',
          event: message,
          message: `Dropped a repeat of event ${JSON.stringify(message.id)} after a reconnect`,
        });
        return;
      }
      lastEventId = message.lastEventId;
      if (resetOnSuccess) schedule.delivered();
      subscriber.next(message);
      let last: boolean | undefined;
      try {
        last = completes?.(message);
      } catch (error) {
        return close({ error }); // Thrown by your `completeOn` predicate.
      }
      if (last === true) close();
    };

    /** The connection ended with `error` (an `SseClosedError` for a clean end): what now? */
    const ended = (error: unknown): void => {
      if (phase === 'closed') return;
      cancel = undefined;
      const hook = options.onUnauthorized;
      const denied = isSseError(error, 'http') && (error.status === 401 || error.status === 403);
      if (denied && hook !== undefined && !authRetried) {
        authRetried = true;
        report({ status: 'reconnecting', attempt: 0, delay: 0, error });
        if (isClosed()) return;
        return wait(Promise.resolve().then(() => hook(error)));
      }
      const decision = schedule.decide(error);
      if (decision.action === 'complete') return close();
      if (decision.action === 'error') {
        if (decision.reason !== undefined && isSseError(error)) {
          error.message += ` (not retried: ${decision.reason}; set idempotent: true if the server can take it again)`;
        }
        return close({ error });
      }
      const info = { error, attempt: decision.attempt, delay: decision.delay };
      report({ status: 'reconnecting', ...info });
      if (retryConfig !== false && retryConfig.onRetry) callSafely(retryConfig.onRetry, info);
      if (!isClosed()) wait(decision.delay); // Unless a callback just unsubscribed.
    };

    /**
     * Waits `delay` ms — or less when the browser is back online, the page visible again or
     * `retry.retryNow` emits — or for a promise (`onUnauthorized`), then connects again.
     */
    const wait = (until: number | Promise<unknown>): void => {
      phase = 'waiting';
      let done = false;
      const next = (): void => {
        if (done) return;
        done = true;
        cancel?.();
        connect();
      };
      if (typeof until !== 'number') {
        cancel = () => {
          done = true;
        };
        until.then(next, (error: unknown) => done || close({ error }));
        return;
      }
      const config = retryConfig === false ? undefined : retryConfig;
      /** What to undo when the wait ends, filled as the wait starts. */
      const stops: (() => void)[] = [];
      cancel = () => {
        done = true;
        for (const stop of stops) stop();
      };
      if (config?.scheduler === undefined) {
        stops.push(untrackedTimeout(next, until));
      } else {
        const timer = untrackedTimer(until, config.scheduler).subscribe(next);
        stops.push(() => timer.unsubscribe());
      }
      if (done) return; // The scheduler ran the timer at once: connecting already.
      stops.push(whenBackOnline(next));
      // Only what happens during the wait ends it: a value the notifier holds and replays on
      // subscribe (a BehaviorSubject, `startWith`) is not news, and its error is not ours.
      let listening = false;
      const wake = config?.retryNow?.subscribe({
        next: () => listening && next(),
        error: () => undefined,
      });
      listening = true;
      if (wake !== undefined) stops.push(() => wake.unsubscribe());
    };

    const unwatch = pauses
      ? watchVisibility((hidden) => {
          if (hidden && phase !== 'paused' && phase !== 'closed') {
            cancel?.();
            cancel = undefined;
            phase = 'paused';
            report({ status: 'paused' });
          } else if (!hidden && phase === 'paused') {
            connect();
          }
        })
      : undefined;
    const onAbort = signal && ((): void => close());
    if (onAbort) signal.addEventListener('abort', onAbort);

    if (unwatch !== undefined && isHidden()) {
      phase = 'paused';
      report({ status: 'paused' });
    } else {
      connect();
    }

    return () => {
      if (phase === 'closed') return;
      stop();
      report({ status: 'closed' });
    };
  });
}
