/**
 * rx-sse: Server-Sent Events endpoints as cold RxJS Observables.
 *
 * Everything here is imported from `rx-sse`; the mock `fetch` for tests comes from
 * `rx-sse/testing`.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { createSseClient, defineEndpoint, fromSse } from 'rx-sse';
 *
 * // One endpoint, untyped: every event as { event, data, id, lastEventId }.
 * fromSse('/api/notifications').subscribe((message) => console.log(message.event, message.data));
 *
 * // Typed endpoints: payloads parsed as JSON and validated against their schemas.
 * const api = createSseClient({
 *   endpoints: {
 *     online: defineEndpoint({ path: '/api/online', events: { count: z.number().int() } }),
 *   },
 * });
 * api.online().subscribe(({ data }) => console.log(`${data} online`));
 * ```
 *
 * @categoryDescription Client
 * Connecting to a stream: {@link fromSse} for one URL, {@link createSseClient} for typed
 * endpoints, {@link toAsyncIterable} for `for await` loops, and the types of messages, headers
 * and connection states they share.
 *
 * @categoryDescription Endpoints
 * Describing an endpoint once with {@link defineEndpoint}: path parameters, query and body
 * schemas, one schema per event name, and what to do with invalid or unknown events.
 *
 * @categoryDescription Operators
 * RxJS operators and policies: {@link retryBackoff}, {@link sseRetryPolicy}, {@link ofEvent},
 * {@link shareSse}.
 *
 * @categoryDescription Errors
 * Every failure reaches subscribers as an {@link SseError} subclass with the data to act on;
 * narrow them with {@link isSseError}.
 *
 * @categoryDescription Frameworks
 * {@link createSseStore} turns a stream into the external-store shape UI frameworks consume.
 *
 * @categoryDescription Testing
 * Imported from `rx-sse/testing`: an in-memory SSE `fetch` to test your app without a server.
 *
 * @packageDocumentation
 * @mergeModuleWith <project>
 */
export { fromSse } from './from-sse.js';
export type { FromSseOptions, SseRetryConfig } from './from-sse.js';
export { toAsyncIterable } from './to-async-iterable.js';
export type { ToAsyncIterableOptions } from './to-async-iterable.js';
export type {
  Resolvable,
  SseConnectionState,
  SseDedupe,
  SseHeaders,
  SseMessage,
  SseRequestBody,
  SseStateObserver,
  SseWarning,
} from './types.js';
export { createSseClient } from './client/create-client.js';
export type { SseClient, SseClientConfig, SseEndpointCall } from './client/create-client.js';
export { defineEndpoint } from './client/endpoint.js';
export type {
  AnySseEndpoint,
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
  SseBufferOverflowError,
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
