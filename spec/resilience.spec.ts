import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import {
  fromSse,
  SseEventTooLargeError,
  SseHttpError,
  type SseConnectionState,
  type SseMessage,
} from '../src/index.js';
import { encodeEvent, openSse, useSseServer } from './support/sse-server.js';

const server = useSseServer();

/** Fast retries for tests: the policy is what is under test, not the wait. */
const fast = { initialDelay: 1, maxDelay: 5 };

/**
 * An event log of `total` events (ids 1…total) that resumes from `last-event-id` and drops the
 * socket abruptly after every `dropEvery` events, in the middle of writing the next one.
 */
function serveLog(path: string, total: number, dropEvery: number, repeatLast = false): void {
  server.route(path, (req, res) => {
    openSse(res);
    const last = Number(req.headers['last-event-id'] ?? 0);
    let id = repeatLast && last > 0 ? last : last + 1;
    let sent = 0;
    while (id <= total && sent < dropEvery) {
      res.write(encodeEvent({ id: String(id), data: `event ${id}` }));
      id++;
      sent++;
    }
    if (id > total) return; // Everything sent: stay open.
    // Half an event, flushed, then a reset: the half must not be delivered.
    res.write(`id: ${id}\ndata: half-writ`, () => res.socket?.destroy());
  });
}

