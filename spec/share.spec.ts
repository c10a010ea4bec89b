import { firstValueFrom, lastValueFrom, ReplaySubject, take, toArray } from 'rxjs';
import { z } from 'zod';
import {
  createSseClient,
  defineEndpoint,
  fromSse,
  shareSse,
  type SseConnectionState,
  type SseMessage,
} from '../src/index.js';
import { createMockSseFetch } from '../src/testing/index.js';
import { encodeEvent, openSse, useSseServer } from './support/sse-server.js';
import { until } from './support/until.js';

const server = useSseServer();

function online(path: string): void {
  server.route(path, (_req, res) => {
    openSse(res);
    res.write(encodeEvent({ event: 'count', data: '3' }));
  });
}

describe('shareSse', () => {
  it('shares one connection; the last unsubscribe closes it after the grace period', async () => {
    online('/online');
    const gracePeriod = 200;
    const shared = fromSse(`${server.url}/online`).pipe(shareSse({ gracePeriod }));
    const seenByA = new ReplaySubject<SseMessage>();
    const a = shared.subscribe(seenByA);
    const b = shared.subscribe();
    expect((await firstValueFrom(seenByA)).data).toBe('3');
    expect(server.requestsTo('/online')).toHaveLength(1);
    const [request] = server.requestsTo('/online');
    a.unsubscribe();
    b.unsubscribe();
    // Within the grace period: c reuses the connection and receives what the server sends on it.
    const seen = new ReplaySubject<SseMessage>();
    const c = shared.subscribe(seen);
    request?.res.write(encodeEvent({ event: 'count', data: '4' }));
    expect((await firstValueFrom(seen)).data).toBe('4');
    expect(server.requestsTo('/online')).toHaveLength(1);
    const leftAt = Date.now();
    c.unsubscribe();
    await server.waitFor(() => server.openResponses() === 0, 'the close after the grace period');
    // Timers may fire a millisecond early against Date.now(): a small tolerance.
    expect((request?.closedAt ?? 0) - leftAt).toBeGreaterThanOrEqual(gracePeriod - 5);
    expect(server.requestsTo('/online')).toHaveLength(1);
  });

  it('replays the latest event to late subscribers', async () => {
    online('/replay');
    const shared = fromSse(`${server.url}/replay`).pipe(shareSse({ replay: 1, gracePeriod: 0 }));
    const keep = shared.subscribe();
    await firstValueFrom(shared);
    const late = await firstValueFrom(shared);
    expect(late.data).toBe('3');
    keep.unsubscribe();
    expect(server.requestsTo('/replay')).toHaveLength(1);
  });
});

describe('endpoint share option', () => {
  const endpoints = {
    online: defineEndpoint({
      path: '/rooms/:room/online',
      events: { count: z.coerce.number() },
      share: { replay: 1, gracePeriod: 0 },
    }),
  };

  it('calls with equal arguments share one connection; other arguments get their own', async () => {
    online('/rooms/1/online');
    online('/rooms/2/online');
    const api = createSseClient({ baseUrl: server.url, endpoints });
    const [a, b, c] = await Promise.all([
      firstValueFrom(api.online({ params: { room: 1 } })),
      firstValueFrom(api.online({ params: { room: '1' } })),
      firstValueFrom(api.online({ params: { room: 2 } })),
    ]);
    expect([a.data, b.data, c.data]).toEqual([3, 3, 3]);
    expect(server.requestsTo('/rooms/1/online')).toHaveLength(1);
    expect(server.requestsTo('/rooms/2/online')).toHaveLength(1);
  });

  it('reports the shared connection state to every caller, and each signal ends only its caller', async () => {
    const mock = createMockSseFetch();
    const api = createSseClient({ baseUrl: 'https://x.test', fetch: mock.fetch, endpoints });
    const statesA: SseConnectionState['status'][] = [];
    const statesB: SseConnectionState['status'][] = [];
    const leaveA = new AbortController();
    const a = lastValueFrom(
      api
        .online({
          params: { room: 1 },
          state: (s) => statesA.push(s.status),
          signal: leaveA.signal,
        })
        .pipe(toArray()),
    );
    const b = lastValueFrom(
      api
        .online({ params: { room: 1 }, state: (s) => statesB.push(s.status) })
        .pipe(take(2), toArray()),
    );
    const connection = await mock.connection();
    await connection.send({ event: 'count', data: 1 });
    leaveA.abort();
    await connection.send({ event: 'count', data: 2 });
    expect((await a).map((e) => e.data)).toEqual([1]);
    expect((await b).map((e) => e.data)).toEqual([1, 2]);
    expect(mock.connections).toHaveLength(1);
    // Each caller's view ends with `closed` when it leaves, while the connection serves the other.
    expect(statesA).toEqual(['connecting', 'open', 'closed']);
    expect(statesB).toEqual(['connecting', 'open', 'closed']);
    expect(await connection.done).toBe('aborted');
  });
});

