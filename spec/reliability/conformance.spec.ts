/**
 * Parsing conformance with the WHATWG event-stream rules, through the real path: a real server
 * writes the bytes, real `fetch` reads them, the body is re-chunked at fixed and random points
 * (every split point for short cases), then the transport and `fromSse` parse them.
 *
 * Every case is checked three ways per chunking: the messages, the `last-event-id` the reconnect
 * sends (the last event ID after the stream, UTF-8 encoded like EventSource), and the reconnect
 * delay (the last valid `retry:` value is its floor). The oracle (support/whatwg.ts) must agree
 * with the table too.
 */
import type { SseConnectionState, SseMessage } from '../../src/index.js';
import { chunkingFetch, seededRandom, splitOnceAt } from '../support/chunking.js';
import { openSse } from '../support/sse-server.js';
import { SECRET_HEADERS, settle, sse, useReliabilityServer } from './support/harness.js';
import { interpret } from './support/whatwg.js';

interface Case {
  readonly name: string;
  /** The body: text (sent as UTF-8) or raw bytes. */
  readonly body: string | Buffer;
  readonly messages: SseMessage[];
  /** The last event ID after the stream. @defaultValue the last message's, or '' */
  readonly last?: string;
  /** The last valid `retry:` value. */
  readonly retry?: number;
  /** Long bodies: random chunkings only. */
  readonly long?: boolean;
}

function m(data: string, fields: { event?: string; id?: string; last?: string } = {}): SseMessage {
  return {
    event: fields.event ?? 'message',
    data,
    id: fields.id,
    lastEventId: fields.last ?? fields.id ?? '',
  };
}

const bytes = (...parts: Array<string | number[]>): Buffer =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))),
  );

