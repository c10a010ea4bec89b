/**
 * The reconnect decision of `fromSse`: after a connection ends, whether to connect again and after
 * how long. One small unit with the rules in one place, asked one question by the stream — "this
 * connection ended with that error: what now?" — instead of counters spread through a closure.
 *
 * The rules, in the order they apply:
 * 1. A request that is not idempotent (any method but GET, HEAD and OPTIONS, unless the caller
 *    says `idempotent: true`) is never sent again once its response has started: RFC 9110 §9.2.2.
 *    A clean end completes the stream; any failure is final. Before the response started, it is
 *    sent again only when the server's status shows it did not process it (408, 425, 429, 503).
 * 2. A clean end of the stream (`SseClosedError`) completes it when retrying is off.
 * 3. The retry policy (`shouldRetry`, by default {@link sseRetryPolicy}) decides per error:
 *    give up, retry, or retry waiting at least a floor (`Retry-After`).
 * 4. A failure streak ends when an event is delivered or when the connection stayed alive (bytes
 *    arriving, heartbeat comments included) for `healthyAfter`: the next delay starts again at
 *    `initialDelay`. A server that accepts and closes at once keeps backing off.
 * 5. The delay is exponential backoff with jitter ({@link backoffDelay}), never shorter than the
 *    server's `retry:` field; `maxAttempts` and `maxElapsed` bound a streak.
 *
 * @internal
 * @module
 */
import { isSseError } from '../errors.js';
import { sseRetryPolicy } from './policy.js';
import type { SseRetryConfig } from '../from-sse.js';
import { backoffDelay, type RetryBackoffConfig } from './retry-backoff.js';

/** Methods a client may send again on its own (RFC 9110 §9.2.1–9.2.2, minus PUT and DELETE). */
const RESENDABLE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Statuses that show the server did not process the request (safe to re-send even a POST). */
const NOT_PROCESSED = new Set([408, 425, 429, 503]);

/** Whether a request with `method` may be sent again automatically when nothing else is said. */
export function isResendable(method: string): boolean {
  return RESENDABLE.has(method.toUpperCase());
}

/** What to do after a connection ended. */
export type ReconnectDecision =
  | {
      /** Connect again after `delay` ms; `attempt` is the retry's number in its failure streak. */
      readonly action: 'retry';
      readonly attempt: number;
      readonly delay: number;
    }
  | {
      /** The stream is over: complete it. */
      readonly action: 'complete';
    }
  | {
      /** The stream failed: error with the error; `reason`, when set, says why it was not retried. */
      readonly action: 'error';
      readonly reason?: string;
    };

/** The settings the decision uses: the `retry` option, or `false` for no retries at all. */
export type ReconnectConfig = false | SseRetryConfig;

/**
 * The default `healthyAfter`: the smaller of `maxDelay` and four times `initialDelay` (4 s with the
 * defaults). A connection alive that long was no failure, and it is longer than the first waits of
 * a streak, so a server that accepts and closes at once still backs off.
 */
export function defaultHealthyAfter(config: RetryBackoffConfig): number {
  const { initialDelay = 1000, maxDelay = 30000 } = config;
  return Math.min(maxDelay, 4 * initialDelay);
}

/**
 * The reconnect decision for one subscription. The stream tells it what happens — `connecting`,
 * `opened`, `alive` (bytes), `delivered` (an event), `serverRetry` — and asks {@link decide} when
 * a connection ended.
 */
export class ReconnectSchedule {
  /** Retries in the current failure streak. */
  attempt = 0;
  private streakStart: number | undefined;
  private serverRetry = 0;
  private openedAt: number | undefined;
  private aliveAt = 0;
  private method = 'GET';
  private readonly healthyAfter: number;

  constructor(
    private readonly config: ReconnectConfig,
    /** `idempotent` as the caller set it; `undefined` follows the method. */
    private readonly idempotent: boolean | undefined,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.healthyAfter =
      config === false ? Infinity : (config.healthyAfter ?? defaultHealthyAfter(config));
  }

  /** A connection attempt starts with `method`. */
  connecting(method: string): void {
    this.method = method;
    this.openedAt = undefined;
  }

  /** The server accepted the stream. */
  opened(): void {
    this.openedAt = this.aliveAt = this.now();
  }

  /** Bytes arrived on the open connection. */
  alive(): void {
    this.aliveAt = this.now();
  }

  /** An event was delivered: the failure streak is over. */
  delivered(): void {
    this.attempt = 0;
    this.streakStart = undefined;
  }

  /** The server's `retry:` field: no later delay is shorter. */
  retryField(ms: number): void {
    this.serverRetry = ms;
  }

  /** Whether the request may be sent again after its response started. */
  get resendable(): boolean {
    return this.idempotent ?? isResendable(this.method);
  }

  /** The connection ended with `error` (an `SseClosedError` for a clean end): what now? */
  decide(error: unknown): ReconnectDecision {
    const { config } = this;
    const opened = this.openedAt !== undefined;
    const closed = isSseError(error, 'closed');
    // Only rx-sse's own errors say what happened to the request; an error of the caller's (a
    // `headers` function that threw) was raised before anything was sent.
    if (!this.resendable && isSseError(error)) {
      if (opened) {
        return closed
          ? { action: 'complete' }
          : { action: 'error', reason: `${this.method} is not sent again once its response began` };
      }
      if (!(isSseError(error, 'http') && NOT_PROCESSED.has(error.status))) {
        return {
          action: 'error',
          reason: `${this.method} is sent again only after 408, 425, 429 or 503, which show it was not processed`,
        };
      }
    }
    if (config === false) return closed ? { action: 'complete' } : { action: 'error' };
    if (opened && this.aliveAt - (this.openedAt ?? 0) >= this.healthyAfter) this.delivered();

    const attempt = this.attempt + 1;
    const { maxAttempts = Infinity, maxElapsed = Infinity } = config;
    const decision =
      attempt > maxAttempts ? false : (config.shouldRetry ?? sseRetryPolicy)(error, attempt);
    if (decision === false) return { action: 'error' };
    const now = this.now();
    const streakStart = this.streakStart ?? now;
    const floor = Math.max(decision === true ? 0 : decision, this.serverRetry);
    const delay = backoffDelay(config, attempt, floor, this.random);
    if (now + delay - streakStart > maxElapsed) return { action: 'error' };
    this.attempt = attempt;
    this.streakStart = streakStart;
    return { action: 'retry', attempt, delay };
  }
}
