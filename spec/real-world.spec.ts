/**
 * The defaults against the servers, proxies and headers that exist: each describe block is one
 * kind of failure reported in public issue threads of other SSE clients (the thread is named on
 * each test), run against a real server through real fetch with the default options.
 */
import { BehaviorSubject, lastValueFrom, Subject, take, toArray } from 'rxjs';
import { z } from 'zod';
import {
  createSseClient,
  defineEndpoint,
  fromSse,
  isSseError,
  SseContentTypeError,
  type RetryInfo,
  type SseConnectionState,
  type SseMessage,
  type SseWarning,
} from '../src/index.js';
import { extractMimeType } from '../src/transport/content-type.js';
import { settle } from './reliability/support/harness.js';
import { encodeEvent, openSse, useSseServer } from './support/sse-server.js';
import { until } from './support/until.js';

const server = useSseServer();

const datas = (messages: readonly SseMessage[]): string[] => messages.map((m) => m.data);

describe('a request that is not idempotent is never sent twice on its own', () => {
  /** An LLM-style answer: `chunks` events, then `[DONE]`, then the end of the response. */
  function serveAnswer(path: string, chunks = 3): void {
    server.route(path, (_req, res) => {
      openSse(res);
      for (let i = 1; i <= chunks; i++) res.write(encodeEvent({ data: `chunk ${i}` }));
      res.end(encodeEvent({ data: '[DONE]' }));
    });
  }

  // https://github.com/Azure/fetch-event-source/issues/79 and /pull/54: a finished POST answer
  // requested again and again, shown several times.
  it('a POST answer the server ends normally completes after exactly one request', async () => {
    serveAnswer('/answer');
    const states: SseConnectionState[] = [];
    const messages = await lastValueFrom(
      fromSse(`${server.url}/answer`, {
        body: { prompt: 'hi' },
        state: (s) => states.push(s),
      }).pipe(toArray()),
    );
    expect(datas(messages)).toEqual(['chunk 1', 'chunk 2', 'chunk 3', '[DONE]']);
    expect(server.requestsTo('/answer')).toHaveLength(1);
    expect(states.map((s) => s.status)).toEqual(['connecting', 'open', 'closed']);
  });

  it.each(['PUT', 'PATCH', 'DELETE'])('a %s stream is not sent again either', async (method) => {
    serveAnswer(`/answer-${method}`, 1);
    const messages = await lastValueFrom(
      fromSse(`${server.url}/answer-${method}`, { method }).pipe(toArray()),
    );
    expect(datas(messages)).toEqual(['chunk 1', '[DONE]']);
    expect(server.requestsTo(`/answer-${method}`)).toHaveLength(1);
  });

  // https://github.com/Azure/fetch-event-source/pull/54 (a mid-stream drop re-POSTs) and
  // https://github.com/launchdarkly/js-eventsource/issues/37 (a job run twice).
  it('a drop mid-answer errors with SseNetworkError saying why, after one request', async () => {
    server.route('/drop', (_req, res) => {
      openSse(res);
      res.write(encodeEvent({ id: '1', data: 'chunk 1' }), () => res.socket?.destroy());
    });
    const outcome = await settle(
      fromSse(`${server.url}/drop`, { body: { prompt: 'hi' }, retry: { initialDelay: 1 } }),
    );
    expect(datas(outcome.values)).toEqual(['chunk 1']);
    expect(isSseError(outcome.error, 'network')).toBe(true);
    expect(String(outcome.error)).toMatch(/not retried: POST is not sent again/);
    expect(server.requestsTo('/drop')).toHaveLength(1);
  });

  it('an idle timeout mid-answer errors with SseIdleTimeoutError and closes the socket', async () => {
    server.route('/stall', (_req, res) => {
      openSse(res).write(encodeEvent({ data: 'chunk 1' }));
    });
    const outcome = await settle(
      fromSse(`${server.url}/stall`, { body: 'q', idleTimeout: 200, retry: { initialDelay: 1 } }),
    );
    expect(isSseError(outcome.error, 'idle-timeout')).toBe(true);
    expect(server.requestsTo('/stall')).toHaveLength(1);
    await server.waitFor(() => server.openResponses() === 0, 'the server saw the close');
  });

  it('a 503 with Retry-After before the answer began is sent again once it is due', async () => {
    let n = 0;
    server.route('/busy', (_req, res) => {
      if (n++ === 0) {
        res.writeHead(503, { 'retry-after-ms': '150' }).end();
        return;
      }
      openSse(res).end(encodeEvent({ data: 'answer' }));
    });
    const messages = await lastValueFrom(
      fromSse(`${server.url}/busy`, { body: { prompt: 'hi' }, retry: { initialDelay: 1 } }).pipe(
        toArray(),
      ),
    );
    expect(datas(messages)).toEqual(['answer']);
    const [first, second] = server.requestsTo('/busy');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(140);
    expect(second!.body).toBe(first!.body);
  });

  it.each([500, 502, 504])(
    'a %i before the answer began is final for a POST (the server may have run it)',
    async (status) => {
      server.route(`/fail-${status}`, (_req, res) => res.writeHead(status).end());
      const outcome = await settle(
        fromSse(`${server.url}/fail-${status}`, { body: {}, retry: { initialDelay: 1 } }),
      );
      expect(isSseError(outcome.error, 'http') && outcome.error.status).toBe(status);
      expect(String(outcome.error)).toMatch(/not retried/);
      expect(server.requestsTo(`/fail-${status}`)).toHaveLength(1);
    },
  );

  it('a connection reset before the response is final for a POST', async () => {
    server.route('/reset', (req) => req.socket.destroy());
    const outcome = await settle(
      fromSse(`${server.url}/reset`, { body: {}, retry: { initialDelay: 1 } }),
    );
    expect(isSseError(outcome.error, 'network')).toBe(true);
    expect(server.requestsTo('/reset')).toHaveLength(1);
  });

  it('a 401 is sent once more after onUnauthorized', async () => {
    let n = 0;
    server.route('/auth', (_req, res) => {
      if (n++ === 0) res.writeHead(401).end();
      else openSse(res).end(encodeEvent({ data: 'answer' }));
    });
    const refreshed = jest.fn();
    const messages = await lastValueFrom(
      fromSse(`${server.url}/auth`, { body: {}, onUnauthorized: refreshed }).pipe(toArray()),
    );
    expect(datas(messages)).toEqual(['answer']);
    expect(refreshed).toHaveBeenCalledTimes(1);
    expect(server.requestsTo('/auth')).toHaveLength(2);
  });

  it('idempotent: true — a POST the server resumes reconnects with last-event-id', async () => {
    let n = 0;
    server.route('/resumable', (req, res) => {
      openSse(res);
      if (n++ === 0) res.end(encodeEvent({ id: '1', data: 'one' }));
      else
        res.write(encodeEvent({ id: '2', data: `from ${String(req.headers['last-event-id'])}` }));
    });
    const messages = await lastValueFrom(
      fromSse(`${server.url}/resumable`, {
        body: { job: 7 },
        idempotent: true,
        retry: { initialDelay: 1 },
      }).pipe(take(2), toArray()),
    );
    expect(datas(messages)).toEqual(['one', 'from 1']);
    expect(server.requestsTo('/resumable').map((r) => r.method)).toEqual(['POST', 'POST']);
  });

  // https://github.com/rexxars/eventsource-client/issues/2: closing the source on the last event,
  // as the server ends the response, still let a scheduled reconnect send the POST again.
  it('unsubscribing on the last event as the server ends leaves no request behind', async () => {
    server.route('/ending', (_req, res) => {
      openSse(res).end(encodeEvent({ event: 'end', data: '{}' }));
    });
    for (const idempotent of [false, true]) {
      const subscription = fromSse(`${server.url}/ending`, {
        body: {},
        idempotent,
        retry: { initialDelay: 1, maxDelay: 1 },
      }).subscribe((message) => {
        if (message.event === 'end') subscription.unsubscribe();
      });
      await server.waitFor(() => server.openResponses() === 0, 'the answer ended');
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // 50 retry delays: none may come
    expect(server.requestsTo('/ending')).toHaveLength(2);
  });

  it('a typed POST endpoint completes when the server ends the answer', async () => {
    serveAnswer('/typed-answer', 2);
    const api = createSseClient({
      baseUrl: server.url,
      decode: 'text',
      endpoints: {
        answer: defineEndpoint({
          path: '/typed-answer',
          body: z.object({ prompt: z.string() }),
          events: { message: z.string() },
        }),
      },
    });
    const events = await lastValueFrom(api.answer({ body: { prompt: 'hi' } }).pipe(toArray()));
    expect(events.map((e) => e.data)).toEqual(['chunk 1', 'chunk 2', '[DONE]']);
    expect(server.requestsTo('/typed-answer')).toHaveLength(1);
  });
});

describe('nothing is dropped unless it is a true repeat', () => {
  /** A route whose n-th connection (1-based) is served by `serve(n, lastEventId)`. */
  function serveConnections(
    path: string,
    serve: (n: number, lastEventId: string | undefined) => string,
  ): void {
    let n = 0;
    server.route(path, (req, res) => {
      const header = req.headers['last-event-id'];
      openSse(res).end(serve(++n, typeof header === 'string' ? header : undefined));
    });
  }
  const events = (prefix: string, ids: readonly number[]): string =>
    ids.map((id) => encodeEvent({ id: String(id), data: `${prefix} ${id}` })).join('');

  // https://github.com/EventSource/eventsource/issues/291: a server restarted; its in-memory
  // counter numbers events from 1 again.
  it('a restarted server whose ids start again at 1: every event arrives', async () => {
    serveConnections('/restart', (n) =>
      n === 1 ? events('process-1', [1, 2, 3, 4]) : events('process-2', [1, 2, 3, 4, 5]),
    );
    const warnings: SseWarning[] = [];
    const messages = await lastValueFrom(
      fromSse(`${server.url}/restart`, {
        retry: { initialDelay: 1 },
        onWarning: (w) => warnings.push(w),
      }).pipe(take(9), toArray()),
    );
    expect(datas(messages).slice(4)).toEqual([1, 2, 3, 4, 5].map((i) => `process-2 ${i}`));
    expect(server.requestsTo('/restart')[1]!.headers['last-event-id']).toBe('4');
    expect(warnings).toEqual([]);
  });

  // NestJS's @Sse() numbers events from 1 on every connection when the handler sets no id.
  it('a server that numbers every connection from 1 loses nothing on reconnect', async () => {
    serveConnections('/per-connection', (n) => events(`connection ${n}`, [1, 2]));
    const messages = await lastValueFrom(
      fromSse(`${server.url}/per-connection`, { retry: { initialDelay: 1 } }).pipe(
        take(6),
        toArray(),
      ),
    );
    expect(datas(messages)).toEqual([
      'connection 1 1',
      'connection 1 2',
      'connection 2 1',
      'connection 2 2',
      'connection 3 1',
      'connection 3 2',
    ]);
  });

  it('what a resuming server replays exactly is dropped, each drop reported', async () => {
    serveConnections('/replay', (n) => (n === 1 ? events('e', [1, 2, 3]) : events('e', [2, 3, 4])));
    const warnings: SseWarning[] = [];
    const messages = await lastValueFrom(
      fromSse(`${server.url}/replay`, {
        retry: { initialDelay: 1 },
        onWarning: (w) => warnings.push(w),
      }).pipe(take(4), toArray()),
    );
    expect(datas(messages)).toEqual(['e 1', 'e 2', 'e 3', 'e 4']);
    expect(warnings.map((w) => (w.code === 'duplicate' ? w.event.id : w.code))).toEqual(['2', '3']);
  });

  it('snapshots without ids sent before the replay do not hide the repeats after them', async () => {
    const snapshot = encodeEvent({ event: 'online', data: '7' });
    serveConnections('/snapshot', (n) =>
      n === 1 ? snapshot + events('e', [1, 2]) : snapshot + events('e', [2, 3]),
    );
    const messages = await lastValueFrom(
      fromSse(`${server.url}/snapshot`, { retry: { initialDelay: 1 } }).pipe(take(5), toArray()),
    );
    expect(datas(messages)).toEqual(['7', 'e 1', 'e 2', '7', 'e 3']);
  });

  it('the same id with other data, or another event name, is a new event', async () => {
    serveConnections('/changed', (n) =>
      n === 1
        ? encodeEvent({ id: '1', data: 'a' }) + encodeEvent({ id: '2', data: 'b' })
        : encodeEvent({ id: '2', data: 'b', event: 'edit' }) + encodeEvent({ id: '2', data: 'b2' }),
    );
    const messages = await lastValueFrom(
      fromSse(`${server.url}/changed`, { retry: { initialDelay: 1 } }).pipe(take(4), toArray()),
    );
    expect(messages.map((m) => `${m.event}:${m.data}`)).toEqual([
      'message:a',
      'message:b',
      'edit:b',
      'message:b2',
    ]);
  });

  it('{ compare } drops what is not after the highest id, for ids that never restart', async () => {
    serveConnections('/ordered', (n) =>
      n === 1 ? events('first', [1, 2]) : events('second', [2, 3]),
    );
    const messages = await lastValueFrom(
      fromSse(`${server.url}/ordered`, {
        retry: { initialDelay: 1 },
        dedupe: { compare: (a, b) => Number(a) - Number(b) },
      }).pipe(take(3), toArray()),
    );
    expect(datas(messages)).toEqual(['first 1', 'first 2', 'second 3']);
  });

  it('dedupe: false delivers exact repeats too', async () => {
    serveConnections('/raw', (n) => (n === 1 ? events('e', [1]) : events('e', [1, 2])));
    const messages = await lastValueFrom(
      fromSse(`${server.url}/raw`, { retry: { initialDelay: 1 }, dedupe: false }).pipe(
        take(3),
        toArray(),
      ),
    );
    expect(datas(messages)).toEqual(['e 1', 'e 1', 'e 2']);
  });
});

describe('the backoff restarts after a healthy connection', () => {
  // https://github.com/launchdarkly/okhttp-eventsource/pull/40: a server that ends every
  // connection after a fixed time; every one was healthy, so the waits must not grow.
  it('connections cut after staying up with heartbeats reconnect after initialDelay', async () => {
    server.route('/rotating', (_req, res) => {
      openSse(res).write('retry: 100\n\n');
      const heartbeat = setInterval(() => res.write(': ping\n\n'), 50);
      const end = setTimeout(() => res.end(), 600);
      res.on('close', () => {
        clearInterval(heartbeat);
        clearTimeout(end);
      });
    });
    const retries: RetryInfo[] = [];
    const subscription = fromSse(`${server.url}/rotating`, {
      retry: { initialDelay: 100, maxDelay: 400, jitter: 'none', onRetry: (i) => retries.push(i) },
    }).subscribe();
    await until(() => retries.length >= 4, 'four reconnects', { timeout: 10_000 });
    subscription.unsubscribe();
    expect(retries.map((r) => r.delay)).toEqual([100, 100, 100, 100]);
  });

  // https://github.com/launchdarkly/dotnet-eventsource/issues/37: 200 and an immediate close
  // must not become a tight reconnect loop.
  it('a server that accepts and closes at once still backs off', async () => {
    server.route('/flapping', (_req, res) => openSse(res).end(': bye\n\n'));
    const retries: RetryInfo[] = [];
    const subscription = fromSse(`${server.url}/flapping`, {
      retry: { initialDelay: 20, maxDelay: 160, jitter: 'none', onRetry: (i) => retries.push(i) },
    }).subscribe();
    await until(() => retries.length >= 5, 'five reconnects', { timeout: 10_000 });
    subscription.unsubscribe();
    expect(retries.map((r) => r.delay)).toEqual([20, 40, 80, 160, 160]);
  });
});

describe('a last event ID is sent as UTF-8, or left out when no header can carry it', () => {
  /** Each connection sends the next of `ids` as an id-only block and ends. */
  function serveIds(path: string, ids: readonly string[]): void {
    let n = 0;
    server.route(path, (_req, res) => {
      const id = ids[n]!;
      openSse(res).end(encodeEvent({ id, data: `event ${n++}` }));
    });
  }
  /** The bytes of the `last-event-id` header as they were on the wire. */
  const wireBytes = (header: string | string[] | undefined): string =>
    Buffer.from(String(header), 'latin1').toString('hex');

  // https://github.com/nodejs/undici/pull/5746 and https://github.com/MierenManz/EventSource/issues/22
  it('non-ASCII ids come back as exactly their UTF-8 bytes', async () => {
    const ids = ['café-€-日本-7', '…', '😀', 'x'];
    serveIds('/utf8', ids);
    await lastValueFrom(
      fromSse(`${server.url}/utf8`, { retry: { initialDelay: 1 } }).pipe(take(4), toArray()),
    );
    const sent = server.requestsTo('/utf8').slice(1, 4);
    expect(sent.map((r) => wireBytes(r.headers['last-event-id']))).toEqual(
      ids.slice(0, 3).map((id) => Buffer.from(id, 'utf8').toString('hex')),
    );
  });

  // https://github.com/nodejs/undici/pull/5746: an id a header cannot carry made every reconnect
  // fail. Node's fetch refuses control characters, so it is left out, reported once.
  it('an id with a control character: reconnects go without it, then the next id is sent', async () => {
    serveIds('/control', ['a\u0007b', 'a\u0007b', '5', '6']);
    const warnings: SseWarning[] = [];
    const messages = await lastValueFrom(
      fromSse(`${server.url}/control`, {
        retry: { initialDelay: 1 },
        onWarning: (w) => warnings.push(w),
      }).pipe(take(4), toArray()),
    );
    expect(messages.map((m) => m.lastEventId)).toEqual(['a\u0007b', 'a\u0007b', '5', '6']);
    expect(server.requestsTo('/control').map((r) => r.headers['last-event-id'])).toEqual([
      undefined,
      undefined,
      undefined,
      '5',
    ]);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'last-event-id-omitted', lastEventId: 'a\u0007b' }),
    ]);
  });

  // https://github.com/bigskysoftware/htmx/pull/3914: an empty id: clears the last event ID.
  it('an empty id: clears it: the reconnect sends no header', async () => {
    let n = 0;
    server.route('/cleared', (_req, res) => {
      openSse(res).end(
        n++ === 0 ? encodeEvent({ id: '5', data: 'a' }) + 'id\n\n' : encodeEvent({ data: 'b' }),
      );
    });
    await lastValueFrom(
      fromSse(`${server.url}/cleared`, { retry: { initialDelay: 1 } }).pipe(take(2), toArray()),
    );
    expect(server.requestsTo('/cleared')[1]!.headers['last-event-id']).toBeUndefined();
  });
});

