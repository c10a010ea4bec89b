/**
 * An in-memory SSE server behind a `fetch` function, for testing apps without a network.
 *
 * @module
 */

/**
 * The fields of one event to send. `data` that is not a string is sent as JSON.
 *
 * @example
 * ```ts
 * import { fromSse } from 'rx-sse';
 * import { createMockSseFetch } from 'rx-sse/testing';
 *
 * const mock = createMockSseFetch();
 * fromSse('https://api.test/chat', { fetch: mock.fetch }).subscribe(({ event, data }) =>
 *   console.log(event, data),
 * );
 * const connection = await mock.connection();
 * await connection.send({ event: 'message', id: '42', data: { user: 'ada', text: 'hi' } });
 * // message {"user":"ada","text":"hi"}
 * await connection.send({ data: 'plain text' }); // unnamed: a `message` event
 * // message plain text
 * ```
 * @category Testing
 */
export interface MockSseEvent {
  /**
   * The event name (`event:` field); omitted means `message`.
   * @defaultValue none: a `message` event
   */
  readonly event?: string;
  /**
   * The payload: a string is sent as is (split into `data:` lines), anything else as JSON.
   * @defaultValue none: no `data:` line (a client dispatches no event for the block)
   */
  readonly data?: unknown;
  /**
   * The `id:` field.
   * @defaultValue none
   */
  readonly id?: string;
  /**
   * The `retry:` field, in milliseconds.
   * @defaultValue none
   */
  readonly retry?: number;
}

/**
 * Encodes an event in the `text/event-stream` format, as a correct server would.
 *
 * @example
 * ```ts
 * import { encodeSseEvent } from 'rx-sse/testing';
 *
 * encodeSseEvent({ event: 'presence', id: '7', data: { online: 3 } });
 * // 'event: presence\nid: 7\ndata: {"online":3}\n\n'
 * ```
 * @category Testing
 */
