/**
 * rx-sse: Server-Sent Events endpoints as cold RxJS Observables.
 *
 * @packageDocumentation
 */
export { fromSse } from './from-sse.js';
export type { FromSseOptions, SseRetryConfig } from './from-sse.js';
export type {
  Resolvable,
  SseConnectionState,
  SseDedupe,
  SseHeaders,
  SseMessage,
  SseRequestBody,
  SseStateObserver,
} from './types.js';
export { retryBackoff } from './retry/retry-backoff.js';
export type { RetryBackoffConfig, RetryInfo } from './retry/retry-backoff.js';
export { sseRetryPolicy } from './retry/policy.js';
export {
  SseClosedError,
  SseContentTypeError,
  SseError,
  SseEventTooLargeError,
  SseHttpError,
  SseIdleTimeoutError,
  SseNetworkError,
  SseUnknownEventError,
  SseValidationError,
  isSseError,
} from './errors.js';
export type { AnySseError, SseErrorByCode, SseErrorCode, SseIssue } from './errors.js';
