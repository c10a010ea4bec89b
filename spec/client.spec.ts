import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { z } from 'zod';
import {
  createSseClient,
  defineEndpoint,
  isSseError,
  ofEvent,
  SseUnknownEventError,
  SseValidationError,
  type SseConnectionState,
  type StandardSchema,
} from '../src/index.js';
import { encodeEvent, openSse, useSseServer } from './support/sse-server.js';

const server = useSseServer();

const chat = {
  room: defineEndpoint({
    path: '/rooms/:roomId/events',
    query: z.object({ since: z.string().optional() }),
    events: {
      message: z.object({ id: z.string(), user: z.string(), text: z.string() }),
      typing: z.object({ user: z.string() }),
      presence: z.object({ online: z.number().int() }),
    },
  }),
  ask: defineEndpoint({
    path: '/ask',
    method: 'POST',
    body: z.object({ q: z.string().min(1) }),
    events: {
      token: { schema: z.string(), decode: 'text' },
      done: z.object({ usage: z.number() }),
    },
    completeOn: 'done',
  }),
};

function serveRoom(...events: string[]): void {
  server.route('/rooms/42/events', (_req, res) => {
    openSse(res);
    for (const event of events) res.write(event);
  });
}

describe('createSseClient: the example from the issue, against the test server', () => {
  it('streams typed room messages through ofEvent', async () => {
    serveRoom(
      encodeEvent({ event: 'typing', data: '{"user":"ada"}' }),
      encodeEvent({ event: 'message', id: '1', data: '{"id":"m1","user":"ada","text":"hi"}' }),
      encodeEvent({ event: 'presence', data: '{"online":3}' }),
      encodeEvent({ event: 'message', id: '2', data: '{"id":"m2","user":"bob","text":"yo"}' }),
    );
    const api = createSseClient({
      baseUrl: server.url,
      headers: async () => ({ authorization: 'Bearer t0ken' }),
      endpoints: chat,
    });
    const texts = await lastValueFrom(
      api.room({ params: { roomId: '42' } }).pipe(ofEvent('message'), take(2), toArray()),
    );
    expect(texts.map(({ data }) => data.text)).toEqual(['hi', 'yo']);
    expect(texts.map(({ id }) => id)).toEqual(['1', '2']);
    expect(server.requestsTo('/rooms/42/events')[0]?.headers.authorization).toBe('Bearer t0ken');
  });

  it('POSTs a validated body, decodes text tokens, completes on done', async () => {
    server.route('/ask', (_req, res) => {
      openSse(res);
      for (const token of ['Server', '-Sent', ' Events']) {
        res.write(encodeEvent({ event: 'token', data: token }));
      }
      res.write(encodeEvent({ event: 'done', data: '{"usage":3}' }));
    });
    const api = createSseClient({ baseUrl: server.url, endpoints: chat });
    const events = await lastValueFrom(api.ask({ body: { q: 'What is SSE?' } }).pipe(toArray()));
    expect(events.map((e) => e.event)).toEqual(['token', 'token', 'token', 'done']);
    const answer = events.flatMap((e) => (e.event === 'token' ? [e.data] : [])).join('');
    expect(answer).toBe('Server-Sent Events');
    const [request] = server.requestsTo('/ask');
    expect(request?.method).toBe('POST');
    expect(JSON.parse(request?.body ?? '')).toEqual({ q: 'What is SSE?' });
  });
});