export function encodeSseEvent(fields: MockSseEvent): string {
  let out = '';
  if (fields.event !== undefined) out += `event: ${fields.event}\n`;
  if (fields.id !== undefined) out += `id: ${fields.id}\n`;
  if (fields.retry !== undefined) out += `retry: ${fields.retry}\n`;
  if (fields.data !== undefined) {
    const text = typeof fields.data === 'string' ? fields.data : JSON.stringify(fields.data);
    for (const line of text.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  }
  return `${out}\n`;
}

/**
 * The request a connection was opened with.
 *
 * @example
 * ```ts
 * import { fromSse } from 'rx-sse';
 * import { createMockSseFetch } from 'rx-sse/testing';
 *
 * const mock = createMockSseFetch();
 * const headers = { Authorization: 'Bearer abc' };
 * fromSse('https://api.test/rooms/7', { fetch: mock.fetch, headers }).subscribe();
 * const connection = await mock.connection();
 * expect(connection.request.headers['authorization']).toBe('Bearer abc');
 * expect(connection.request.url).toBe('https://api.test/rooms/7');
 * ```
 * @category Testing
 */
export interface MockSseRequest {
  /** The URL requested, as the client passed it (relative URLs stay relative). */
  readonly url: string;
  /** The HTTP method, upper-cased. */
  readonly method: string;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text, if any. */
  readonly body: string | undefined;
}

/**
 * A scripted response that is not an event stream: an error status, a 204, a wrong content type.
 *
 * @example
 * ```ts
 * import { createMockSseFetch } from 'rx-sse/testing';
 *
 * const mock = createMockSseFetch();
 * mock.respondWith({ status: 401 }); // the next request fails: onUnauthorized, or a typed error
 * mock.respondWith({ status: 204 }); // the one after: "no more events", the stream completes
 * ```
 * @category Testing
 */
export interface MockSseResponse {
  /** The HTTP status, e.g. 401, 204 or 503. */
  readonly status: number;
  /**
   * Response headers (e.g. `retry-after`).
   * @defaultValue `{ 'content-type': 'text/plain' }`
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The response body (ignored for 204).
   * @defaultValue `''`
   */
  readonly body?: string;
}

/**
 * One connection the client opened: inspect its request, then drive it.
 *
 * Each method that writes returns a promise that resolves once the client has read what was
 * written (and so has dispatched the events in it), or has gone away.
 *
 * @example
 * ```ts
 * import { fromSse } from 'rx-sse';
 * import { createMockSseFetch } from 'rx-sse/testing';
 *
 * const mock = createMockSseFetch();
 * fromSse('https://api.test/counter', { fetch: mock.fetch }).subscribe();
 * const connection = await mock.connection();
 * await connection.send({ event: 'count', id: '1', data: 3 });
 * await connection.comment('keep-alive');
 * connection.drop(); // a network failure: the client retries with last-event-id: 1
 * const next = await mock.connection();
 * expect(next.request.headers['last-event-id']).toBe('1');
 * ```
 * @category Testing
 */
export interface MockSseConnection {
  /** What the client sent. */
  readonly request: MockSseRequest;
  /** Whether the connection is over: closed by the test, dropped, or aborted by the client. */
  readonly closed: boolean;
  /** Whether the client aborted it (unsubscribed, or its signal aborted). */
  readonly aborted: boolean;
  /** Resolves when the connection is over, with how it ended. */
  readonly done: Promise<'closed' | 'dropped' | 'aborted'>;
  /** Sends one event. */
  send(event: MockSseEvent): Promise<void>;
  /** Sends a comment line (a heartbeat). */
  comment(text?: string): Promise<void>;
  /** Writes raw bytes of the stream, e.g. half an event. */
  write(raw: string): Promise<void>;
  /** Ends the stream cleanly (the client will reconnect unless told otherwise). */
  close(): void;
  /** Fails the stream mid-way, like a network error. */
  drop(error?: Error): void;
}

/**
 * Options of {@link createMockSseFetch}.
 *
 * @example
 * ```ts
 * import { createMockSseFetch } from 'rx-sse/testing';
 *
 * // Expired tokens get a 401; anything else opens a stream the test drives.
 * const mock = createMockSseFetch({
 *   respond: (request) =>
 *     request.headers['authorization'] === 'Bearer expired' ? { status: 401 } : undefined,
 * });
 * ```
 * @category Testing
 */
export interface MockSseFetchOptions {
  /**
   * Decides how to answer a request: return a {@link MockSseResponse} to answer with it, or
   * `undefined` to open an event stream (a {@link MockSseConnection}). Responses queued with
   * `respondWith` take precedence.
   * @defaultValue every request opens an event stream
   */
  readonly respond?: (request: MockSseRequest) => MockSseResponse | undefined;
}

/**
 * The mock: pass `fetch` to `fromSse` or `createSseClient`, then drive what it answers.
 *
 * @example
 * ```ts
 * import { createSseClient, defineEndpoint } from 'rx-sse';
 * import { createMockSseFetch } from 'rx-sse/testing';
 * import { z } from 'zod';
 *
 * const mock = createMockSseFetch();
 * const api = createSseClient({
 *   fetch: mock.fetch,
 *   endpoints: { feed: defineEndpoint({ path: '/api/feed', events: { item: z.string() } }) },
 * });
 * api.feed().subscribe();
 * const connection = await mock.connection();
 * expect(mock.requests).toHaveLength(1);
 * expect(connection.request.url).toBe('/api/feed');
 * ```
 * @category Testing
 */
export interface MockSseFetch {
  /** The `fetch` to inject. */
  readonly fetch: typeof fetch;
  /** Every connection opened so far, oldest first. */
  readonly connections: readonly MockSseConnection[];
  /** Every request received, event streams and scripted responses alike. */
  readonly requests: readonly MockSseRequest[];
  /**
   * Resolves with connection number `index` (0-based) once the client has opened it: it accepted
   * the response (so it has reported the `open` state) and is reading the stream — or the
   * connection is already over. Without an index: the first connection not yet handed out by an
   * index-less call — so successive `await mock.connection()` calls walk through the connections
   * in order. In a React test, await it inside `act()` so the `open` render happens there.
   */
  connection(index?: number): Promise<MockSseConnection>;
  /** Answers the next request(s) with these responses, in order, instead of a stream. */
  respondWith(...responses: MockSseResponse[]): void;
  /** Connections that are still open. */
  openConnections(): MockSseConnection[];
}

function abortError(): Error {
  const error = new Error('The operation was aborted.');
  error.name = 'AbortError';
  return error;
}

async function readBody(body: BodyInit | null | undefined): Promise<string | undefined> {
  if (body === undefined || body === null) return undefined;
  return new Response(body).text();
}

function headerRecord(headers: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

class Connection implements MockSseConnection {
  closed = false;
  aborted = false;
  readonly done: Promise<'closed' | 'dropped' | 'aborted'>;
  readonly stream: ReadableStream<Uint8Array>;
  private readonly encoder = new TextEncoder();
  private readonly queue: { chunk: Uint8Array; delivered: () => void }[] = [];
  private handedOut: (() => void) | undefined;
  private wake: (() => void) | undefined;
  private end: { kind: 'closed' } | { kind: 'dropped'; error: Error } | undefined;
  private finish!: (how: 'closed' | 'dropped' | 'aborted') => void;
  /** Resolves once the client reads the body (it has accepted the response) or it is over. */
  readonly started: Promise<void>;
  private markStarted!: () => void;

  constructor(
    readonly request: MockSseRequest,
    signal: AbortSignal | null | undefined,
  ) {
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
    this.started = new Promise((resolve) => {
      this.markStarted = resolve;
    });
    this.stream = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          this.markStarted();
          // Asked for more: whatever was handed out before has been read and dispatched.
          this.handedOut?.();
          this.handedOut = undefined;
          while (this.queue.length === 0 && this.end === undefined) {
            await new Promise<void>((resolve) => (this.wake = resolve));
          }
          const next = this.queue.shift();
          if (next !== undefined) {
            controller.enqueue(next.chunk);
            this.handedOut = next.delivered;
            return;
          }
          if (this.end?.kind === 'dropped') controller.error(this.end.error);
          else controller.close();
        },
        cancel: () => this.settle('aborted'),
      },
      { highWaterMark: 0 },
    );
    signal?.addEventListener('abort', () => this.settle('aborted'), { once: true });
  }

  send(event: MockSseEvent): Promise<void> {
    return this.write(encodeSseEvent(event));
  }

  comment(text = ''): Promise<void> {
    return this.write(`:${text ? ` ${text}` : ''}\n\n`);
  }

  write(raw: string): Promise<void> {
    if (this.closed || this.end !== undefined) return Promise.resolve();
    return new Promise<void>((delivered) => {
      this.queue.push({ chunk: this.encoder.encode(raw), delivered });
      this.poke();
    });
  }

  close(): void {
    if (this.end !== undefined || this.closed) return;
    this.end = { kind: 'closed' };
    this.poke();
    this.settle('closed');
  }

  drop(error: Error = new TypeError('network error')): void {
    if (this.end !== undefined || this.closed) return;
    this.end = { kind: 'dropped', error };
    this.poke();
    this.settle('dropped');
  }

  private poke(): void {
    this.wake?.();
    this.wake = undefined;
  }

  private settle(how: 'closed' | 'dropped' | 'aborted'): void {
    if (this.closed) return;
    this.closed = true;
    this.aborted = how === 'aborted';
    this.markStarted();
    if (how === 'aborted') {
      this.end ??= { kind: 'dropped', error: abortError() };
      this.poke();
    }
    // Nobody will read what is still queued: release the writers.
    this.handedOut?.();
    for (const pending of this.queue.splice(0)) pending.delivered();
    this.finish(how);
  }
}