const CASES: Case[] = [
  // Line endings.
  { name: 'LF line endings', body: 'data: a\n\ndata: b\n\n', messages: [m('a'), m('b')] },
  { name: 'CRLF line endings', body: 'data: a\r\n\r\ndata: b\r\n\r\n', messages: [m('a'), m('b')] },
  { name: 'CR line endings', body: 'data: a\r\rdata: b\r\r', messages: [m('a'), m('b')] },
  {
    name: 'mixed line endings inside one event',
    body: 'data: a\rdata: b\r\ndata: c\n\r\n',
    messages: [m('a\nb\nc')],
  },
  {
    name: 'LF followed by CR is two line endings',
    body: 'data: a\n\rdata: b\n\n',
    messages: [m('a'), m('b')],
  },
  { name: 'blank lines only', body: '\n\n\r\n\r\r', messages: [] },
  { name: 'a final CR completes a line, not an event', body: 'data: a\r', messages: [] },
  // Byte order mark.
  { name: 'BOM at the stream start', body: '\uFEFFdata: a\n\n', messages: [m('a')] },
  { name: 'BOM alone on the first line', body: '\uFEFF\ndata: a\n\n', messages: [m('a')] },
  {
    name: 'only one BOM is stripped at the start',
    body: '\uFEFF\uFEFFdata: a\n\ndata: b\n\n',
    messages: [m('b')],
  },
  {
    name: 'a BOM later in the stream is part of the field name',
    body: 'data: a\n\n\uFEFFdata: b\n\n',
    messages: [m('a')],
  },
  {
    name: 'a BOM starting a line inside an event',
    body: 'data: a\n\uFEFFdata: b\n\uFEFFid: 9\n\n',
    messages: [m('a')],
  },
  {
    name: 'a BOM at the start of a value is kept',
    body: 'event: \uFEFFe\nid: \uFEFF1\ndata: \uFEFFb\n\ndata:\uFEFF\n\n',
    messages: [m('\uFEFFb', { event: '\uFEFFe', id: '\uFEFF1' }), m('\uFEFF', { last: '\uFEFF1' })],
  },
  // Comments and fields.
  {
    name: 'comments anywhere',
    body: ': c\n\n:\n\ndata: a\n: mid\ndata: b\n\n',
    messages: [m('a\nb')],
  },
  { name: 'heartbeat comments are not messages', body: ': ping\n\n: ping\r\n\r\n', messages: [] },
  { name: 'data without a colon: empty value', body: 'data\n\n', messages: [m('')] },
  {
    name: 'data without a colon, twice, then with a value',
    body: 'data\ndata\n\ndata\ndata: x\n\n',
    messages: [m('\n'), m('\nx')],
  },
  {
    name: 'event without a colon resets the type',
    body: 'event: a\nevent\ndata: x\n\n',
    messages: [m('x')],
  },
  {
    name: 'id without a colon resets the last event ID',
    body: 'id: 1\ndata: a\n\nid\ndata: b\n\n',
    messages: [m('a', { id: '1' }), m('b', { id: '' })],
  },
  {
    name: 'leading empty data lines',
    body: 'data:\ndata: x\n\ndata: \ndata:\ndata: y\n\n',
    messages: [m('\nx'), m('\n\ny')],
  },
  {
    name: 'only empty data lines',
    body: 'data:\n\ndata:\ndata:\n\n',
    messages: [m(''), m('\n')],
  },
  { name: 'a trailing empty data line', body: 'data: x\ndata:\n\n', messages: [m('x\n')] },
  {
    name: 'exactly one leading space is removed',
    body: 'data:x\n\ndata:  x\n\ndata:\tx\n\ndata:   \n\n',
    messages: [m('x'), m(' x'), m('\tx'), m('  ')],
  },
  { name: 'colons inside the value', body: 'data: a:b: c\n\n', messages: [m('a:b: c')] },
  {
    name: 'unknown and wrongly cased fields are ignored',
    body: 'foo: 1\nDATA: no\nData: no\ndata : no\nEvent: no\ndata: yes\n\n',
    messages: [m('yes')],
  },
  { name: 'NUL inside data is kept', body: 'data: a\u0000b\n\n', messages: [m('a\u0000b')] },
  // Event type.
  {
    name: 'event type resets after a dispatch',
    body: 'event: a\ndata: 1\n\ndata: 2\n\n',
    messages: [m('1', { event: 'a' }), m('2')],
  },
  {
    name: 'event type resets after a block without data',
    body: 'event: a\n\ndata: 2\n\n',
    messages: [m('2')],
  },
  {
    name: 'the last event field wins',
    body: 'event: a\nevent: b\ndata: x\n\n',
    messages: [m('x', { event: 'b' })],
  },
  { name: 'an empty event name means message', body: 'event:\ndata: x\n\n', messages: [m('x')] },
  // Ids.
  {
    name: 'the id persists across events',
    body: 'id: 1\ndata: a\n\ndata: b\n\n',
    messages: [m('a', { id: '1' }), m('b', { last: '1' })],
  },
  {
    name: 'an id-only block moves the last event ID and is not a message',
    body: 'id: 1\n\ndata: a\n\nid: 2\n\n',
    messages: [m('a', { last: '1' })],
    last: '2',
  },
  {
    name: 'an id after the data of its block',
    body: 'data: a\nid: 2\n\n',
    messages: [m('a', { id: '2' })],
  },
  {
    name: 'an empty id resets the last event ID',
    body: 'id: 1\ndata: a\n\nid:\ndata: b\n\n',
    messages: [m('a', { id: '1' }), m('b', { id: '' })],
  },
  {
    name: 'an id containing NUL is ignored',
    body: 'id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\nid: \u0000\n\n',
    messages: [m('a', { id: '1' }), m('b', { last: '1' })],
  },
  {
    name: 'non-ASCII ids and event names',
    body: 'event: caf\u00e9\nid: \u20ac-\u65e5\u672c-\ud83d\ude00\ndata: x\n\n',
    messages: [m('x', { event: 'caf\u00e9', id: '\u20ac-\u65e5\u672c-\ud83d\ude00' })],
  },
  // retry.
  { name: 'retry: a valid value', body: 'retry: 50\ndata: a\n\n', messages: [m('a')], retry: 50 },
  {
    name: 'retry: only ASCII digits count',
    body: 'retry: 40\n\nretry: 12abc\nretry: -5\nretry: 1.5\nretry:\nretry\nretry:  60\nretry: \uff16\uff10\n\n',
    messages: [],
    retry: 40,
  },
  { name: 'retry: 0 is valid', body: 'retry: 40\nretry: 0\n\n', messages: [], retry: 0 },
  // Unfinished events.
  {
    name: 'an unfinished final event is discarded',
    body: 'data: a\n\ndata: b\n',
    messages: [m('a')],
  },
  {
    name: 'an unfinished final line is discarded',
    body: 'data: a\n\ndata: b',
    messages: [m('a')],
  },
  {
    name: "an unfinished event's id is not resumed from",
    body: 'id: 1\ndata: a\n\nid: 2\ndata: b\n',
    messages: [m('a', { id: '1' })],
  },
  {
    name: "an unfinished line's id is not resumed from",
    body: 'id: 1\ndata: a\n\nid: 2',
    messages: [m('a', { id: '1' })],
  },
  // UTF-8.
  {
    name: 'multi-byte UTF-8 (2, 3 and 4 bytes) split anywhere',
    body: 'data: caf\u00e9 \u20ac \ud83d\ude00\n\ndata: \u00e5\u00e4\u00f6\n\n',
    messages: [m('caf\u00e9 \u20ac \ud83d\ude00'), m('\u00e5\u00e4\u00f6')],
  },
  {
    name: 'invalid UTF-8 becomes U+FFFD',
    body: bytes(
      'data: ',
      [0xff, 0xfe],
      'x\n\ndata: ',
      [0xe2, 0x82],
      '\n\ndata: ',
      [0xc0, 0xaf, 0xed, 0xa0, 0x80],
      '\n\n',
    ),
    messages: [m('\uFFFD\uFFFDx'), m('\uFFFD'), m('\uFFFD'.repeat(5))],
  },
  {
    name: 'invalid UTF-8 next to the colon',
    body: bytes('data:', [0xe2], ' x\n\n', [0xff], 'data: no\n\n'),
    messages: [m('\uFFFD x')],
  },
  {
    name: 'invalid UTF-8 in an id and an event name',
    body: bytes('event: ', [0xff], '\nid: a', [0xe2, 0x82], '\ndata: x\n\n'),
    messages: [m('x', { event: '\uFFFD', id: 'a\uFFFD' })],
  },
  {
    name: 'a 20 KB line',
    body: `data: ${'x'.repeat(20_000)}\n\n`,
    messages: [m('x'.repeat(20_000))],
    long: true,
  },
];

