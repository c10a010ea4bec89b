/**
 * `rx-sse/testing`: test your app's streams without a server.
 *
 * @packageDocumentation
 */
export { createMockSseFetch, encodeSseEvent } from './mock-sse-fetch.js';
export type {
  MockSseConnection,
  MockSseEvent,
  MockSseFetch,
  MockSseFetchOptions,
  MockSseRequest,
  MockSseResponse,
} from './mock-sse-fetch.js';