describe('Content-Type is read as the Fetch standard extracts a MIME type', () => {
  const serveWith = (path: string, contentType: string | string[] | undefined): void =>
    server.route(path, (_req, res) => {
      if (contentType !== undefined) res.setHeader('content-type', contentType);
      res.writeHead(200).end(encodeEvent({ data: 'hello' }));
    });

  // https://github.com/florimondmanca/httpx-sse/pull/19 (a list), https://github.com/ktorio/ktor/pull/3983
  // (the header twice), https://github.com/Azure/fetch-event-source/issues/1 (parameters) and
  // https://github.com/clue/reactphp-eventsource/pull/2 (case).
  it.each<[string, string | string[]]>([
    ['a list ending with the type', 'application/json, text/event-stream; charset=utf-8'],
    ['two equal header lines', ['text/event-stream', 'text/event-stream']],
    [
      'two lines, the second with a charset',
      ['text/event-stream', 'text/event-stream;charset=UTF-8'],
    ],
    ['mixed case and a quoted parameter', 'Text/Event-Stream; Charset="UTF-8"'],
    ['a quoted comma in a parameter', 'text/event-stream; note="a, b"'],
    ['another type first, then the stream', ['text/plain', 'text/event-stream']],
    ['a trailing */*, which is skipped', 'text/event-stream, */*'],
    ['an unparseable value after it', 'text/event-stream, nonsense'],
  ])('opens with %s', async (_what, contentType) => {
    const path = `/open-${encodeURIComponent(_what)}`;
    serveWith(path, contentType);
    const messages = await lastValueFrom(
      fromSse(`${server.url}${path}`, { retry: false }).pipe(toArray()),
    );
    expect(datas(messages)).toEqual(['hello']);
  });

  it.each<[string, string | string[] | undefined]>([
    ['a list whose last type is another', 'text/event-stream, text/html'],
    ['two lines, the last another type', ['text/event-stream', 'text/plain']],
    ['another type', 'text/html; charset=utf-8'],
    ['a longer subtype', 'text/event-streamX'],
    ['no Content-Type at all', undefined],
  ])('refuses %s with a typed error, after one request', async (_what, contentType) => {
    const path = `/refuse-${encodeURIComponent(_what)}`;
    serveWith(path, contentType);
    const outcome = await settle(fromSse(`${server.url}${path}`));
    expect(outcome.error).toBeInstanceOf(SseContentTypeError);
    expect(server.requestsTo(path)).toHaveLength(1);
  });

  it('extractMimeType follows the standard: last valid value wins, */* and junk skipped', () => {
    expect(extractMimeType('text/plain, text/event-stream')).toBe('text/event-stream');
    expect(extractMimeType('text/event-stream, */*')).toBe('text/event-stream');
    expect(extractMimeType('text/event-stream;x="a,text/html"')).toBe('text/event-stream');
    expect(extractMimeType('text/event-stream, te xt/html')).toBe('text/event-stream');
    expect(extractMimeType(' TEXT/EVENT-STREAM ')).toBe('text/event-stream');
    expect(extractMimeType('')).toBeUndefined();
    expect(extractMimeType(null)).toBeUndefined();
  });
});