describe('createSseClient: payloads', () => {
  it('delivers the schema output: transforms and defaults apply', async () => {
    server.route('/shaped', (_req, res) => {
      openSse(res);
      res.write(encodeEvent({ event: 'sale', data: '{"cents":1999,"at":"2026-11-23T10:00:00Z"}' }));
    });
    const api = createSseClient({
      baseUrl: server.url,
      endpoints: {
        shaped: defineEndpoint({
          path: '/shaped',
          events: {
            sale: z.object({
              cents: z.number().transform((cents) => cents / 100),
              at: z.iso.datetime().transform((at) => new Date(at)),
              currency: z.string().default('EUR'),
            }),
          },
        }),
      },
    });
    const sale = await firstValueFrom(api.shaped());
    expect(sale.data).toEqual({
      cents: 19.99,
      at: new Date('2026-11-23T10:00:00Z'),
      currency: 'EUR',
    });
  });

  it("'error' (default): errors with event, id, raw data and issues, and closes", async () => {
    serveRoom(
      encodeEvent({ event: 'presence', id: '9', data: '{"online":"many"}' }),
      encodeEvent({ event: 'presence', id: '10', data: '{"online":2}' }),
    );
    const api = createSseClient({ baseUrl: server.url, endpoints: chat });
    const error = await firstValueFrom(api.room({ params: { roomId: 42 } })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SseValidationError);
    const invalid = error as SseValidationError;
    expect(invalid).toMatchObject({ target: 'data', event: 'presence', id: '9' });
    expect(invalid.raw).toBe('{"online":"many"}');
    expect(invalid.issues[0]?.path).toEqual(['online']);
    expect(invalid.message).toContain('Invalid event "presence" (id 9): online:');
    expect(server.requestsTo('/rooms/42/events')).toHaveLength(1);
  });

  it("'error': the connection state ends closed with the validation error", async () => {
    serveRoom(encodeEvent({ event: 'presence', data: '{"online":"many"}' }));
    const api = createSseClient({ baseUrl: server.url, endpoints: chat });
    const states: SseConnectionState[] = [];
    const error = await firstValueFrom(
      api.room({ params: { roomId: 42 }, state: (s) => states.push(s) }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SseValidationError);
    expect(states.map((s) => s.status)).toEqual(['connecting', 'open', 'closed']);
    expect(states.at(-1)).toEqual({ status: 'closed', error });
  });

  it("'error': invalid JSON is a validation error too, raw data truncated", async () => {
    serveRoom(encodeEvent({ event: 'typing', data: `{"user": ${'x'.repeat(5000)}` }));
    const api = createSseClient({ baseUrl: server.url, endpoints: chat });
    const error = (await firstValueFrom(api.room({ params: { roomId: 42 } })).catch(
      (e: unknown) => e,
    )) as SseValidationError;
    expect(isSseError(error, 'validation')).toBe(true);
    expect(error.issues[0]?.message).toMatch(/^Could not decode data: /);
    expect(error.raw?.length).toBeLessThan(1100);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it("'skip': drops invalid events, reports them to onInvalid, keeps streaming", async () => {
    serveRoom(
      encodeEvent({ event: 'presence', data: '{"online":1.5}' }),
      encodeEvent({ event: 'presence', data: 'not json' }),
      encodeEvent({ event: 'presence', data: '{"online":2}' }),
    );
    const reported: SseValidationError[] = [];
    const api = createSseClient({
      baseUrl: server.url,
      invalid: 'skip',
      onInvalid: (error) => reported.push(error),
      endpoints: chat,
    });
    const event = await firstValueFrom(api.room({ params: { roomId: 42 } }));
    expect(event).toMatchObject({ event: 'presence', data: { online: 2 } });
    expect(reported.map((e) => e.raw)).toEqual(['{"online":1.5}', 'not json']);
  });

  it("'emit': delivers invalid events as SseInvalidEvent, which ofEvent filters out", async () => {
    serveRoom(
      encodeEvent({ event: 'presence', id: '1', data: '{"online":-0.5}' }),
      encodeEvent({ event: 'presence', id: '2', data: '{"online":4}' }),
    );
    const api = createSseClient({
      baseUrl: server.url,
      endpoints: { room: defineEndpoint({ ...chat.room, invalid: 'emit' }) },
    });
    const [first, second] = await lastValueFrom(
      api.room({ params: { roomId: 42 } }).pipe(take(2), toArray()),
    );
    expect(first && 'invalid' in first && first.invalid).toBeInstanceOf(SseValidationError);
    expect(first).toMatchObject({ event: 'presence', raw: '{"online":-0.5}', id: '1' });
    expect(second).toMatchObject({ event: 'presence', data: { online: 4 } });
    const onlyValid = await firstValueFrom(
      api.room({ params: { roomId: 42 } }).pipe(ofEvent('presence')),
    );
    expect(onlyValid.data.online).toBe(4);
  });

  it("unknown events: 'skip' (default) drops them", async () => {
    serveRoom(
      encodeEvent({ event: 'reaction', data: '{}' }),
      encodeEvent({ event: 'edit', data: 'not even json' }),
      encodeEvent({ event: 'typing', data: '{"user":"ada"}' }),
    );
    const api = createSseClient({ baseUrl: server.url, endpoints: chat });
    const event = await firstValueFrom(api.room({ params: { roomId: 42 } }));
    expect(event.event).toBe('typing');
  });

  it('unknown events named after Object.prototype members are unknown events too', async () => {
    const names = ['toString', 'constructor', '__proto__', 'hasOwnProperty'];
    serveRoom(
      ...names.map((event) => encodeEvent({ event, data: '{}' })),
      encodeEvent({ event: 'typing', data: '{"user":"ada"}' }),
    );
    const api = createSseClient({ baseUrl: server.url, endpoints: chat });
    const event = await firstValueFrom(api.room({ params: { roomId: 42 } }));
    expect(event.event).toBe('typing');

    const strict = createSseClient({
      baseUrl: server.url,
      unknownEvents: 'error',
      endpoints: chat,
    });
    const error = await firstValueFrom(strict.room({ params: { roomId: 42 } })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SseUnknownEventError);
    expect(error).toMatchObject({ event: 'toString' });
  });

  it("unknown events: 'error' fails with SseUnknownEventError", async () => {
    serveRoom(encodeEvent({ event: 'reaction', id: '3', data: '{}' }));
    const api = createSseClient({ baseUrl: server.url, unknownEvents: 'error', endpoints: chat });
    const error = await firstValueFrom(api.room({ params: { roomId: 42 } })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SseUnknownEventError);
    expect(error).toMatchObject({
      event: 'reaction',
      id: '3',
      known: ['message', 'typing', 'presence'],
    });
  });

  it('keeps order with an async Standard Schema validator', async () => {
    const delays = [30, 0, 10, 0];
    let call = 0;
    const slowNumber: StandardSchema<unknown, number> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) =>
          new Promise((resolve) =>
            setTimeout(
              () =>
                resolve(
                  typeof value === 'number' ? { value } : { issues: [{ message: 'not a number' }] },
                ),
              delays[call++ % delays.length],
            ),
          ),
      },
    };
    server.route('/slow', (_req, res) => {
      openSse(res);
      for (let i = 1; i <= 4; i++) res.write(encodeEvent({ event: 'n', data: String(i) }));
    });
    const api = createSseClient({
      baseUrl: server.url,
      endpoints: { slow: defineEndpoint({ path: '/slow', events: { n: slowNumber } }) },
    });
    const values = await lastValueFrom(api.slow().pipe(take(4), toArray()));
    expect(values.map((v) => v.data)).toEqual([1, 2, 3, 4]);
  });
});

