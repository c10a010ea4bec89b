import { lastValueFrom, take, toArray } from 'rxjs';
import { fromSse, type SseMessage } from '../src/index.js';
import { chunkingFetch, seededRandom, splitOnceAt } from './support/chunking.js';
import { openSse, useSseServer } from './support/sse-server.js';

const server = useSseServer();

// A stream that mixes every line ending, a BOM, comments, multi-byte UTF-8 (2, 3 and 4 bytes),
// multi-line data, ids carried forward and custom event names.
const STREAM =
  '\uFEFF: opening comment\r\n' +
  'retry: 2500\r\n' +
  'id: 1\r\ndata: caf\u00e9 \u20ac 1\r\n\r\n' +
  'event: chat\ndata: line one\ndata: line two \ud83d\ude00\n\n' +
  ': heartbeat\r\r' +
  'data: carried id\rid: 3\r\r' +
  'event: typing\r\ndata: {"user":"\u00e5sa"}\r\n\r\n' +
  'id: 4\ndata:no space\ndata:  two spaces\n\n';

const EXPECTED: SseMessage[] = [
  { event: 'message', data: 'caf\u00e9 \u20ac 1', id: '1', lastEventId: '1' },
  { event: 'chat', data: 'line one\nline two \ud83d\ude00', id: undefined, lastEventId: '1' },
  { event: 'message', data: 'carried id', id: '3', lastEventId: '3' },
  { event: 'typing', data: '{"user":"\u00e5sa"}', id: undefined, lastEventId: '3' },
  { event: 'message', data: 'no space\n two spaces', id: '4', lastEventId: '4' },
];

beforeEach(() => {
  server.route('/mixed', (_req, res) => {
    openSse(res);
    res.write(Buffer.from(STREAM, 'utf8'));
  });
});

function read(fetchFn?: typeof fetch): Promise<SseMessage[]> {
  return lastValueFrom(
    fromSse(`${server.url}/mixed`, fetchFn ? { fetch: fetchFn } : {}).pipe(
      take(EXPECTED.length),
      toArray(),
    ),
  );
}

describe('chunking: the same stream split anywhere yields the same messages', () => {
  it('in one piece', async () => {
    expect(await read()).toEqual(EXPECTED);
  });

  it('one byte at a time (splits inside CRLF and inside every UTF-8 character)', async () => {
    expect(await read(chunkingFetch(() => 1))).toEqual(EXPECTED);
  });

  it.each([1, 2, 3, 5, 8, 13, 21, 34])('in random pieces, seed %i', async (seed) => {
    const random = seededRandom(seed);
    expect(await read(chunkingFetch(() => 1 + Math.floor(random() * 12)))).toEqual(EXPECTED);
  });

  it('at every single split point', async () => {
    const bytes = Buffer.byteLength(STREAM, 'utf8');
    for (let at = 1; at < bytes; at++) {
      expect(await read(chunkingFetch(splitOnceAt(at)))).toEqual(EXPECTED);
    }
  });
});