describe('retryNow: an app can end a backoff wait', () => {
  it('ends the wait at once, one attempt per wait however often it emits', async () => {
    server.route('/down', (_req, res) => res.writeHead(503).end());
    const retryNow = new Subject<void>();
    const retries: RetryInfo[] = [];
    const subscription = fromSse(`${server.url}/down`, {
      retry: {
        initialDelay: 50_000,
        maxDelay: 120_000,
        jitter: 'none',
        retryNow,
        onRetry: (i) => retries.push(i),
      },
    }).subscribe({ error: () => undefined });
    await until(() => retries.length === 1, 'the first wait');
    retryNow.next();
    retryNow.next();
    retryNow.next();
    await until(() => retries.length === 2, 'the second wait');
    expect(server.requestsTo('/down')).toHaveLength(2);
    // The attempt it started failed: that still counts toward the backoff.
    expect(retries.map((r) => [r.attempt, r.delay])).toEqual([
      [1, 50_000],
      [2, 100_000],
    ]);
    subscription.unsubscribe();
  });
});

describe('what a new user tried (a fresh pair of eyes on this round)', () => {
  it('a retryNow that replays a value on subscribe (BehaviorSubject) does not skip the backoff', async () => {
    server.route('/status-down', (_req, res) => res.writeHead(503).end());
    const retries: RetryInfo[] = [];
    const subscription = fromSse(`${server.url}/status-down`, {
      retry: {
        initialDelay: 50_000,
        jitter: 'none',
        retryNow: new BehaviorSubject('online'),
        onRetry: (i) => retries.push(i),
      },
    }).subscribe({ error: () => undefined });
    await until(() => retries.length === 1, 'the first wait');
    await new Promise((resolve) => setTimeout(resolve, 50)); // a replayed value would retry at once
    expect(server.requestsTo('/status-down')).toHaveLength(1);
    subscription.unsubscribe();
  });

  it('a retryNow that fails is ignored, and the stream still closes its socket on unsubscribe', async () => {
    let n = 0;
    server.route('/recovering', (_req, res) => {
      if (n++ === 0) res.writeHead(503).end();
      else openSse(res).write(encodeEvent({ data: 'up' }));
    });
    const retryNow = new Subject<void>();
    const subscription = fromSse(`${server.url}/recovering`, {
      retry: { initialDelay: 30_000, retryNow },
    }).subscribe({ error: () => undefined });
    await until(() => n === 1, 'the first request');
    await new Promise((resolve) => setTimeout(resolve, 10));
    retryNow.next();
    await server.waitFor(() => server.openResponses() === 1, 'the stream open');
    retryNow.error(new Error('network monitor failed'));
    subscription.unsubscribe();
    await server.waitFor(() => server.openResponses() === 0, 'the server saw the close');
  });

  it('a request fetch would refuse before sending anything is a TypeError, not a retry loop', async () => {
    server.route('/never', (_req, res) => openSse(res).end());
    for (const options of [
      { headers: { authorization: 'Bearer abc\u2010def' } }, // a pasted hyphen
      { headers: { 'bad header': 'x' } },
      { method: 'GET', body: { q: 1 } },
    ]) {
      const outcome = await settle(
        fromSse(`${server.url}/never`, { ...options, retry: { initialDelay: 1 } }),
      );
      expect(outcome.error).toBeInstanceOf(TypeError);
      expect(String(outcome.error)).not.toMatch(/abc/); // a header value may be a secret
    }
    expect(server.requestsTo('/never')).toHaveLength(0);
  });

  it("an error of the caller's own is delivered as it is, not rewritten", async () => {
    const mine = new Error('no session');
    const outcome = await settle(
      fromSse(`${server.url}/never`, {
        body: {},
        headers: () => {
          throw mine;
        },
      }),
    );
    expect(outcome.error).toBe(mine);
    expect(mine.message).toBe('no session');
  });

  it('a dedupe.compare or completeOn that throws ends the stream with its error, no retry', async () => {
    let n = 0;
    server.route('/ordered-throw', (_req, res) => {
      n++;
      openSse(res).end(encodeEvent({ id: '1', data: 'x' }) + encodeEvent({ id: '2', data: 'y' }));
    });
    const boom = new Error('boom');
    const outcome = await settle(
      fromSse(`${server.url}/ordered-throw`, {
        retry: { initialDelay: 1 },
        dedupe: {
          compare: () => {
            throw boom;
          },
        },
      }),
    );
    expect(outcome.error).toBe(boom);
    expect(n).toBe(1);
  });

  it('unsubscribing from inside the state observer or onRetry leaves no request behind', async () => {
    server.route('/flaky', (_req, res) => res.writeHead(503).end());
    for (const leaveOn of ['connecting', 'reconnecting', 'onRetry'] as const) {
      const before = server.requestsTo('/flaky').length;
      let left = false;
      const subscription = new Subject<void>();
      const stream = fromSse(`${server.url}/flaky`, {
        retry: {
          initialDelay: 1,
          maxDelay: 1,
          onRetry: () => {
            if (leaveOn === 'onRetry') subscription.next();
          },
        },
        state: (state) => {
          // The first `connecting` is reported during subscribe: leave on the second.
          const retrying = state.status === 'connecting' && state.attempt > 0;
          if ((leaveOn === 'connecting' && retrying) || leaveOn === state.status) {
            subscription.next();
          }
        },
      }).subscribe({ error: () => undefined });
      subscription.subscribe(() => {
        left = true;
        stream.unsubscribe();
      });
      await until(() => left, `leaving on ${leaveOn}`);
      const made = server.requestsTo('/flaky').length;
      await new Promise((resolve) => setTimeout(resolve, 30)); // 30 retry delays: none may come
      expect(server.requestsTo('/flaky').length).toBe(made);
      expect(made - before).toBeLessThanOrEqual(2);
    }
  });

  it('a shared endpoint reports closed to each call that leaves', async () => {
    server.route('/shared-state', (_req, res) => openSse(res).write(encodeEvent({ data: '1' })));
    const api = createSseClient({
      baseUrl: server.url,
      decode: 'text',
      endpoints: {
        feed: defineEndpoint({
          path: '/shared-state',
          events: { message: z.string() },
          share: { gracePeriod: 0 },
        }),
      },
    });
    const first = new BehaviorSubject<SseConnectionState>({ status: 'idle' });
    const second = new BehaviorSubject<SseConnectionState>({ status: 'idle' });
    const a = api.feed({ state: first }).subscribe();
    const b = api.feed({ state: second }).subscribe();
    await until(() => first.value.status === 'open' && second.value.status === 'open', 'open');
    a.unsubscribe();
    expect(first.value.status).toBe('closed');
    expect(second.value.status).toBe('open');
    b.unsubscribe();
    expect(second.value.status).toBe('closed');
    await server.waitFor(() => server.openResponses() === 0, 'the shared connection closed');
  });
});