/** The floor of reconnect delays in these tests: `retry:` values above it show in the state. */
const FLOOR = 2;

/** `last-event-id` of each run's reconnect, by run. */
const resumedWith = new Map<string, string | undefined>();

const { server } = useReliabilityServer({
  setup: (started) =>
    CASES.forEach((c, index) => {
      const body = typeof c.body === 'string' ? Buffer.from(c.body, 'utf8') : c.body;
      started.route(`/case/${index}`, (req, res, seen) => {
        if (seen.url.searchParams.get('attempt') === '0') {
          openSse(res);
          res.end(body);
          return;
        }
        const header = req.headers['last-event-id'];
        resumedWith.set(
          seen.url.searchParams.get('run') ?? '',
          header === undefined ? undefined : Buffer.from(String(header), 'latin1').toString('utf8'),
        );
        res.writeHead(204).end();
      });
    }),
  summary: () =>
    console.log(
      `conformance: ${CASES.length} cases, ${runs} reads through the real path ` +
        `(${EVERY_SPLIT ? 'every split point, ' : ''}fixed and random chunkings), each with a reconnect`,
    ),
});

type Chunking = { readonly name: string; readonly size: () => () => number };

/** Every split point too (slow): in the long run only. */
const EVERY_SPLIT = process.env.RX_SSE_LONG === '1';

function chunkings(length: number, long: boolean): Chunking[] {
  const fixed = (name: string, size: number): Chunking => ({ name, size: () => () => size });
  const random = (seed: number, max: number): Chunking => ({
    name: `random seed ${seed}`,
    size: () => {
      const next = seededRandom(seed);
      return () => 1 + Math.floor(next() * max);
    },
  });
  const out = [fixed('whole', 1 << 20)];
  if (long) return [...out, ...[1, 2, 3, 4].map((seed) => random(seed, 4096))];
  out.push(fixed('1 byte', 1), fixed('2 bytes', 2), fixed('3 bytes', 3), fixed('5 bytes', 5));
  for (const seed of [1, 2, 3, 4]) out.push(random(seed, 7));
  for (let at = 1; EVERY_SPLIT && at < length; at++) {
    out.push({
      name: `split at ${at}`,
      size: () => splitOnceAt(at),
    });
  }
  return out;
}

let runs = 0;

/** Reads one case through the real path; returns what a subscriber and the server saw. */
async function run(index: number, chunking: Chunking) {
  const id = String(runs++);
  let attempt = 0;
  const delays: number[] = [];
  const errors: string[] = [];
  const outcome = await settle(
    sse(() => `${server.url}/case/${index}?run=${id}&attempt=${attempt++}`, {
      fetch: chunkingFetch(chunking.size()),
      retry: { initialDelay: FLOOR, jitter: 'none' },
      dedupe: false,
      state: (s: SseConnectionState) => {
        if (s.status === 'reconnecting') delays.push(s.delay);
        if (s.status === 'reconnecting' || s.status === 'closed') errors.push(String(s.error));
      },
    }),
  );
  return { outcome, delays, errors, resumed: resumedWith.get(id) };
}