/**
 * Creates an in-memory SSE `fetch` for tests: no server, no network, fully deterministic. Every
 * request opens a {@link MockSseConnection} you drive — send events, comments, raw bytes, close it
 * cleanly or drop it — unless you script a response (`respondWith(…)` or the `respond` option):
 * an HTTP error, a 204, a wrong content type. Works with Jest's fake timers.
 *
 * @example
 * ```ts
 * import { firstValueFrom } from 'rxjs';
 * import { z } from 'zod';
 * import { createSseClient, defineEndpoint } from 'rx-sse';
 * import { createMockSseFetch } from 'rx-sse/testing';
 *
 * const mock = createMockSseFetch();
 * const api = createSseClient({
 *   baseUrl: 'https://api.test',
 *   fetch: mock.fetch,
 *   endpoints: {
 *     online: defineEndpoint({ path: '/online', events: { count: z.number() } }),
 *   },
 * });
 *
 * const first = firstValueFrom(api.online());
 * const connection = await mock.connection();
 * await connection.send({ event: 'count', data: 3 });
 * console.log((await first).data); // 3
 * console.log(connection.aborted); // true: firstValueFrom unsubscribed, the connection closed
 * ```
 * @category Testing
 */
export function createMockSseFetch(options: MockSseFetchOptions = {}): MockSseFetch {
  const connections: Connection[] = [];
  const requests: MockSseRequest[] = [];
  const scripted: MockSseResponse[] = [];
  const waiting = new Map<number, ((connection: Connection) => void)[]>();
  let cursor = 0;

  const mockFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (signal?.aborted) throw abortError();
    const request: MockSseRequest = {
      url: input instanceof Request ? input.url : String(input),
      method: (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase(),
      headers: headerRecord(
        init?.headers ?? (input instanceof Request ? input.headers : undefined),
      ),
      body: await readBody(init?.body),
    };
    requests.push(request);
    const response = scripted.shift() ?? options.respond?.(request);
    if (response !== undefined) {
      const nullBody = [101, 204, 205, 304].includes(response.status);
      return new Response(nullBody ? null : (response.body ?? ''), {
        status: response.status,
        headers: response.headers ?? { 'content-type': 'text/plain' },
      });
    }
    const connection = new Connection(request, signal);
    const index = connections.push(connection) - 1;
    for (const resolve of waiting.get(index) ?? []) resolve(connection);
    waiting.delete(index);
    return new Response(connection.stream, {
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
    });
  };

  return {
    fetch: mockFetch,
    connections,
    requests,
    async connection(index = cursor++) {
      const connection =
        connections[index] ??
        (await new Promise<Connection>((resolve) => {
          waiting.set(index, [...(waiting.get(index) ?? []), resolve]);
        }));
      await connection.started;
      return connection;
    },
    respondWith(...responses) {
      scripted.push(...responses);
    },
    openConnections() {
      return connections.filter((connection) => !connection.closed);
    },
  };
}
