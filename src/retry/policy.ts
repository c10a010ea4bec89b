/**
 * What is worth retrying: the one place that decides.
 *
 * @module
 */
import { isSseError } from '../errors.js';

/** HTTP statuses that say "try again later". */
const RETRYABLE_STATUS = new Set([408, 409, 425, 429]);

/**
 * The retry policy of `fromSse` and endpoint calls. Returns `false` (give up), `true` (retry with
 * backoff) or a number (retry, waiting at least that many milliseconds).
 *
 * | what happened | decision |
 * |---|---|
 * | network failure, connection lost mid-stream ({@link SseNetworkError}) | retry |
 * | the server closed the stream ({@link SseClosedError}) | retry |
 * | no bytes for `idleTimeout` ({@link SseIdleTimeoutError}) | retry |
 * | HTTP 5xx, 408, 409, 425, 429 | retry, waiting at least `Retry-After` when sent |
 * | HTTP 204 | not an error: the stream completes |
 * | HTTP 401, 403 | `onUnauthorized` then one more try, if you gave the hook; else fatal |
 * | any other HTTP status (400, 404, 405, 410, 422, …) | fatal |
 * | wrong content type ({@link SseContentTypeError}) | fatal |
 * | event too large, invalid payload, unknown event | fatal |
 * | anything else (e.g. thrown by your `headers` function) | fatal |
 *
 * A server's `retry:` field raises the floor of every later delay. Pass your own function as
 * `retry.shouldRetry` to change the table; call this one inside it to extend it.
 *
 * @example
 * ```ts
 * import { fromSse, isSseError, sseRetryPolicy } from 'rx-sse';
 *
 * // Also retry 404s while a deploy is rolling out, at most 10 times in a row.
 * fromSse('/feed', {
 *   retry: {
 *     maxAttempts: 10,
 *     shouldRetry: (error, attempt) =>
 *       isSseError(error, 'http') && error.status === 404 ? true : sseRetryPolicy(error, attempt),
 *   },
 * });
 * ```
 * @category Operators
 */
export function sseRetryPolicy(error: unknown, attempt?: number): boolean | number;
export function sseRetryPolicy(error: unknown): boolean | number {
  if (!isSseError(error)) return false;
  switch (error.code) {
    case 'network':
    case 'closed':
    case 'idle-timeout':
      return true;
    case 'http':
      if (error.status >= 500 || RETRYABLE_STATUS.has(error.status)) {
        return error.retryAfter ?? true;
      }
      return false;
    default:
      return false;
  }
}
