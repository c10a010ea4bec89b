/**
 * The event-stream parser on its own (no network): whatever the bytes and however they are split
 * into chunks, it reads what the WHATWG rules read from the whole body at once; its size limit
 * counts bytes. The same rules through the real path: spec/reliability/conformance.spec.ts and
 * property.spec.ts.
 */
import fc from 'fast-check';
import { EventScanner, type DispatchRecord } from '../src/transport/event-scanner.js';
import type { SseMessage } from '../src/types.js';
import { interpret } from './reliability/support/whatwg.js';

const RUNS = process.env.RX_SSE_LONG === '1' ? 20_000 : 1_000;

class TooLarge extends Error {
  constructor(readonly size: number) {
    super(`too large: ${size}`);
  }
}

function scanner(maxEventSize = 1 << 20, retries: number[] = []): EventScanner {
  return new EventScanner({
    maxEventSize,
    lastEventId: '',
    onRetry: (ms) => retries.push(ms),
    tooLarge: (size) => new TooLarge(size),
  });
}

/** Feeds `chunks` and collects every record, also those completed before an error. */
function read(
  chunks: readonly Uint8Array[],
  maxEventSize?: number,
): { records: DispatchRecord[]; error?: unknown } {
  const s = scanner(maxEventSize);
  const records: DispatchRecord[] = [];
  const drain = (): void => {
    for (let r = s.shift(); r !== undefined; r = s.shift()) records.push(r);
  };
  try {
    for (const chunk of chunks) {
      s.push(chunk);
      drain();
    }
  } catch (error) {
    drain();
    return { records, error };
  }
  return { records };
}

const messages = (records: DispatchRecord[]): SseMessage[] =>
  records.filter((r): r is SseMessage => typeof r !== 'string');
const lastEventId = (records: DispatchRecord[]): string => {
  const last = records.at(-1);
  return last === undefined ? '' : typeof last === 'string' ? last : last.lastEventId;
};

/** `bytes` cut at the given offsets (sorted, deduplicated, inside the array). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...at, bytes.length]) {
    out.push(bytes.subarray(from, cut));
    from = cut;
  }
  return out;
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const bytewise = (bytes: Uint8Array): Uint8Array[] =>
  Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));

const concatBytes = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Bytes of a value: text with multi-byte characters, NUL, colons, BOMs, and invalid UTF-8. */
const valueBytes = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 6 }).map(utf8) },
      {
        weight: 2,
        arbitrary: fc
          .constantFrom(':', ' ', '\0', '\uFEFF', '\u00e9', '\u20ac', '\ud83d\ude00')
          .map(utf8),
      },
      // Not valid UTF-8 on their own: a lone continuation, truncated sequences, 0xFF.
      {
        weight: 1,
        arbitrary: fc
          .constantFrom([0x80], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xff])
          .map((b) => Uint8Array.from(b)),
      },
    ),
    { maxLength: 5 },
  )
  .map(concatBytes);
const eol = fc.constantFrom('\n', '\r', '\r\n').map(utf8);
/** One line: blank, a comment, or a field (known or not, with or without a colon and space). */
const line = fc.oneof(
  { weight: 3, arbitrary: eol },
  {
    weight: 7,
    arbitrary: fc
      .tuple(
        fc.oneof(
          { weight: 4, arbitrary: fc.constant('data') },
          { weight: 3, arbitrary: fc.constantFrom('id', 'event', 'retry', '') },
          { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 4 }) },
        ),
        fc.constantFrom('', ':', ': ', ':  '),
        valueBytes,
        eol,
      )
      .map(([name, colon, value, end]) => concatBytes([utf8(name + colon), value, end])),
  },
);
const body = fc
  .tuple(fc.boolean(), fc.array(line, { maxLength: 30 }), valueBytes)
  // An optional BOM; lines; maybe an unfinished last line.
  .map(([bom, lines, rest]) => concatBytes([utf8(bom ? '\uFEFF' : ''), ...lines, rest]));

describe('event scanner: the chunks do not matter', () => {
  it(`reads what the WHATWG rules read from the whole body, for ${RUNS} generated bodies split anywhere`, () => {
    let seen = 0;
    fc.assert(
      fc.property(body, fc.array(fc.nat(), { maxLength: 12 }), (bytes, cuts) => {
        const expected = interpret(bytes);
        const { records, error } = read(split(bytes, cuts));
        expect(error).toBeUndefined();
        expect(messages(records)).toEqual(expected.messages);
        expect(lastEventId(records)).toBe(expected.lastEventId);
        seen += expected.messages.length;
      }),
      { numRuns: RUNS },
    );
    // Guards against a generator that produces nothing worth checking.
    expect(seen).toBeGreaterThan(RUNS / 4);
  });

  it('reads the same byte by byte as in one piece, CRLF and characters split included', () => {
    const text =
      '\uFEFFdata: caf\u00e9\r\n\r\nid: \u20ac1\rdata: a\rdata: \ud83d\ude00\r\r' +
      'event: e\ndata\n\n: comment\r\nretry: 10\r\ndata:  two\r\n\r\n';
    const whole = read([utf8(text)]).records;
    expect(messages(whole)).toEqual([
      { event: 'message', data: 'caf\u00e9', id: undefined, lastEventId: '' },
      { event: 'message', data: 'a\n\ud83d\ude00', id: '\u20ac1', lastEventId: '\u20ac1' },
      { event: 'e', data: '', id: undefined, lastEventId: '\u20ac1' },
      { event: 'message', data: ' two', id: undefined, lastEventId: '\u20ac1' },
    ]);
    expect(read(bytewise(utf8(text))).records).toEqual(whole);
  });
});

describe('event scanner: maxEventSize counts bytes', () => {
  const limit = 1024;
  // 300 × 3 bytes = 900 bytes (fits); 400 × 3 bytes = 1,200 bytes, but only 400 characters.
  const fits = `data: ${'\u20ac'.repeat(300)}\n\n`;
  const over = `data: ${'\u20ac'.repeat(400)}\n\n`;

  it.each([
    ['in one piece', (b: Uint8Array) => [b]],
    ['byte by byte', bytewise],
  ])('a data line of multi-byte characters is measured in bytes, %s', (_, chunking) => {
    expect(read(chunking(utf8(fits)), limit)).toEqual({
      records: [{ event: 'message', data: '\u20ac'.repeat(300), id: undefined, lastEventId: '' }],
    });
    const { records, error } = read(chunking(utf8(`data: ok\n\n${over}`)), limit);
    expect(messages(records).map((m) => m.data)).toEqual(['ok']);
    expect(error).toBeInstanceOf(TooLarge);
    expect((error as TooLarge).size).toBeGreaterThan(limit);
    expect((error as TooLarge).size).toBeLessThanOrEqual(1_210);
  });

  it('data spread over many lines adds up, in bytes', () => {
    const line = `data: ${'\u00e9'.repeat(100)}\n`; // 200 bytes of value each
    expect(read([utf8(line.repeat(4) + '\n')], limit).error).toBeUndefined();
    expect(read([utf8(line.repeat(6) + '\n')], limit).error).toBeInstanceOf(TooLarge);
  });

  it('an unfinished line is bounded while it is held, before its end arrives', () => {
    const s = scanner(limit);
    const piece = utf8('x'.repeat(100));
    s.push(utf8('data: '));
    let pushed = 0;
    expect(() => {
      for (; pushed < 100; pushed++) s.push(piece);
    }).toThrow(TooLarge);
    // It stopped at the first chunk past the limit, not at the end of the line.
    expect(pushed).toBe(10);
  });
});