describe('conformance with the WHATWG event-stream rules', () => {
  it('the oracle agrees with the table', () => {
    for (const c of CASES) {
      const result = interpret(typeof c.body === 'string' ? Buffer.from(c.body, 'utf8') : c.body);
      expect({ name: c.name, messages: result.messages }).toEqual({
        name: c.name,
        messages: c.messages,
      });
      expect(result.lastEventId).toBe(c.last ?? c.messages.at(-1)?.lastEventId ?? '');
      expect(result.retry).toBe(c.retry);
    }
  });

  it.each(CASES.map((c, index) => [c.name, index] as const))(
    '%s',
    async (_name, index) => {
      const c = CASES[index] as Case;
      const length = typeof c.body === 'string' ? Buffer.byteLength(c.body) : c.body.length;
      const last = c.last ?? c.messages.at(-1)?.lastEventId ?? '';
      const results = await Promise.all(
        chunkings(length, c.long === true).map(async (chunking) => ({
          chunking: chunking.name,
          ...(await run(index, chunking)),
        })),
      );
      for (const r of results) {
        expect({ chunking: r.chunking, messages: r.outcome.values, errors: r.errors }).toEqual({
          chunking: r.chunking,
          messages: c.messages,
          // The clean close is reconnected from; the reconnect's 204 closes without an error.
          errors: [expect.stringContaining('SseClosedError'), 'undefined'],
        });
        expect({ chunking: r.chunking, resumedWith: r.resumed }).toEqual({
          chunking: r.chunking,
          resumedWith: last === '' ? undefined : last,
        });
        expect({ chunking: r.chunking, delays: r.delays }).toEqual({
          chunking: r.chunking,
          delays: [Math.max(FLOOR, c.retry ?? 0)],
        });
        expect(r.outcome.completed).toBe(true);
      }
    },
    60_000,
  );
});

describe('the last event ID across reconnects', () => {
  function connections(path: string, bodies: string[]): string[] {
    const seen: string[] = [];
    server.route(path, (req, res) => {
      const header = req.headers['last-event-id'];
      seen.push(
        header === undefined ? '-' : Buffer.from(String(header), 'latin1').toString('utf8'),
      );
      const body = bodies[seen.length - 1];
      if (body === undefined) return void res.writeHead(204).end();
      openSse(res);
      res.end(body);
    });
    return seen;
  }

  it('persists into the next connection, through blocks without data and NUL ids', async () => {
    const seen = connections('/across', [
      'id: 5\ndata: a\n\ndata: b\n\n',
      'data: c\n\nid: 6\u00007\n\n',
      'id: \u65e5\u672c\n\n',
      'data: d\n\nid\n\n',
      'data: e\n\n',
    ]);
    const { values } = await settle(
      sse(`${server.url}/across`, { retry: { initialDelay: 1, jitter: 'none' } }),
    );
    expect(values).toEqual([
      m('a', { id: '5' }),
      m('b', { last: '5' }),
      m('c', { last: '5' }),
      m('d', { last: '\u65e5\u672c' }),
      m('e'),
    ]);
    expect(seen).toEqual(['-', '5', '5', '\u65e5\u672c', '-', '-']);
  });

  it('starts from the lastEventId option and replaces a caller-supplied header', async () => {
    const seen = connections('/seeded', ['data: a\n\n']);
    const { values } = await settle(
      sse(`${server.url}/seeded`, {
        lastEventId: '41',
        headers: { ...SECRET_HEADERS, 'Last-Event-ID': 'from the caller' },
        retry: { initialDelay: 1, jitter: 'none' },
      }),
    );
    expect(values).toEqual([m('a', { last: '41' })]);
    expect(seen).toEqual(['41', '41']);
  });
});

describe('documented deviations (docs/reliability.md)', () => {
  it('a retry: value longer than 15 digits is ignored (the spec would wait ~39,000 years)', async () => {
    const body = 'retry: 40\nretry: 1234567890123456\ndata: a\n\n';
    expect(interpret(body).retry).toBe(1234567890123456);
    server.route('/long-retry', (_req, res, seen) => {
      if (seen.url.searchParams.get('attempt') === '0') return void openSse(res).end(body);
      res.writeHead(204).end();
    });
    let attempt = 0;
    const delays: number[] = [];
    const { values } = await settle(
      sse(() => `${server.url}/long-retry?attempt=${attempt++}`, {
        retry: { initialDelay: FLOOR, jitter: 'none' },
        state: (s) => {
          if (s.status === 'reconnecting') delays.push(s.delay);
        },
      }),
    );
    expect(values.map((m) => m.data)).toEqual(['a']);
    expect(delays).toEqual([40]);
  });
});