function ids(messages: readonly SseMessage[]): number[] {
  return messages.map((m) => Number(m.id));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('resume: a server that drops the socket every k events', () => {
  it('delivers 500 events exactly once, in order, resuming with last-event-id', async () => {
    serveLog('/log', 500, 37);
    const messages = await lastValueFrom(
      fromSse(`${server.url}/log`, { retry: fast }).pipe(take(500), toArray()),
    );
    expect(ids(messages)).toEqual(range(500));
    const requests = server.requestsTo('/log');
    expect(requests).toHaveLength(Math.ceil(500 / 37));
    expect(requests.map((r) => r.headers['last-event-id'])).toEqual(
      requests.map((_, i) => (i === 0 ? undefined : String(i * 37))),
    );
  });

  it('drops the events a resumed server repeats (dedupe: auto)', async () => {
    serveLog('/repeat', 100, 10, true);
    const messages = await lastValueFrom(
      fromSse(`${server.url}/repeat`, { retry: fast }).pipe(take(100), toArray()),
    );
    expect(ids(messages)).toEqual(range(100));
  });

  it('delivers what the server repeats with dedupe: false', async () => {
    serveLog('/repeat-raw', 30, 10, true);
    const messages = await lastValueFrom(
      fromSse(`${server.url}/repeat-raw`, { retry: fast, dedupe: false }).pipe(take(33), toArray()),
    );
    const span = (from: number, to: number): number[] => range(to).slice(from - 1);
    expect(ids(messages)).toEqual([
      ...span(1, 10),
      ...span(10, 19),
      ...span(19, 28),
      ...span(28, 30),
    ]);
  });

  it('keeps deduplicating after an empty id: (a reset is not a new event)', async () => {
    let connection = 0;
    server.route('/reset-id', (_req, res) => {
      openSse(res);
      if (connection++ === 0) {
        res.end(
          encodeEvent({ id: '1', data: 'a' }) +
            'id:\ndata: no id\n\n' +
            encodeEvent({ id: '2', data: 'b' }),
        );
      } else {
        res.write(encodeEvent({ id: '2', data: 'b' }) + encodeEvent({ id: '3', data: 'c' }));
      }
    });
    const messages = await lastValueFrom(
      fromSse(`${server.url}/reset-id`, { retry: fast }).pipe(take(4), toArray()),
    );
    expect(messages.map((m) => m.data)).toEqual(['a', 'no id', 'b', 'c']);
  });

  it('reconnects after a clean close by the server, with the last id', async () => {
    let connection = 0;
    server.route('/clean', (req, res) => {
      openSse(res);
      connection++;
      if (connection === 1) res.end(encodeEvent({ id: 'a', data: 'first' }) + 'id: b\n\n');
      else
        res.write(
          encodeEvent({ id: 'c', data: `resumed from ${String(req.headers['last-event-id'])}` }),
        );
    });
    const messages = await lastValueFrom(
      fromSse(`${server.url}/clean`, { retry: fast }).pipe(take(2), toArray()),
    );
    // The id-only block moved the last event ID to "b" without being a message.
    expect(messages.map((m) => m.data)).toEqual(['first', 'resumed from b']);
  });

  it('ends a finite stream on completeOn without reconnecting', async () => {
    server.route('/finite', (_req, res) => {
      openSse(res);
      res.write(encodeEvent({ event: 'token', data: 'a' }));
      res.write(encodeEvent({ event: 'done', data: '' }));
      res.write(encodeEvent({ event: 'token', data: 'after done' }));
    });
    const messages = await lastValueFrom(
      fromSse(`${server.url}/finite`, { completeOn: 'done' }).pipe(toArray()),
    );
    expect(messages.map((m) => m.event)).toEqual(['token', 'done']);
    expect(server.requestsTo('/finite')).toHaveLength(1);
  });
});

describe('status policy', () => {
  function statuses(path: string, codes: number[], headers: Record<string, string> = {}): void {
    let i = 0;
    server.route(path, (_req, res) => {
      const code = codes[Math.min(i++, codes.length - 1)] ?? 200;
      if (code === 200) {
        openSse(res);
        res.write(encodeEvent({ id: String(i), data: 'ok' }));
      } else {
        res.writeHead(code, headers).end();
      }
    });
  }

  it('retries 503 twice, then streams', async () => {
    statuses('/flaky', [503, 503, 200]);
    const states: SseConnectionState[] = [];
    const message = await firstValueFrom(
      fromSse(`${server.url}/flaky`, { retry: fast, state: (s) => states.push(s) }),
    );
    expect(message.data).toBe('ok');
    expect(server.requestsTo('/flaky')).toHaveLength(3);
    expect(states.map((s) => s.status)).toEqual([
      'connecting',
      'reconnecting',
      'connecting',
      'reconnecting',
      'connecting',
      'open',
      'closed',
    ]);
    const reconnecting = states.filter((s) => s.status === 'reconnecting');
    expect(reconnecting.map((s) => s.attempt)).toEqual([1, 2]);
    expect(reconnecting.every((s) => s.error instanceof SseHttpError)).toBe(true);
  });

  it('waits at least Retry-After (seconds) on a 429', async () => {
    statuses('/limited', [429, 200], { 'retry-after': '1' });
    const states: SseConnectionState[] = [];
    await firstValueFrom(
      fromSse(`${server.url}/limited`, { retry: fast, state: (s) => states.push(s) }),
    );
    const [first, second] = server.requestsTo('/limited');
    expect(states.find((s) => s.status === 'reconnecting')).toMatchObject({ delay: 1000 });
    expect((second?.at ?? 0) - (first?.at ?? Infinity)).toBeGreaterThanOrEqual(1000);
  });

  it('takes the server retry: field as the floor of the next delay', async () => {
    let i = 0;
    server.route('/retry-field', (_req, res) => {
      openSse(res);
      if (i++ === 0) res.end('retry: 300\n' + encodeEvent({ id: '1', data: 'x' }));
      else res.write(encodeEvent({ id: '2', data: 'y' }));
    });
    const states: SseConnectionState[] = [];
    await lastValueFrom(
      fromSse(`${server.url}/retry-field`, { retry: fast, state: (s) => states.push(s) }).pipe(
        take(2),
      ),
    );
    expect(states.find((s) => s.status === 'reconnecting')).toMatchObject({ delay: 300 });
  });

  it('completes on 204 after one request', async () => {
    statuses('/gone-for-good', [204]);
    const messages = await lastValueFrom(fromSse(`${server.url}/gone-for-good`).pipe(toArray()));
    expect(messages).toEqual([]);
    expect(server.requestsTo('/gone-for-good')).toHaveLength(1);
  });

  it.each([400, 404, 405, 410, 422])('fails on %i after one request', async (code) => {
    statuses('/fatal', [code]);
    const error = await firstValueFrom(fromSse(`${server.url}/fatal`)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'http', status: code });
    expect(server.requestsTo('/fatal')).toHaveLength(1);
  });

  it('fails on a wrong content type after one request', async () => {
    server.route('/html', (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end());
    const error = await firstValueFrom(fromSse(`${server.url}/html`)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'content-type' });
    expect(server.requestsTo('/html')).toHaveLength(1);
  });

  it('401 with no onUnauthorized hook: fatal, one request', async () => {
    statuses('/private', [401]);
    const error = await firstValueFrom(fromSse(`${server.url}/private`)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'http', status: 401 });
    expect(server.requestsTo('/private')).toHaveLength(1);
  });
});

