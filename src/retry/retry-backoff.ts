/**
 * `retryBackoff`: exponential backoff with full jitter, as an RxJS operator for any Observable.
 *
 * @module
 */
import {
  asyncScheduler,
  defer,
  race,
  retry,
  tap,
  throwError,
  Observable,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import { untrackedTimer } from '../internal/timers.js';

/**
 * What {@link RetryBackoffConfig.onRetry} is told before each retry.
 *
 * @category Operators
 */
export interface RetryInfo {
  /** The error that is being retried. */
  readonly error: unknown;
  /** 1 for the first retry of a failure streak, 2 for the second, … */
  readonly attempt: number;
  /** How long the operator waits before resubscribing, in milliseconds. */
  readonly delay: number;
}

/**
 * Options of {@link retryBackoff}.
 *
 * The n-th retry of a failure streak waits a random time between 0 and
 * `min(maxDelay, initialDelay × factor^(n-1))` ("full jitter", which spreads the reconnects of many
 * clients after a server restart), but never less than the floor `shouldRetry` may return. A streak
 * ends when the source emits a value (`resetOnSuccess`): the next failure starts again at
 * `initialDelay`. The operator gives up — and errors with the last error — when `shouldRetry` says
 * so, after `maxAttempts` retries in a row, or when waiting would take the streak past `maxElapsed`.
 *
 * @example
 * ```ts
 * import { fromSse, type RetryBackoffConfig } from 'rx-sse';
 *
 * const patient: RetryBackoffConfig = {
 *   initialDelay: 2000, // first retry within 2 s…
 *   factor: 3, // …then 6 s, 18 s, …
 *   maxDelay: 60_000, // …never more than a minute apart
 *   maxElapsed: 10 * 60_000, // give up after ten minutes of failures
 *   onRetry: ({ attempt, delay, error }) => console.warn(`retry ${attempt} in ${delay} ms`, error),
 * };
 *
 * fromSse('/api/feed', { retry: patient }).subscribe();
 * ```
 * @category Operators
 */
export interface RetryBackoffConfig {
  /**
   * Upper bound of the first retry's delay, in milliseconds.
   * @defaultValue 1000
   */
  readonly initialDelay?: number;
  /**
   * Upper bound of any delay, in milliseconds (a floor from `shouldRetry` can exceed it).
   * @defaultValue 30000
   */
  readonly maxDelay?: number;
  /**
   * Growth of the delay bound per retry.
   * @defaultValue 2
   */
  readonly factor?: number;
  /**
   * `'full'`: wait a random time up to the bound; `'none'`: wait exactly the bound.
   * @defaultValue 'full'
   */
  readonly jitter?: 'full' | 'none';
  /**
   * Retries in a row before giving up. `Infinity` keeps going, as a browser's `EventSource` does.
   * @defaultValue Infinity
   */
  readonly maxAttempts?: number;
  /**
   * Longest time a failure streak may last, in milliseconds, measured from its first failure to
   * the moment the next retry would start.
   * @defaultValue Infinity
   */
  readonly maxElapsed?: number;
  /**
   * Whether a value from the source ends the failure streak (counter and `maxElapsed` restart).
   * @defaultValue true
   */
  readonly resetOnSuccess?: boolean;
  /**
   * Decides per error: `false` gives up at once, `true` retries, a number retries waiting at least
   * that many milliseconds (e.g. a server's `Retry-After`).
   * @defaultValue retry every error
   */
  readonly shouldRetry?: (error: unknown, attempt: number) => boolean | number;
  /**
   * Called before each retry with the error, the attempt number and the delay.
   * @defaultValue none
   */
  readonly onRetry?: (info: RetryInfo) => void;
  /**
   * Ends a wait early: when it emits during a backoff delay, the retry starts at once (one retry
   * per wait, however often it emits; it is not listened to outside waits). For a "Retry now"
   * button, or a native app's network callback. A retry it starts still counts in the streak.
   * `fromSse` and endpoint calls add the browser's signals to it: the `online` event and the page
   * becoming visible.
   * @defaultValue none
   */
  readonly retryNow?: Observable<unknown>;
  /**
   * Scheduler of the delays (RxJS `TestScheduler` virtualises the default in `run`).
   * @defaultValue asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
}

/** The largest delay `setTimeout` honours; longer ones would fire immediately. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * The delay before retry `attempt` (1-based), given `random()` in [0, 1).
 *
 * @internal
 */
export function backoffDelay(
  config: RetryBackoffConfig,
  attempt: number,
  floor = 0,
  random: () => number = Math.random,
): number {
  const { initialDelay = 1000, maxDelay = 30000, factor = 2, jitter = 'full' } = config;
  const bound = Math.min(maxDelay, initialDelay * factor ** Math.max(0, attempt - 1));
  const delay = jitter === 'full' ? Math.floor(random() * bound) : bound;
  return Math.min(Math.max(delay, floor, 0), MAX_DELAY);
}

/**
 * The wait before a retry: `delay` ms, or until `wake` emits if that is sooner. Only what `wake`
 * emits during the wait counts: a value it replays on subscribe (a `BehaviorSubject`,
 * `startWith`) is not news, and its error is ignored.
 */
function retryWait(
  delay: number,
  wake: Observable<unknown> | undefined,
  scheduler: SchedulerLike = asyncScheduler,
): Observable<unknown> {
  // Not a zone task: a backoff wait must not hold a zone.js app's stability.
  const wait = untrackedTimer(delay, scheduler);
  if (wake === undefined) return wait;
  const news = new Observable<unknown>((subscriber) => {
    let listening = false;
    const subscription = wake.subscribe({
      next: (value) => listening && subscriber.next(value),
      error: () => undefined,
    });
    listening = true;
    return subscription;
  });
  return race(wait, news);
}

/**
 * Resubscribes to the source after it errors, waiting longer after each failure in a row:
 * exponential backoff with full jitter, built on RxJS `retry`. Works on any Observable.
 *
 * `fromSse` and endpoint calls already apply it (their `retry` option is this config, with the
 * status policy of {@link sseRetryPolicy}); use it directly on your own streams.
 *
 * @example
 * ```ts
 * import { defer } from 'rxjs';
 * import { retryBackoff } from 'rx-sse';
 *
 * defer(() => fetch('/api/config').then((response) => response.json()))
 *   .pipe(retryBackoff({ initialDelay: 500, maxDelay: 10_000, maxAttempts: 5 }))
 *   .subscribe((config) => console.log(config));
 * ```
 * @category Operators
 */
export function retryBackoff<T>(config: RetryBackoffConfig = {}): MonoTypeOperatorFunction<T> {
  const {
    maxAttempts = Infinity,
    maxElapsed = Infinity,
    resetOnSuccess = true,
    shouldRetry = () => true,
    onRetry,
    retryNow,
    scheduler = asyncScheduler,
  } = config;
  return (source) =>
    defer(() => {
      let streakStart: number | undefined;
      return source.pipe(
        tap(() => {
          if (resetOnSuccess) streakStart = undefined;
        }),
        retry({
          resetOnSuccess,
          delay: (error: unknown, attempt: number) => {
            const decision = attempt > maxAttempts ? false : shouldRetry(error, attempt);
            if (decision === false) return throwError(() => error);
            const now = scheduler.now();
            streakStart ??= now;
            const delay = backoffDelay(config, attempt, decision === true ? 0 : decision);
            if (now + delay - streakStart > maxElapsed) return throwError(() => error);
            onRetry?.({ error, attempt, delay });
            return retryWait(delay, retryNow, scheduler);
          },
        }),
      );
    });
}