describe('createSseClient: arguments are checked before connecting', () => {
  const api = (): ReturnType<typeof createSseClient<typeof chat>> =>
    createSseClient({ baseUrl: server.url, endpoints: chat });

  it('an invalid body errors with SseValidationError and makes no request', async () => {
    const error = await firstValueFrom(api().ask({ body: { q: '' } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SseValidationError);
    expect(error).toMatchObject({ target: 'body' });
    expect(server.requests).toHaveLength(0);
  });

  it('an invalid query errors and makes no request', async () => {
    const bad = { since: 5 } as unknown as { since: string };
    const error = await firstValueFrom(api().room({ params: { roomId: 1 }, query: bad })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'validation', target: 'query' });
    expect(server.requests).toHaveLength(0);
  });

  it('a missing path parameter errors and makes no request', async () => {
    const params = {} as { roomId: string };
    const error = await firstValueFrom(api().room({ params })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'validation', target: 'params' });
    expect((error as SseValidationError).issues[0]?.message).toBe(
      'Missing path parameter "roomId"',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('URL-encodes path parameters and serialises the validated query', async () => {
    server.route('/rooms/a%2Fb%20c%3F/events', (_req, res) => {
      openSse(res);
      res.write(encodeEvent({ event: 'typing', data: '{"user":"x"}' }));
    });
    await firstValueFrom(api().room({ params: { roomId: 'a/b c?' }, query: { since: 'x&y' } }));
    const [request] = server.requests;
    expect(request?.url.pathname).toBe('/rooms/a%2Fb%20c%3F/events');
    expect(request?.url.searchParams.get('since')).toBe('x&y');
  });
});

describe('createSseClient: connections', () => {
  it('is cold: two subscriptions, two connections; unsubscribe closes', async () => {
    serveRoom(encodeEvent({ event: 'typing', data: '{"user":"ada"}' }));
    const api = createSseClient({ baseUrl: server.url, endpoints: chat });
    const room = api.room({ params: { roomId: 42 } });
    expect(server.requests).toHaveLength(0);
    await Promise.all([firstValueFrom(room), firstValueFrom(room)]);
    expect(server.requestsTo('/rooms/42/events')).toHaveLength(2);
    await server.waitFor(() => server.openResponses() === 0, 'both closed');
  });

  it('merges client, endpoint and call headers, resolved per connection', async () => {
    server.route('/h', (_req, res) => {
      openSse(res);
      res.write(encodeEvent({ event: 'x', data: '1' }));
    });
    const api = createSseClient({
      baseUrl: `${server.url}/`,
      headers: () => ({ 'x-client': 'c', 'x-override': 'client' }),
      endpoints: {
        h: defineEndpoint({
          path: '/h',
          headers: new Headers({ 'X-Endpoint': 'e', 'X-Override': 'endpoint' }),
          events: { x: z.number() },
        }),
      },
    });
    await firstValueFrom(api.h({ headers: async () => [['x-call', 'k']] }));
    const [request] = server.requestsTo('/h');
    expect(request?.headers).toMatchObject({
      'x-client': 'c',
      'x-endpoint': 'e',
      'x-override': 'endpoint',
      'x-call': 'k',
    });
  });

  it("the endpoint's hidden-page switch replaces the client's whole, contradictions are errors", async () => {
    server.route('/v', (_req, res) => {
      openSse(res);
      res.write(encodeEvent({ event: 'x', data: '1' }));
    });
    const endpoint = (options: { openWhenHidden?: boolean; pauseWhenHidden?: boolean }) =>
      createSseClient({
        baseUrl: server.url,
        pauseWhenHidden: true,
        endpoints: { v: defineEndpoint({ path: '/v', events: { x: z.number() }, ...options }) },
      }).v();
    // Endpoint openWhenHidden: true against client pauseWhenHidden: true: the endpoint's wins.
    await expect(firstValueFrom(endpoint({ openWhenHidden: true }))).resolves.toMatchObject({
      data: 1,
    });
    const error = await firstValueFrom(
      endpoint({ openWhenHidden: true, pauseWhenHidden: true }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(server.requestsTo('/v')).toHaveLength(1);
  });
});