describe('auth: token refresh', () => {
  it('401 → onUnauthorized → the headers function is called again → success', async () => {
    let valid = 'fresh';
    server.route('/me', (req, res) => {
      if (req.headers.authorization !== `Bearer ${valid}`) return void res.writeHead(401).end();
      openSse(res);
      res.write(encodeEvent({ data: 'welcome' }));
    });
    let cached = 'stale';
    const refreshed: number[] = [];
    const message = await firstValueFrom(
      fromSse(`${server.url}/me`, {
        retry: false,
        headers: () => ({ authorization: `Bearer ${cached}` }),
        onUnauthorized: async (error) => {
          refreshed.push(error.status);
          cached = valid;
        },
      }),
    );
    expect(message.data).toBe('welcome');
    expect(refreshed).toEqual([401]);
    expect(server.requestsTo('/me').map((r) => r.headers.authorization)).toEqual([
      'Bearer stale',
      'Bearer fresh',
    ]);
    valid = '';
  });

  it('401 → onUnauthorized → 401 again: fatal, two requests in total', async () => {
    server.route('/never', (_req, res) => res.writeHead(401).end());
    let hooks = 0;
    const error = await firstValueFrom(
      fromSse(`${server.url}/never`, {
        retry: fast,
        onUnauthorized: () => {
          hooks++;
        },
      }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'http', status: 401 });
    expect(hooks).toBe(1);
    expect(server.requestsTo('/never')).toHaveLength(2);
  });

  it('token rotation: the server accepts only the newest token, the stream continues', async () => {
    let current = 1;
    let next = 1;
    server.route('/rotating', (req, res) => {
      if (req.headers.authorization !== `Bearer t${current}`) return void res.writeHead(401).end();
      openSse(res);
      const last = Number(req.headers['last-event-id'] ?? 0);
      for (let id = last + 1; id <= last + 3; id++)
        res.write(encodeEvent({ id: String(id), data: 'x' }));
      current++; // Rotate: the token just used is no longer accepted…
      res.end(); // …and this connection ends (e.g. its session expired).
    });
    let calls = 0;
    const messages = await lastValueFrom(
      fromSse(`${server.url}/rotating`, {
        retry: fast,
        headers: () => {
          calls++;
          return { authorization: `Bearer t${next}` };
        },
        onUnauthorized: () => {
          next = current;
        },
      }).pipe(take(9), toArray()),
    );
    expect(ids(messages)).toEqual(range(9));
    // Each rotation costs one 401 and one refresh; the headers function ran for every attempt.
    expect(server.requestsTo('/rotating').map((r) => r.headers.authorization)).toEqual([
      'Bearer t1',
      'Bearer t1',
      'Bearer t2',
      'Bearer t2',
      'Bearer t3',
    ]);
    expect(calls).toBe(5);
  });
});

