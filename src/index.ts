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
export { createSseClient } from './client/create-client.js';
export type { SseClient, SseClientConfig, SseEndpointCall } from './client/create-client.js';
export { defineEndpoint } from './client/endpoint.js';
export type {
  SseCallArgs,
  SseCallOptions,
  SseConnectionOptions,
  SseDecoder,
  SseEndpoint,
  SseEndpointConfig,
  SseEndpointEvent,
  SseEventMap,
  SseEventSchema,
  SseEventUnion,
  SseInvalidEvent,
  SseInvalidPolicy,
  TypedSseEvent,
} from './client/endpoint.js';
export { ofEvent } from './client/of-event.js';
export type { PathParamNames, PathParams } from './client/path.js';
export type {
  InferInput,
  InferOutput,
  StandardResult,
  StandardSchema,
} from './client/standard-schema.js';
export { shareSse } from './share/share-sse.js';
export type { SseSharing } from './share/share-sse.js';
export { createSseStore, idleSnapshot } from './store/sse-store.js';
export type {
  SseDataOf,
  SseSnapshot,
  SseSource,
  SseStore,
  SseStoreOptions,
} from './store/sse-store.js';
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