describe('share: { crossTab: true } without Web Locks (Node)', () => {
  it('falls back to sharing within the process: equal calls share, a different key does not', async () => {
    // Node 20 has BroadcastChannel but no navigator.locks: the fallback, with no error.
    expect((globalThis as { navigator?: { locks?: unknown } }).navigator?.locks).toBeUndefined();
    online('/rooms/1/online');
    const session = { user: 'ada' };
    const api = createSseClient({
      baseUrl: server.url,
      endpoints: {
        online: defineEndpoint({
          path: '/rooms/:room/online',
          events: { count: z.coerce.number() },
          share: { replay: 1, gracePeriod: 0, crossTab: true, key: () => session.user },
        }),
      },
    });
    const counts: string[] = [];
    const watch = (user: string) => {
      session.user = user;
      return api
        .online({ params: { room: 1 } })
        .subscribe(({ data }) => counts.push(`${user}: ${data}`));
    };
    const ada = watch('ada');
    await until(() => counts.length === 1, 'ada');
    const ada2 = watch('ada');
    await until(() => counts.length === 2, 'ada again');
    const bob = watch('bob');
    await until(() => counts.length === 3, 'bob');
    expect(counts).toEqual(['ada: 3', 'ada: 3', 'bob: 3']);
    for (const subscription of [ada, ada2, bob]) subscription.unsubscribe();
    expect(server.requestsTo('/rooms/1/online')).toHaveLength(2);
  });
});

describe('connectionBudget', () => {
  const rooms = defineEndpoint({
    path: '/budget/:room',
    events: { count: z.coerce.number() },
    share: { gracePeriod: 60_000 },
    retry: false, // a connection the test ends stays ended
  });

  it('closes the connections kept open only by their grace period, oldest first, when a new one would exceed it', async () => {
    for (const room of ['r1', 'r2', 'r3', 'r4']) online(`/budget/${room}`);
    const api = createSseClient({ baseUrl: server.url, connectionBudget: 2, endpoints: { rooms } });
    const look = (room: string) => firstValueFrom(api.rooms({ params: { room } }));
    await look('r1'); // subscribed, then left: lingering for 60 s
    await look('r2');
    const r = (room: string) => server.requestsTo(`/budget/${room}`)[0];
    expect([r('r1')?.closedAt, r('r2')?.closedAt]).toEqual([undefined, undefined]);

    await look('r3'); // r1 (idle longest) goes
    await server.waitFor(() => r('r1')?.closedAt !== undefined, 'r1 evicted');
    expect(r('r2')?.closedAt).toBeUndefined();

    // A connection somebody is subscribed to is never closed for the budget.
    const watching = api.rooms({ params: { room: 'r2' } }).subscribe();
    const r4 = api.rooms({ params: { room: 'r4' } }).subscribe();
    await server.waitFor(() => r('r3')?.closedAt !== undefined, 'r3 evicted');
    await server.waitFor(() => r('r4') !== undefined, 'r4 connected');
    expect(r('r2')?.closedAt).toBeUndefined();
    expect(server.requestsTo('/budget/r2')).toHaveLength(1);
    watching.unsubscribe();
    r4.unsubscribe();
    // Evicted: subscribing again connects anew.
    await look('r1');
    expect(server.requestsTo('/budget/r1')).toHaveLength(2);
    // Tidy up: end the connections still lingering.
    for (const room of ['r1', 'r2', 'r4']) {
      const [request] = server.requestsTo(`/budget/${room}`).slice(-1);
      request?.res.destroy();
    }
  });

  it('has no limit in Node by default', async () => {
    for (const room of ['n1', 'n2', 'n3', 'n4', 'n5', 'n6']) online(`/budget/${room}`);
    const api = createSseClient({ baseUrl: server.url, endpoints: { rooms } });
    for (const room of ['n1', 'n2', 'n3', 'n4', 'n5', 'n6']) {
      await firstValueFrom(api.rooms({ params: { room } }));
    }
    const open = server.requests.filter((request) => request.closedAt === undefined);
    expect(open).toHaveLength(6);
    for (const request of open) request.res.destroy();
  });
});
