/**
 * Errors and connection states cross a BroadcastChannel as data and come back as the same rx-sse
 * classes, with the same fields and message: a follower tab's subscribers can `instanceof` and
 * `isSseError` them as if the connection were their own.
 */
import {
  SseClosedError,
  SseContentTypeError,
  SseEventTooLargeError,
  SseHttpError,
  SseIdleTimeoutError,
  SseNetworkError,
  SseUnknownEventError,
  SseValidationError,
  isSseError,
} from '../../src/errors.js';
import { errorFromWire, errorToWire, stateFromWire, stateToWire } from '../../src/share/wire.js';

/** Through the wire and back, cloned as a BroadcastChannel clones. */
const roundTrip = (error: unknown): Error => errorFromWire(structuredClone(errorToWire(error)));

const URL = 'https://api.example.com/feed';

const errors = [
  new SseHttpError({
    status: 503,
    statusText: 'Service Unavailable',
    headers: { 'retry-after': '2' },
    body: 'busy',
    url: URL,
    method: 'POST',
    retryAfter: 2000,
  }),
  new SseContentTypeError({ contentType: 'text/html', status: 200, url: URL }),
  new SseContentTypeError({ contentType: null, status: 200, url: URL }),
  new SseNetworkError({ phase: 'read', url: URL, cause: new TypeError('socket hang up') }),
  new SseClosedError({ url: URL }),
  new SseIdleTimeoutError({ timeout: 30_000, url: URL }),
  new SseEventTooLargeError({ limit: 1024, size: 2048, url: URL }),
  new SseValidationError({
    target: 'data',
    event: 'price',
    id: '7',
    raw: '{"value":"x"}',
    issues: [{ message: 'Expected number', path: ['value', { key: 0 }, Symbol('s')] }],
  }),
  new SseUnknownEventError({ event: 'surprise', known: ['price'], id: undefined }),
];

describe('errors over the wire', () => {
  it.each(errors.map((error) => [error.name, error] as const))(
    '%s comes back as the same class with the same fields',
    (_name, error) => {
      const back = roundTrip(error);
      expect(back).toBeInstanceOf(error.constructor);
      expect(isSseError(back, error.code)).toBe(true);
      expect(back.message).toBe(error.message);
      const fields = { ...error } as Record<string, unknown>; // its own enumerable fields
      if (error instanceof SseValidationError) {
        expect((back as SseValidationError).issues).toEqual([
          { message: 'Expected number', path: ['value', { key: 0 }, 'Symbol(s)'] },
        ]);
        delete fields['issues'];
      }
      expect(back).toMatchObject(fields);
    },
  );

  it('keeps a network error’s cause, and other errors by name and message', () => {
    const network = roundTrip(errors[3]) as SseNetworkError;
    expect(network.cause).toBeInstanceOf(Error);
    expect((network.cause as Error).message).toBe('socket hang up');
    const other = roundTrip(new RangeError('out of range'));
    expect(other).toBeInstanceOf(Error);
    expect([other.name, other.message]).toEqual(['RangeError', 'out of range']);
    expect(roundTrip('a string').message).toBe('a string');
  });
});

describe('states over the wire', () => {
  it('rebuilds the errors of reconnecting and closed states, and keeps the others as they are', () => {
    const closed = new SseClosedError({ url: URL });
    const states = [
      { status: 'connecting', attempt: 2 },
      { status: 'open', attempt: 0 },
      { status: 'reconnecting', attempt: 1, delay: 750, error: closed },
      { status: 'closed', error: closed },
      { status: 'closed' },
    ] as const;
    for (const state of states) {
      const back = stateFromWire(structuredClone(stateToWire(state)));
      expect(back).toEqual(state);
      if ('error' in back) expect(back.error).toBeInstanceOf(SseClosedError);
    }
  });
});
