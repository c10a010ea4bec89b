// The ways of reading the same stream that the cases compare. Each row opens one stream and
// reports what it delivers; the case drivers (cases.mjs) verify and time it. `cases` lists the
// cases a row takes part in: the rows that parse JSON and validate it by hand only run throughput.
//
//   open({ base, path, query, fetch, onEvent(id, data), onChunk(bytes, text), onError(error) })
//     → close()
//
// Rows that parse call `onEvent` with the event id (a string) and the data as they deliver it:
// a string for the raw rows, the validated object for the typed client. The bare read loop parses
// nothing: it calls `onChunk` with each chunk's size and decoded text.
import { EventSource } from 'eventsource';
import { createEventSource } from 'eventsource-client';
import { createSseClient, defineEndpoint, fromSse } from 'rx-sse';
import { z } from 'zod';
import { FLOOR_MODULE } from './floor.mjs';

const { fetchEventSource } = await import(FLOOR_MODULE);

function urlOf(base, path, query) {
  return `${base}${path}?${new URLSearchParams(query)}`;
}

/** The schema of the payloads (payloads.mjs); `t` is the server's stamp in latency streams. */
export const messageSchema = z.object({
  t: z.string().optional(),
  user: z.string(),
  text: z.string(),
  ts: z.number(),
  tags: z.array(z.string()),
  n: z.number().int(),
  ok: z.boolean(),
});

/** A schema that accepts anything: the typed client's cost without the cost of validation. */
export const anySchema = z.unknown();

/** The schema of the big event's payload (`BIG_HEAD` … `BIG_TAIL` in payloads.mjs). */
export const bigSchema = z.object({ user: z.string(), text: z.string() });

const query = z.record(z.string(), z.union([z.string(), z.number()]));
const endpoint = (path, schema = messageSchema) =>
  defineEndpoint({ path, query, events: { message: schema } });

const clients = new Map();
/** One typed client per base URL and fetch, created once, as an application would. */
function typedClient(base, fetchFn) {
  const key = fetchFn ?? globalThis.fetch;
  let byBase = clients.get(key);
  if (byBase === undefined) {
    byBase = new Map();
    clients.set(key, byBase);
  }
  let client = byBase.get(base);
  if (client === undefined) {
    client = createSseClient({
      baseUrl: base,
      ...(fetchFn === undefined ? {} : { fetch: fetchFn }),
      endpoints: {
        events: endpoint('/events'),
        paced: endpoint('/paced'),
        big: endpoint('/big', bigSchema),
        hello: endpoint('/hello'),
        eventsAny: endpoint('/events', anySchema),
      },
    });
    byBase.set(base, client);
  }
  return client;
}

/** Every case but the JSON rows' throughput-only one. */
const ALL_CASES = ['throughput', 'latency', 'big', 'many', 'churn', 'tenk'];
const PARSING_CASES = ['throughput', 'latency', 'big'];

/**
 * What an application writes by hand to get the typed client's result from a raw row: `JSON.parse`
 * and the same zod schema's `safeParse` in the message callback.
 */
function validated(onEvent, onError) {
  return (id, data) => {
    const result = messageSchema.safeParse(JSON.parse(data));
    if (result.success) onEvent(id, result.data);
    else onError(new Error(`invalid payload: ${result.error.message}`));
  };
}

function openFes({ base, path, query: q, fetch: fetchFn, onEvent, onError }) {
  const controller = new AbortController();
  fetchEventSource(urlOf(base, path, q), {
    signal: controller.signal,
    openWhenHidden: true,
    ...(fetchFn === undefined ? {} : { fetch: fetchFn }),
    onmessage: (message) => onEvent(message.id, message.data),
    onerror: (error) => {
      throw error;
    },
  }).catch(onError);
  return () => controller.abort();
}

function openEventSource({ base, path, query: q, fetch: fetchFn, onEvent, onError }) {
  const source = new EventSource(
    urlOf(base, path, q),
    fetchFn === undefined ? undefined : { fetch: fetchFn },
  );
  source.onmessage = (event) => onEvent(event.lastEventId, event.data);
  source.onerror = (event) => onError(new Error(`eventsource error: ${event.message}`));
  return () => source.close();
}

