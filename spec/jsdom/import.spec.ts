/**
 * @jest-environment jsdom
 *
 * Jest's jsdom environment (the default of many React and Angular setups) has no `TextDecoder`,
 * `ReadableStream`, `Response` or `fetch`. Importing rx-sse there must still work: components
 * that use it are rendered in such tests with their streams mocked, or never subscribed.
 */
it('imports in a jsdom test environment that lacks TextDecoder', async () => {
  expect(typeof (globalThis as { TextDecoder?: unknown }).TextDecoder).toBe('undefined');
  const sdk = await import('../../src/index.js');
  const testing = await import('../../src/testing/index.js');
  expect(typeof sdk.fromSse).toBe('function');
  expect(typeof testing.createMockSseFetch).toBe('function');
});
