/**
 * `toAsyncIterable` against the real test server: order under a slow loop body, every way out of
 * the loop closing the socket (as the server sees it), typed errors after the events before them,
 * and the buffer bound. Sync sources pin the iterator protocol itself.
 */
import { concat, defer, of, tap, throwError, type Observable } from 'rxjs';
import { z } from 'zod';
import {
  createSseClient,
  defineEndpoint,
  fromSse,
  isSseError,
  SseBufferOverflowError,
  SseHttpError,
  SseValidationError,
  toAsyncIterable,
  type SseMessage,
} from '../src/index.js';
import { encodeEvent, openSse, useSseServer, type SeenRequest } from './support/sse-server.js';
import { until } from './support/until.js';

const server = useSseServer();

/** Sends events `1..count` (id and data alike), then `done` when `end` is set, else stays open. */
function numbered(path: string, count: number, end = false): void {
  server.route(path, (_req, res) => {
    openSse(res);
    let chunk = '';
    for (let i = 1; i <= count; i++) chunk += encodeEvent({ id: String(i), data: String(i) });
    if (end) chunk += encodeEvent({ event: 'done', data: '' });
    res.write(chunk);
  });
}

/** The one request made to `path` so far. */
function only(path: string): SeenRequest {
  const requests = server.requestsTo(path);
  expect(requests).toHaveLength(1);
  return requests[0] as SeenRequest;
}

const closed = (path: string) =>
  server.waitFor(() => only(path).closedAt !== undefined, `the server saw ${path} close`);

/** Counts what the source emitted, to know what waits in the buffer. */
function counted<T>(source: Observable<T>): { source: Observable<T>; emitted(): number } {
  let emitted = 0;
  return { source: source.pipe(tap(() => emitted++)), emitted: () => emitted };
}

describe('toAsyncIterable: lazy, one subscription per iterator', () => {
  it('connects on the first next(), not before; each loop has its own connection', async () => {
    numbered('/lazy', 1);
    const iterable = toAsyncIterable(fromSse(`${server.url}/lazy`));
    const first = iterable[Symbol.asyncIterator]();
    const second = iterable[Symbol.asyncIterator]();
    // Give a request every chance to start: none does until next().
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.requests).toHaveLength(0);

    await expect(first.next()).resolves.toMatchObject({ done: false, value: { data: '1' } });
    expect(server.requestsTo('/lazy')).toHaveLength(1);
    await expect(second.next()).resolves.toMatchObject({ done: false, value: { data: '1' } });
    expect(server.requestsTo('/lazy')).toHaveLength(2);

    await Promise.all([first.return?.(), second.return?.()]);
    await server.waitFor(() => server.openResponses() === 0, 'both connections closed');
  });

  it('ends when the source completes and stays done; return() first means no subscription', async () => {
    let subscriptions = 0;
    const source = defer(() => {
      subscriptions++;
      return of('a', 'b');
    });
    const values: string[] = [];
    for await (const value of toAsyncIterable(source)) values.push(value);
    expect(values).toEqual(['a', 'b']);

    const iterator = toAsyncIterable(source)[Symbol.asyncIterator]();
    await expect(iterator.return?.()).resolves.toEqual({ done: true, value: undefined });
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    expect(subscriptions).toBe(1);
  });

  it('concurrent next() calls are answered in order', async () => {
    const iterator = toAsyncIterable(of(1, 2, 3))[Symbol.asyncIterator]();
    const results = await Promise.all([
      iterator.next(),
      iterator.next(),
      iterator.next(),
      iterator.next(),
    ]);
    expect(results).toEqual([
      { done: false, value: 1 },
      { done: false, value: 2 },
      { done: false, value: 3 },
      { done: true, value: undefined },
    ]);
  });

  it('rejects a bufferSize below 1', () => {
    for (const bufferSize of [0, -1, Number.NaN]) {
      expect(() => toAsyncIterable(of(1), { bufferSize })).toThrow(RangeError);
    }
  });
});

