import { firstValueFrom, lastValueFrom, map, take, tap, toArray } from 'rxjs';
import {
  fromSse,
  isSseError,
  SseContentTypeError,
  SseHttpError,
  type SseConnectionState,
  type SseMessage,
} from '../src/index.js';
import { encodeEvent, openSse, useSseServer } from './support/sse-server.js';

const server = useSseServer();

/** A stream that sends `count` numbered events, then stays open. */
function ticker(path: string, count: number, extra = ''): void {
  server.route(path, (_req, res) => {
    openSse(res);
    for (let i = 1; i <= count; i++) res.write(encodeEvent({ id: String(i), data: `tick ${i}` }));
    if (extra) res.write(extra);
  });
}

describe('fromSse: cold, one connection per subscriber', () => {
  it('does nothing until subscribed', async () => {
    ticker('/cold', 1);
    let fetches = 0;
    const states: SseConnectionState['status'][] = [];
    const feed = fromSse(`${server.url}/cold`, {
      fetch: (input, init) => {
        fetches++;
        return fetch(input, init);
      },
      state: (s) => states.push(s.status),
    });
    expect(states).toEqual([]);
    expect(fetches).toBe(0);
    expect(server.requests).toHaveLength(0);
    const first = firstValueFrom(feed);
    expect(states).toEqual(['connecting']); // subscribing starts the connection at once
    await first;
    expect(fetches).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it('gives every subscriber its own connection', async () => {
    ticker('/two', 1);
    const feed = fromSse(`${server.url}/two`);
    const [a, b] = await Promise.all([firstValueFrom(feed), firstValueFrom(feed)]);
    expect(a.data).toBe('tick 1');
    expect(b.data).toBe('tick 1');
    expect(server.requestsTo('/two')).toHaveLength(2);
  });

  it('delivers event, data, id and lastEventId', async () => {
    server.route('/fields', (_req, res) => {
      openSse(res);
      res.write(encodeEvent({ event: 'greeting', id: '7', data: 'hello\nworld' }));
      res.write(encodeEvent({ data: 'no id here' }));
    });
    const messages = await lastValueFrom(fromSse(`${server.url}/fields`).pipe(take(2), toArray()));
    expect(messages).toEqual<SseMessage[]>([
      { event: 'greeting', data: 'hello\nworld', id: '7', lastEventId: '7' },
      { event: 'message', data: 'no id here', id: undefined, lastEventId: '7' },
    ]);
  });
});

describe('fromSse: teardown closes the connection', () => {
  it('closes the socket within 100 ms of unsubscribe, as the server sees it', async () => {
    ticker('/teardown', 1);
    const received: SseMessage[] = [];
    const subscription = fromSse(`${server.url}/teardown`).subscribe((m) => received.push(m));
    await server.waitFor(() => server.requestsTo('/teardown').length === 1, 'the request');
    const [request] = server.requestsTo('/teardown');
    const unsubscribedAt = Date.now();
    subscription.unsubscribe();
    await server.waitFor(() => request?.closedAt !== undefined, 'the close', 1000);
    expect((request?.closedAt ?? Infinity) - unsubscribedAt).toBeLessThan(100);
  });

  it('closes the socket after take(n)', async () => {
    ticker('/take', 5);
    const messages = await lastValueFrom(fromSse(`${server.url}/take`).pipe(take(2), toArray()));
    expect(messages.map((m) => m.id)).toEqual(['1', '2']);
    await server.waitFor(() => server.openResponses() === 0, 'the close');
  });

  it('closes the socket when an operator throws in next', async () => {
    ticker('/throws', 3);
    const failure = firstValueFrom(
      fromSse(`${server.url}/throws`).pipe(
        map(() => {
          throw new Error('boom in next');
        }),
      ),
    );
    await expect(failure).rejects.toThrow('boom in next');
    await server.waitFor(() => server.openResponses() === 0, 'the close');
  });

  it('stops producing after unsubscribe: the server write loop sees the close', async () => {
    let written = 0;
    server.route('/producer', (_req, res) => {
      openSse(res);
      const timer = setInterval(() => {
        written++;
        res.write(encodeEvent({ data: String(written) }));
      }, 5);
      res.on('close', () => clearInterval(timer));
    });
    let firstAt = 0;
    const first = await firstValueFrom(
      fromSse(`${server.url}/producer`).pipe(tap(() => (firstAt ||= Date.now()))),
    );
    expect(first.data).toBe('1');
    await server.waitFor(() => server.openResponses() === 0, 'the close');
    // The close followed the first message at once, not after the producer ran on for a while.
    const [request] = server.requestsTo('/producer');
    expect((request?.closedAt ?? Infinity) - firstAt).toBeLessThan(100);
  });
});

describe('fromSse: request', () => {
  it('calls the headers function before every connection', async () => {
    ticker('/auth', 1);
    let calls = 0;
    const feed = fromSse(`${server.url}/auth`, {
      headers: async () => ({ Authorization: `Bearer token-${++calls}` }),
    });
    await firstValueFrom(feed);
    await firstValueFrom(feed);
    expect(calls).toBe(2);
    expect(server.requestsTo('/auth').map((r) => r.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('honours a Headers instance (fetch-event-source alone drops it)', async () => {
    ticker('/headers', 1);
    const headers = new Headers({ 'X-Tenant': 'acme', Authorization: 'Bearer abc' });
    await firstValueFrom(fromSse(`${server.url}/headers`, { headers }));
    const [request] = server.requestsTo('/headers');
    expect(request?.headers['x-tenant']).toBe('acme');
    expect(request?.headers.authorization).toBe('Bearer abc');
    expect(request?.headers.accept).toBe('text/event-stream');
  });

  it('POSTs a JSON body', async () => {
    ticker('/ask', 1);
    await firstValueFrom(fromSse(`${server.url}/ask`, { body: { q: 'why?' } }));
    const [request] = server.requestsTo('/ask');
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ q: 'why?' });
  });

  it('sends the initial lastEventId as last-event-id, once', async () => {
    ticker('/resume', 1);
    await firstValueFrom(
      fromSse(`${server.url}/resume`, {
        lastEventId: '41',
        headers: { 'Last-Event-ID': 'stale' },
      }),
    );
    const [request] = server.requestsTo('/resume');
    expect(request?.headers['last-event-id']).toBe('41');
    expect(request?.req.rawHeaders.filter((h) => h.toLowerCase() === 'last-event-id')).toHaveLength(
      1,
    );
  });
});

describe('fromSse: status and content type', () => {
  it('completes on 204 after one request', async () => {
    server.route('/done', (_req, res) => res.writeHead(204).end());
    const messages = await lastValueFrom(fromSse(`${server.url}/done`).pipe(toArray()));
    expect(messages).toEqual([]);
    expect(server.requestsTo('/done')).toHaveLength(1);
  });

  it.each([401, 404, 500])(
    'errors with SseHttpError %i, status, headers and body',
    async (status) => {
      server.route('/fail', (_req, res) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'r-1' });
        res.end(JSON.stringify({ error: 'nope', padding: 'x'.repeat(10_000) }));
      });
      const error: unknown = await firstValueFrom(
        fromSse(`${server.url}/fail`, { retry: false }),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SseHttpError);
      expect(isSseError(error, 'http') && error.status).toBe(status);
      const http = error as SseHttpError;
      expect(http.headers['x-request-id']).toBe('r-1');
      expect(http.body.startsWith('{"error":"nope"')).toBe(true);
      expect(http.body.length).toBeLessThanOrEqual(2048);
      expect(http.message).toContain(`HTTP ${status}`);
      expect(server.requestsTo('/fail')).toHaveLength(1);
    },
  );

  it('errors with SseContentTypeError on a non-event-stream 200', async () => {
    server.route('/json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    const error = await firstValueFrom(fromSse(`${server.url}/json`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SseContentTypeError);
    expect((error as SseContentTypeError).contentType).toBe('application/json');
    expect(server.requestsTo('/json')).toHaveLength(1);
  });

  it('accepts the content type in any case, with parameters', async () => {
    server.route('/case', (_req, res) => {
      openSse(res, { 'content-type': 'Text/Event-Stream; charset=UTF-8' });
      res.write(encodeEvent({ data: 'ok' }));
    });
    expect((await firstValueFrom(fromSse(`${server.url}/case`))).data).toBe('ok');
  });
});

describe('fromSse: stream semantics', () => {
  it('ignores heartbeat comments, id-only and event-only blocks', async () => {
    server.route('/quiet', (_req, res) => {
      openSse(res);
      res.write(': keepalive\n\n');
      res.write(':\n\n');
      res.write('id: 5\n\n');
      res.write('event: ping\n\n');
      res.write('data: real\n\n');
    });
    const message = await firstValueFrom(fromSse(`${server.url}/quiet`));
    expect(message).toEqual({ event: 'message', data: 'real', id: undefined, lastEventId: '5' });
  });

  it('keeps an empty data line as an event with empty data', async () => {
    server.route('/empty', (_req, res) => {
      openSse(res);
      res.write('data:\n\n');
      res.write('data:\ndata: x\n\n');
    });
    const messages = await lastValueFrom(fromSse(`${server.url}/empty`).pipe(take(2), toArray()));
    expect(messages.map((m) => m.data)).toEqual(['', '\nx']);
  });

  it('ignores an id containing NUL and keeps resuming from the last good one', async () => {
    server.route('/nul', (_req, res) => {
      openSse(res);
      res.write('id: 1\ndata: a\n\n');
      res.write('id: 2\u00003\ndata: b\n\n');
    });
    const messages = await lastValueFrom(fromSse(`${server.url}/nul`).pipe(take(2), toArray()));
    expect(messages.map((m) => [m.id, m.lastEventId])).toEqual([
      ['1', '1'],
      [undefined, '1'],
    ]);
  });

  it('completes when the server closes cleanly with retry off', async () => {
    server.route('/finite', (_req, res) => {
      openSse(res);
      res.end(encodeEvent({ data: 'only' }));
    });
    const messages = await lastValueFrom(
      fromSse(`${server.url}/finite`, { retry: false }).pipe(toArray()),
    );
    expect(messages.map((m) => m.data)).toEqual(['only']);
  });
});

describe('fromSse: signal', () => {
  it('never connects with an already-aborted signal, and completes', async () => {
    ticker('/aborted', 1);
    const controller = new AbortController();
    controller.abort();
    const messages = await lastValueFrom(
      fromSse(`${server.url}/aborted`, { signal: controller.signal }).pipe(toArray()),
    );
    expect(messages).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('closes the connection and completes when the signal aborts', async () => {
    ticker('/abort-later', 1);
    const controller = new AbortController();
    const states: SseConnectionState['status'][] = [];
    const done = lastValueFrom(
      fromSse(`${server.url}/abort-later`, {
        signal: controller.signal,
        state: (s) => states.push(s.status),
      }).pipe(toArray()),
    );
    await server.waitFor(() => server.requestsTo('/abort-later').length === 1, 'the request');
    controller.abort();
    await expect(done).resolves.toBeDefined();
    await server.waitFor(() => server.openResponses() === 0, 'the close');
    expect(states.at(-1)).toBe('closed');
  });

  it('removes its abort listener when the subscription ends', async () => {
    ticker('/listener', 1);
    const controller = new AbortController();
    const added = jest.spyOn(controller.signal, 'addEventListener');
    const removed = jest.spyOn(controller.signal, 'removeEventListener');
    await firstValueFrom(fromSse(`${server.url}/listener`, { signal: controller.signal }));
    expect(added).toHaveBeenCalledTimes(1);
    expect(removed).toHaveBeenCalledWith('abort', added.mock.calls[0]?.[1]);
  });
});