function openEventSourceClient({ base, path, query: q, fetch: fetchFn, onEvent, onError }) {
  const source = createEventSource({
    url: urlOf(base, path, q),
    ...(fetchFn === undefined ? {} : { fetch: fetchFn }),
    onMessage: (message) => onEvent(message.id, message.data),
    // It has no error callback: it reconnects on its own. The server never ends a stream, so a
    // scheduled reconnect means the stream failed.
    onScheduleReconnect: ({ delay }) =>
      onError(new Error(`eventsource-client lost the stream (reconnect in ${delay} ms)`)),
  });
  return () => source.close();
}

function openFromSse({ base, path, query: q, fetch: fetchFn, onEvent, onError }) {
  const subscription = fromSse(
    urlOf(base, path, q),
    fetchFn === undefined ? {} : { fetch: fetchFn },
  ).subscribe({ next: (message) => onEvent(message.id, message.data), error: onError });
  return () => subscription.unsubscribe();
}

function openTyped(endpointName) {
  return ({ base, path, query: q, fetch: fetchFn, onEvent, onError }) => {
    const call = typedClient(base, fetchFn)[endpointName ?? path.slice(1)];
    const subscription = call({ query: q }).subscribe({
      next: (event) => onEvent(event.id, event.data),
      error: onError,
    });
    return () => subscription.unsubscribe();
  };
}

/** The rows, in the order of the tables. `key` names them in the JSON output. */
export const ROWS = [
  { key: 'fes', label: 'fetchEventSource (raw callbacks)', cases: ALL_CASES, open: openFes },
  { key: 'eventsource', label: 'eventsource 5', cases: ALL_CASES, open: openEventSource },
  {
    key: 'esc',
    label: 'eventsource-client (onMessage)',
    cases: ALL_CASES,
    open: openEventSourceClient,
  },
  { key: 'fromSse', label: 'rx-sse fromSse (raw messages)', cases: ALL_CASES, open: openFromSse },
  { key: 'typed', label: 'rx-sse typed client + zod', cases: ALL_CASES, open: openTyped() },
  {
    key: 'typedAny',
    label: 'rx-sse typed client, schema accepting anything',
    cases: ['throughput'],
    // Only the `/events` stream has this endpoint.
    open: openTyped('eventsAny'),
  },
  {
    key: 'esZod',
    label: 'eventsource 5 + JSON.parse + zod safeParse',
    cases: ['throughput'],
    open: (args) => openEventSource({ ...args, onEvent: validated(args.onEvent, args.onError) }),
  },
  {
    key: 'escZod',
    label: 'eventsource-client + JSON.parse + zod safeParse',
    cases: ['throughput'],
    open: (args) =>
      openEventSourceClient({ ...args, onEvent: validated(args.onEvent, args.onError) }),
  },
  {
    key: 'fromSseZod',
    label: 'rx-sse fromSse + JSON.parse + zod safeParse',
    cases: ['throughput'],
    open: (args) => openFromSse({ ...args, onEvent: validated(args.onEvent, args.onError) }),
  },
  {
    key: 'bare',
    label: 'bare fetch + TextDecoder (no parsing)',
    cases: PARSING_CASES,
    open({ base, path, query: q, fetch: fetchFn = globalThis.fetch, onChunk, onError }) {
      const controller = new AbortController();
      const read = async () => {
        const response = await fetchFn(urlOf(base, path, q), { signal: controller.signal });
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          onChunk(value.length, decoder.decode(value, { stream: true }));
        }
      };
      read().catch((error) => {
        if (!controller.signal.aborted) onError(error);
      });
      return () => controller.abort();
    },
  },
];

/**
 * A `fetch` whose response bodies arrive in pieces of exactly `size` bytes (the last one of each
 * network chunk may be shorter): how the big-event case makes chunking the same for every row.
 */
export function rechunkedFetch(size) {
  return async (input, init) => {
    const response = await globalThis.fetch(input, init);
    const reader = response.body.getReader();
    let current = new Uint8Array(0);
    let offset = 0;
    const body = new ReadableStream(
      {
        async pull(controller) {
          while (offset >= current.length) {
            const { done, value } = await reader.read();
            if (done) {
              controller.close();
              return;
            }
            current = value;
            offset = 0;
          }
          controller.enqueue(current.subarray(offset, offset + size));
          offset += size;
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