describe('toAsyncIterable: order under a slow loop body', () => {
  it('delivers every event once, in order, while the body stalls until all have arrived', async () => {
    numbered('/slow', 2000, true);
    const { source, emitted } = counted(fromSse(`${server.url}/slow`, { completeOn: 'done' }));
    const ids: string[] = [];
    for await (const message of toAsyncIterable(source)) {
      if (message.event === 'done') continue;
      ids.push(message.data);
      // The first step of the body takes until the whole stream (2,001 events) has arrived: the
      // rest waits in the buffer. Later steps yield a macrotask each, slower than the stream.
      if (ids.length === 1) await until(() => emitted() === 2001, 'every event emitted');
      else await new Promise((resolve) => setImmediate(resolve));
    }
    expect(ids).toEqual(Array.from({ length: 2000 }, (_, i) => String(i + 1)));
    await closed('/slow'); // completeOn: the stream completed and closed its connection
  });

  it('the default bufferSize holds a burst of 10,000 events behind a stalled body', async () => {
    numbered('/burst', 10_000, true);
    const { source, emitted } = counted(fromSse(`${server.url}/burst`, { completeOn: 'done' }));
    let count = 0;
    for await (const message of toAsyncIterable(source)) {
      if (message.event === 'done') continue;
      // The first event goes straight to the waiting loop; while its body stalls, the other
      // 9,999 events and `done` arrive: 10,000 wait, none is lost.
      if (++count === 1) await until(() => emitted() === 10_001, 'every event emitted');
    }
    expect(count).toBe(10_000);
  });
});

describe('toAsyncIterable: leaving the loop closes the connection', () => {
  // A `for await` exited with break must cancel the response it reads, as whatwg-node had to fix:
  // https://github.com/ardatan/whatwg-node/pull/2643
  it('break', async () => {
    numbered('/break', 5);
    const seen: string[] = [];
    for await (const message of toAsyncIterable(fromSse(`${server.url}/break`))) {
      seen.push(message.data);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['1', '2']);
    await closed('/break');
  });

  it('return from the enclosing function', async () => {
    numbered('/return', 5);
    const firstEven = async (): Promise<string | undefined> => {
      for await (const message of toAsyncIterable(fromSse(`${server.url}/return`))) {
        if (Number(message.data) % 2 === 0) return message.data;
      }
      return undefined;
    };
    await expect(firstEven()).resolves.toBe('2');
    await closed('/return');
  });

  it('a throw in the loop body', async () => {
    numbered('/throw', 5);
    const failure = new Error('the body failed');
    const consume = async (): Promise<void> => {
      for await (const message of toAsyncIterable(fromSse(`${server.url}/throw`))) {
        if (message.data === '3') throw failure;
      }
    };
    await expect(consume()).rejects.toBe(failure);
    await closed('/throw');
  });

  it('throw() from a generator delegating with yield*: the socket closes, the error passes on', async () => {
    numbered('/delegated', 5);
    async function* answer(): AsyncGenerator<SseMessage> {
      yield* toAsyncIterable(fromSse(`${server.url}/delegated`));
    }
    const generator = answer();
    await expect(generator.next()).resolves.toMatchObject({ value: { data: '1' } });
    const failure = new Error('cancelled by the caller');
    await expect(generator.throw(failure)).rejects.toBe(failure);
    await closed('/delegated');
  });

  it('aborting the signal while the loop waits ends it normally', async () => {
    numbered('/abort', 2); // then stays open: the loop waits for a third event
    const controller = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const message of toAsyncIterable(fromSse(`${server.url}/abort`), {
        signal: controller.signal,
      })) {
        seen.push(message.data);
      }
      return 'ended';
    })();
    await until(() => seen.length === 2, 'two events');
    controller.abort();
    await expect(loop).resolves.toBe('ended');
    expect(seen).toEqual(['1', '2']);
    await closed('/abort');
  });

  it('aborting while events wait discards them and ends at the next step', async () => {
    numbered('/abort-buffered', 10);
    const controller = new AbortController();
    const { source, emitted } = counted(fromSse(`${server.url}/abort-buffered`));
    const seen: string[] = [];
    for await (const message of toAsyncIterable(source, { signal: controller.signal })) {
      seen.push(message.data);
      await until(() => emitted() === 10, 'ten events emitted');
      controller.abort();
    }
    expect(seen).toEqual(['1']);
    await closed('/abort-buffered');
  });

  it('an already-aborted signal ends the loop without connecting', async () => {
    numbered('/aborted', 1);
    const seen: SseMessage[] = [];
    for await (const message of toAsyncIterable(fromSse(`${server.url}/aborted`), {
      signal: AbortSignal.abort(),
    })) {
      seen.push(message);
    }
    expect(seen).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.requestsTo('/aborted')).toHaveLength(0);
  });
});

