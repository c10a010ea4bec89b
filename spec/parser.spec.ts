/**
 * The event-stream parser against the WHATWG rules where fetch-event-source's parser deviates
 * (rx-sse parses the stream itself), and its limits.
 */
import { lastValueFrom, take, toArray } from 'rxjs';
import { fromSse, SseEventTooLargeError, type SseMessage } from '../src/index.js';
import { openSse, useSseServer } from './support/sse-server.js';

const server = useSseServer();

/** Serves `body` in one write and reads `count` messages from it. */
function readStream(body: string, count: number): Promise<SseMessage[]> {
  server.route('/stream', (_req, res) => {
    openSse(res);
    res.write(Buffer.from(body, 'utf8'));
  });
  return lastValueFrom(fromSse(`${server.url}/stream`).pipe(take(count), toArray()));
}

describe('parser: WHATWG rules', () => {
  it('strips a BOM only at the start of the stream; elsewhere it belongs to the name or value', async () => {
    const messages = await readStream(
      '\uFEFFdata: a\n\n' + '\uFEFFdata: ignored\n\n' + 'data: \uFEFFc\n\n' + 'data: end\n\n',
      3,
    );
    expect(messages.map((m) => m.data)).toEqual(['a', '\uFEFFc', 'end']);
  });

  it('takes a line without a colon as a field with an empty value', async () => {
    const messages = await readStream(
      'data\n\n' + 'data\ndata\n\n' + 'event\ndata: typed?\n\n' + 'id\ndata: x\n\n',
      4,
    );
    expect(messages.map(({ event, data, id }) => [event, data, id])).toEqual([
      ['message', '', undefined],
      ['message', '\n', undefined],
      ['message', 'typed?', undefined],
      ['message', 'x', ''],
    ]);
  });

  it('ignores unknown fields, however many lines of them a chunk holds', async () => {
    const noise = 'x\n'.repeat(20_000) + 'field: value\n'.repeat(1_000);
    const messages = await readStream(`${noise}data: after the noise\n\n`, 1);
    expect(messages.map((m) => m.data)).toEqual(['after the noise']);
  });

  it('keeps a field value that is only a space as empty, and a second space as data', async () => {
    const messages = await readStream('data: \n\n' + 'data:  two\n\n', 2);
    expect(messages.map((m) => m.data)).toEqual(['', ' two']);
  });
});

describe('parser: maxEventSize', () => {
  it('delivers the events completed before an oversized one, then errors', async () => {
    server.route('/oversized', (_req, res) => {
      openSse(res);
      res.write(`data: a\n\ndata: b\n\ndata: ${'x'.repeat(2048)}\n\n`);
    });
    const seen: string[] = [];
    const error = await new Promise<unknown>((resolve) => {
      fromSse(`${server.url}/oversized`, { maxEventSize: 1024 }).subscribe({
        next: (message) => seen.push(message.data),
        error: resolve,
        complete: () => resolve(new Error('completed')),
      });
    });
    expect(seen).toEqual(['a', 'b']);
    expect(error).toBeInstanceOf(SseEventTooLargeError);
  });
});