describe('requests fetch would always refuse are fatal, not retried', () => {
  it('a relative URL outside a page', async () => {
    const error = await firstValueFrom(fromSse('/relative/feed')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('invalid URL /relative/feed');
  });

  it('a URL with credentials, without showing them', async () => {
    const error = await firstValueFrom(
      fromSse(`http://user:hunter2-secret@127.0.0.1:1/feed`),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('includes credentials');
    expect((error as Error).message).not.toContain('hunter2-secret');
  });
});

describe('openWhenHidden, the fetch-event-source name for the same switch', () => {
  it('contradicting pauseWhenHidden is a TypeError before any request', async () => {
    const states: SseConnectionState[] = [];
    const error = await firstValueFrom(
      fromSse(`${server.url}/never`, {
        openWhenHidden: false,
        pauseWhenHidden: false,
        state: (s) => states.push(s),
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain(
      'pauseWhenHidden: false contradicts openWhenHidden: false',
    );
    expect(states).toEqual([{ status: 'closed', error }]);
    expect(server.requestsTo('/never')).toHaveLength(0);
  });

  it('agreeing with it, or alone, it streams (there is no page to hide in Node)', async () => {
    server.route('/visible', (_req, res) => {
      openSse(res);
      res.write(encodeEvent({ data: 'hello' }));
    });
    for (const options of [
      { openWhenHidden: true },
      { openWhenHidden: false },
      { openWhenHidden: true, pauseWhenHidden: false },
    ]) {
      const message = await firstValueFrom(fromSse(`${server.url}/visible`, options));
      expect(message.data).toBe('hello');
    }
  });
});

describe('dead connections and hostile servers', () => {
  it('the idle watchdog aborts a stalled stream and resumes from the last id', async () => {
    let connection = 0;
    server.route('/stall', (req, res) => {
      openSse(res);
      if (connection++ === 0) res.write(encodeEvent({ id: '1', data: 'then silence' }));
      else
        res.write(encodeEvent({ id: '2', data: `after ${String(req.headers['last-event-id'])}` }));
    });
    const states: SseConnectionState[] = [];
    const messages = await lastValueFrom(
      fromSse(`${server.url}/stall`, {
        retry: fast,
        idleTimeout: 150,
        state: (s) => states.push(s),
      }).pipe(take(2), toArray()),
    );
    expect(messages.map((m) => m.data)).toEqual(['then silence', 'after 1']);
    expect(states.find((s) => s.status === 'reconnecting')).toMatchObject({
      error: { code: 'idle-timeout', timeout: 150 },
    });
  });

  it('heartbeat comments keep an idle stream alive', async () => {
    server.route('/heartbeat', (_req, res) => {
      openSse(res);
      const timer = setInterval(() => res.write(': ping\n'), 40);
      res.on('close', () => clearInterval(timer));
      setTimeout(() => res.write(encodeEvent({ data: 'late but alive' })), 400);
    });
    const message = await firstValueFrom(
      fromSse(`${server.url}/heartbeat`, { retry: false, idleTimeout: 150 }),
    );
    expect(message.data).toBe('late but alive');
  });

  it('an endless line errors with SseEventTooLargeError, memory bounded, socket closed', async () => {
    let written = 0;
    server.route('/endless', (_req, res) => {
      openSse(res);
      const chunk = 'x'.repeat(64 * 1024);
      res.write('data: ');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const heapBefore = process.memoryUsage().heapUsed;
    const error = await firstValueFrom(
      fromSse(`${server.url}/endless`, { maxEventSize: 1024 * 1024 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SseEventTooLargeError);
    expect(error).toMatchObject({ limit: 1024 * 1024 });
    await server.waitFor(() => server.openResponses() === 0, 'the close');
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);
    expect(server.requestsTo('/endless')).toHaveLength(1);
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('unsubscribing during a backoff wait cancels the pending reconnect', async () => {
    server.route('/down', (_req, res) => res.writeHead(503).end());
    let unsubscribed!: () => void;
    const done = new Promise<void>((resolve) => (unsubscribed = resolve));
    const subscription = fromSse(`${server.url}/down`, {
      retry: { initialDelay: 100, maxDelay: 100, jitter: 'none' },
      state: (state) => {
        if (state.status !== 'reconnecting') return;
        queueMicrotask(() => {
          subscription.unsubscribe();
          unsubscribed();
        });
      },
    }).subscribe();
    await done;
    // Proving an absence takes waiting: twice the delay that was cancelled.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.requestsTo('/down')).toHaveLength(1);
  });
});
