import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { z } from 'zod';
import {
  createSseClient,
  defineEndpoint,
  fromSse,
  type SseConnectionState,
  type SseMessage,
} from '../../src/index.js';
import { createMockSseFetch, encodeSseEvent } from '../../src/testing/index.js';

const endpoints = {
  room: defineEndpoint({
    path: '/rooms/:id',
    events: { message: z.object({ text: z.string() }), presence: z.number() },
  }),
};

describe('createMockSseFetch', () => {
  it('drives a typed endpoint: request, events, teardown', async () => {
    const mock = createMockSseFetch();
    const api = createSseClient({
      baseUrl: 'https://chat.test',
      headers: { authorization: 'Bearer abc' },
      fetch: mock.fetch,
      endpoints,
    });
    const received = lastValueFrom(api.room({ params: { id: 7 } }).pipe(take(2), toArray()));
    const connection = await mock.connection();
    expect(connection.request).toMatchObject({
      url: 'https://chat.test/rooms/7',
      method: 'GET',
      headers: { authorization: 'Bearer abc', accept: 'text/event-stream' },
    });
    await connection.send({ event: 'presence', data: 3 });
    await connection.comment('keepalive');
    await connection.send({ data: { text: 'hi' }, id: '1' });
    expect((await received).map((e) => e.data)).toEqual([3, { text: 'hi' }]);
    expect(connection.aborted).toBe(true);
    await expect(connection.done).resolves.toBe('aborted');
  });

  it('resolves send() once the client has dispatched the event', async () => {
    const mock = createMockSseFetch();
    const seen: string[] = [];
    const subscription = fromSse('https://x.test/feed', { fetch: mock.fetch }).subscribe((m) =>
      seen.push(m.data),
    );
    const connection = await mock.connection();
    await connection.send({ data: 'one' });
    expect(seen).toEqual(['one']);
    await connection.write('data: two\n');
    expect(seen).toEqual(['one']);
    await connection.write('\n');
    expect(seen).toEqual(['one', 'two']);
    subscription.unsubscribe();
    expect(await connection.done).toBe('aborted');
  });

  it('scripts statuses: 401 is a typed error, 204 completes', async () => {
    const mock = createMockSseFetch();
    mock.respondWith({ status: 401, body: 'who are you?' }, { status: 204 });
    const error = await firstValueFrom(fromSse('https://x.test/a', { fetch: mock.fetch })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'http', status: 401, body: 'who are you?' });
    const none = await lastValueFrom(
      fromSse('https://x.test/b', { fetch: mock.fetch }).pipe(toArray()),
    );
    expect(none).toEqual([]);
    expect(mock.requests.map((r) => r.url)).toEqual(['https://x.test/a', 'https://x.test/b']);
    expect(mock.connections).toHaveLength(0);
  });

  it('answers per request with the respond option', async () => {
    const mock = createMockSseFetch({
      respond: (request) =>
        request.headers.authorization === 'Bearer good' ? undefined : { status: 403 },
    });
    const denied = await firstValueFrom(fromSse('https://x.test', { fetch: mock.fetch })).catch(
      (e: unknown) => e,
    );
    expect(denied).toMatchObject({ status: 403 });
    const ok = firstValueFrom(
      fromSse('https://x.test', { fetch: mock.fetch, headers: { authorization: 'Bearer good' } }),
    );
    await (await mock.connection()).send({ data: 'in' });
    expect((await ok).data).toBe('in');
  });

  it('drops and closes connections; the client resumes with last-event-id', async () => {
    const mock = createMockSseFetch();
    const states: SseConnectionState['status'][] = [];
    const messages = lastValueFrom(
      fromSse('https://x.test/log', {
        fetch: mock.fetch,
        retry: { initialDelay: 1, maxDelay: 1 },
        state: (s) => states.push(s.status),
      }).pipe(take(3), toArray()),
    );
    const first = await mock.connection();
    await first.send({ id: '1', data: 'a' });
    first.drop();
    const second = await mock.connection();
    expect(second.request.headers['last-event-id']).toBe('1');
    await second.send({ id: '2', data: 'b' });
    second.close();
    const third = await mock.connection();
    expect(third.request.headers['last-event-id']).toBe('2');
    await third.send({ id: '3', data: 'c' });
    expect((await messages).map((m: SseMessage) => m.data)).toEqual(['a', 'b', 'c']);
    expect(states.filter((s) => s === 'reconnecting')).toHaveLength(2);
    expect(mock.openConnections()).toHaveLength(0);
  });

  it('hands out a connection once the client has opened it (state already open)', async () => {
    // So that a UI test sees the "open" state right after `await mock.connection()` (in React,
    // inside act()), instead of an update arriving after it.
    const mock = createMockSseFetch();
    const states: string[] = [];
    const subscription = fromSse('https://x.test/feed', {
      fetch: mock.fetch,
      state: (state) => states.push(state.status),
    }).subscribe();
    await mock.connection();
    expect(states).toEqual(['connecting', 'open']);
    subscription.unsubscribe();
  });

  it('still hands out a connection the client aborted before reading it', async () => {
    const mock = createMockSseFetch();
    const controller = new AbortController();
    const pending = mock.fetch('https://x.test/feed', { signal: controller.signal });
    await pending; // the response, never read
    controller.abort();
    const connection = await mock.connection();
    expect(connection.aborted).toBe(true);
  });

  describe('with Jest fake timers', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('controls the backoff: no reconnect before the delay, one after', async () => {
      const mock = createMockSseFetch();
      const subscription = fromSse('https://x.test/feed', {
        fetch: mock.fetch,
        retry: { initialDelay: 5000, maxDelay: 5000, jitter: 'none' },
      }).subscribe();
      const first = await mock.connection();
      first.drop();
      await jest.advanceTimersByTimeAsync(4999);
      expect(mock.connections).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(mock.connections).toHaveLength(2);
      subscription.unsubscribe();
    });

    it('fires the idle watchdog on virtual time', async () => {
      const mock = createMockSseFetch();
      const error = firstValueFrom(
        fromSse('https://x.test/feed', { fetch: mock.fetch, retry: false, idleTimeout: 30_000 }),
      ).catch((e: unknown) => e);
      await mock.connection();
      await jest.advanceTimersByTimeAsync(30_000);
      expect(await error).toMatchObject({ code: 'idle-timeout' });
    });
  });
});

describe('encodeSseEvent', () => {
  it('encodes fields and splits multi-line data', () => {
    expect(encodeSseEvent({ event: 'e', id: '1', retry: 10, data: 'a\nb' })).toBe(
      'event: e\nid: 1\nretry: 10\ndata: a\ndata: b\n\n',
    );
    expect(encodeSseEvent({ data: { n: 1 } })).toBe('data: {"n":1}\n\n');
  });
});
