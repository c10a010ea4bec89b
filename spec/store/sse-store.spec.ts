import { defer, Subject } from 'rxjs';
import { createSseStore, fromSse, idleSnapshot } from '../../src/index.js';
import { createMockSseFetch } from '../../src/testing/index.js';
import { encodeEvent, openSse, startServer, type SseServer } from '../support/sse-server.js';

describe('createSseStore', () => {
  it('connects on the first listener only, and reports states and data', async () => {
    const mock = createMockSseFetch();
    let subscriptions = 0;
    const store = createSseStore((state) =>
      defer(() => {
        subscriptions++;
        return fromSse('https://x.test/online', { fetch: mock.fetch, state });
      }),
    );
    expect(store.getSnapshot()).toBe(idleSnapshot());
    expect(subscriptions).toBe(0);
    expect(mock.requests).toHaveLength(0);

    const seen: string[] = [];
    const stop = store.subscribe(() => seen.push(store.getSnapshot().state.status));
    expect(subscriptions).toBe(1); // the first listener subscribes at once
    const connection = await mock.connection();
    await connection.send({ event: 'count', data: '5' });
    const snapshot = store.getSnapshot();
    expect(snapshot).toMatchObject({
      data: '5',
      event: { event: 'count', data: '5' },
      error: undefined,
    });
    expect(snapshot.state.status).toBe('open');
    expect(store.getSnapshot()).toBe(snapshot); // stable until something changes
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(seen).toContain('connecting');
    stop();
    await connection.done;
  });

  it('survives an immediate unsubscribe/subscribe (StrictMode) with one connection', async () => {
    const mock = createMockSseFetch();
    const store = createSseStore((state) =>
      fromSse('https://x.test/s', { fetch: mock.fetch, state }),
    );
    const stopFirst = store.subscribe(() => undefined);
    stopFirst();
    const stop = store.subscribe(() => undefined);
    const connection = await mock.connection();
    await connection.send({ data: 'x' });
    expect(mock.connections).toHaveLength(1);
    expect(connection.closed).toBe(false);
    stop();
    expect(await connection.done).toBe('aborted');
  });

  it('derives states for plain observables and keeps the error', () => {
    const source = new Subject<number>();
    const store = createSseStore(source);
    const stop = store.subscribe(() => undefined);
    expect(store.getSnapshot().state.status).toBe('connecting');
    source.next(42);
    expect(store.getSnapshot()).toMatchObject({ data: 42, event: 42, state: { status: 'open' } });
    const boom = new Error('boom');
    source.error(boom);
    expect(store.getSnapshot()).toMatchObject({
      error: boom,
      state: { status: 'closed', error: boom },
    });
    stop();
  });

  describe('against a real server', () => {
    let server: SseServer;
    beforeAll(async () => {
      server = await startServer();
      server.route('/feed', (_req, res) => {
        openSse(res);
        res.write(encodeEvent({ data: 'hello' }));
      });
    });
    afterAll(() => server.close());

    it('closes the socket when the last listener leaves (after the grace period)', async () => {
      const gracePeriod = 200;
      const store = createSseStore((state) => fromSse(`${server.url}/feed`, { state }), {
        gracePeriod,
      });
      const a = store.subscribe(() => undefined);
      const b = store.subscribe(() => undefined);
      await server.waitFor(() => server.openResponses() === 1, 'the connection');
      const [request] = server.requestsTo('/feed');
      a();
      const leftAt = Date.now();
      b();
      await server.waitFor(() => server.openResponses() === 0, 'the close');
      // Not before the grace period (less a millisecond or so: timers may fire early).
      expect((request?.closedAt ?? 0) - leftAt).toBeGreaterThanOrEqual(gracePeriod - 5);
      expect(server.requestsTo('/feed')).toHaveLength(1);
    });
  });
});