describe('toAsyncIterable: errors are thrown as the stream’s typed error, after earlier events', () => {
  it('HTTP 404 on the reconnect: SseHttpError with status 404, after the two events', async () => {
    let attempt = 0;
    server.route('/gone', (_req, res) => {
      if (++attempt > 1) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('gone');
        return;
      }
      openSse(res);
      res.end(encodeEvent({ id: '1', data: 'one' }) + encodeEvent({ id: '2', data: 'two' }));
    });
    let delivered: unknown;
    const source = fromSse(`${server.url}/gone`, {
      retry: { initialDelay: 1, jitter: 'none' },
    }).pipe(tap({ error: (error: unknown) => (delivered = error) }));
    const seen: string[] = [];
    let thrown: unknown;
    try {
      for await (const message of toAsyncIterable(source)) seen.push(message.data);
    } catch (error) {
      thrown = error;
    }
    expect(seen).toEqual(['one', 'two']);
    expect(thrown).toBeInstanceOf(SseHttpError);
    expect(isSseError(thrown, 'http') && thrown.status).toBe(404);
    expect(thrown).toBe(delivered); // the very object the Observable delivered
    expect(server.requestsTo('/gone')).toHaveLength(2);
  });

  it('HTTP 404 at once: thrown by the first step', async () => {
    const loop = async (): Promise<SseMessage[]> => {
      const seen: SseMessage[] = [];
      for await (const message of toAsyncIterable(fromSse(`${server.url}/no-such-route`)))
        seen.push(message);
      return seen;
    };
    await expect(loop()).rejects.toMatchObject({ name: 'SseHttpError', status: 404 });
  });

  it('an invalid payload: SseValidationError after the valid events; the socket closes', async () => {
    server.route('/typed', (_req, res) => {
      openSse(res);
      res.write(encodeEvent({ event: 'count', data: '1' }));
      res.write(encodeEvent({ event: 'count', data: '2' }));
      res.write(encodeEvent({ event: 'count', data: '"three"' }));
    });
    const api = createSseClient({
      baseUrl: server.url,
      endpoints: { typed: defineEndpoint({ path: '/typed', events: { count: z.number() } }) },
    });
    const counts: number[] = [];
    let thrown: unknown;
    try {
      for await (const { data } of toAsyncIterable(api.typed())) counts.push(data);
    } catch (error) {
      thrown = error;
    }
    expect(counts).toEqual([1, 2]);
    expect(thrown).toBeInstanceOf(SseValidationError);
    expect(thrown).toMatchObject({ target: 'data', event: 'count', raw: '"three"' });
    await closed('/typed');
  });

  it('a sync source: its values, then its error once, then done', async () => {
    const failure = new Error('boom');
    const iterator = toAsyncIterable(
      concat(
        of(1, 2),
        throwError(() => failure),
      ),
    )[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: 1 });
    expect(await iterator.next()).toEqual({ done: false, value: 2 });
    await expect(iterator.next()).rejects.toBe(failure);
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });
});

describe('toAsyncIterable: the buffer bound', () => {
  it('a flood past bufferSize closes the socket at once; the loop gets what waited, then the error', async () => {
    numbered('/flood', 1000); // then stays open
    const seen: string[] = [];
    let thrown: unknown;
    try {
      for await (const message of toAsyncIterable(fromSse(`${server.url}/flood`), {
        bufferSize: 5,
      })) {
        seen.push(message.data);
        // The body stalls on its first event until the server sees the connection close: the
        // overflow, not the loop, closed it.
        if (seen.length === 1) await closed('/flood');
      }
    } catch (error) {
      thrown = error;
    }
    // Event 1 went to the waiting loop, 2–6 waited in the buffer, 7 overflowed it.
    expect(seen).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(thrown).toBeInstanceOf(SseBufferOverflowError);
    expect(isSseError(thrown, 'buffer-overflow') && thrown.limit).toBe(5);
  });
});
