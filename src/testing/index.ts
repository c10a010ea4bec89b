/**
 * `rx-sse/testing`: test your app's streams without a server.
 *
 * @example
 * ```ts
 * import { fromSse } from 'rx-sse';
 * import { createMockSseFetch } from 'rx-sse/testing';
 *
 * const mock = createMockSseFetch();
 * const seen: string[] = [];
 * const subscription = fromSse('https://api.test/feed', { fetch: mock.fetch }).subscribe((m) =>
 *   seen.push(m.data),
 * );
 *
 * const connection = await mock.connection();
 * await connection.send({ data: 'hello' }); // resolves once the client has dispatched it
 * console.log(seen); // ['hello']
 * subscription.unsubscribe();
 * console.log(connection.aborted); // true
 * ```
 *
 * @packageDocumentation
 * @mergeModuleWith <project>
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
