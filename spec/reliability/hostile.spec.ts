/**
 * Hostile input: an endless line (plain and gzip), a very large body, a million tiny events,
 * invalid UTF-8, `retry: 0` floods, an endless error body, an id no header can carry, and
 * redirects to another origin. Each ends in bounded memory (RSS growth is measured), a clear
 * error or a documented behaviour, no crash, and no retry storm (requests are counted).
 */
import { createCipheriv } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants, createGzip } from 'node:zlib';
import { count, filter, firstValueFrom, lastValueFrom, take, tap } from 'rxjs';
import { isSseError, SseEventTooLargeError, type SseWarning } from '../../src/index.js';
import { encodeEvent, openSse } from '../support/sse-server.js';
import {
  COOKIE,
  SECRET_HEADERS,
  settle,
  sse,
  TOKEN,
  useReliabilityServer,
} from './support/harness.js';
import { interpret } from './support/whatwg.js';

const LONG = process.env.RX_SSE_LONG === '1';
const MiB = 1024 * 1024;
/** The large body: 1 GiB in the long run (CI), 256 MiB by default. */
const BODY = (LONG ? 1024 : 256) * MiB;

const { server } = useReliabilityServer();

/** Peak RSS growth over a baseline, sampled while a scenario runs. */
class RssProbe {
  private readonly baseline = process.memoryUsage.rss();
  private peak = this.baseline;

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  /** Growth in MiB. */
  growth(): number {
    this.sample();
    return Math.round(((this.peak - this.baseline) / MiB) * 10) / 10;
  }
}

/**
 * Streams `total` bytes made of `unit` repeated (plus `tail`), respecting backpressure: the
 * server never holds more than one 64 KiB block.
 */
function pump(path: string, total: number, unit: string, tail = ''): { written: () => number } {
  let written = 0;
  const block = Buffer.from(unit.repeat(Math.max(1, Math.floor((64 * 1024) / unit.length))));
  server.route(path, (_req, res) => {
    openSse(res);
    const write = (): void => {
      while (!res.destroyed && written < total) {
        written += block.length;
        if (!res.write(block)) return void res.once('drain', write);
      }
      if (!res.destroyed) res.end(tail);
    };
    write();
  });
  return { written: () => written };
}

describe('bounded memory', () => {
  it('an endless line: SseEventTooLargeError at maxEventSize (default 8 MiB), fatal', async () => {
    const probe = new RssProbe();
    const { written } = pump('/endless', Infinity, 'x');
    const outcome = await settle(sse(`${server.url}/endless`));
    const growth = probe.growth();
    console.log(
      `hostile: endless line stopped after ${written()} bytes written, RSS +${growth} MiB`,
    );
    expect(outcome.error).toBeInstanceOf(SseEventTooLargeError);
    expect(outcome.error).toMatchObject({ limit: 8 * MiB });
    expect(server.requestsTo('/endless')).toHaveLength(1);
    expect(growth).toBeLessThan(96);
  });

  it('an endless line behind gzip (a decompression bomb) is bounded the same way', async () => {
    let written = 0;
    server.route('/bomb', (_req, res) => {
      openSse(res, { 'content-encoding': 'gzip' });
      const gzip = createGzip({ level: constants.Z_BEST_COMPRESSION });
      gzip.pipe(res);
      const block = Buffer.alloc(1 * MiB, 0x78);
      const write = (): void => {
        while (!res.destroyed && gzip.write(block)) written += block.length;
        if (!res.destroyed) gzip.once('drain', write);
      };
      res.on('close', () => gzip.destroy());
      gzip.write('data: ');
      write();
    });
    const probe = new RssProbe();
    const outcome = await settle(sse(`${server.url}/bomb`, { maxEventSize: MiB }));
    expect(outcome.error).toBeInstanceOf(SseEventTooLargeError);
    expect(server.requestsTo('/bomb')).toHaveLength(1);
    expect(probe.growth()).toBeLessThan(96);
    expect(written).toBeLessThan(256 * MiB);
  });

  it(`a ${BODY / MiB} MiB body of events streams through in bounded memory`, async () => {
    const event = encodeEvent({ event: 'chunk', data: 'y'.repeat(16 * 1024 - 30) });
    const { written } = pump(
      '/large',
      BODY,
      `${event}: heartbeat\n`,
      encodeEvent({ event: 'end', data: '' }),
    );
    const probe = new RssProbe();
    let bytes = 0;
    let seen = 0;
    const started = Date.now();
    const events = await lastValueFrom(
      sse(`${server.url}/large`, {
        retry: false,
        completeOn: 'end',
        onBytes: (n) => (bytes += n),
      }).pipe(
        filter((m) => m.event === 'chunk'),
        tap(() => {
          if (++seen % 256 === 0) probe.sample();
        }),
        count(),
      ),
    );
    const growth = probe.growth();
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `hostile: ${Math.round(written() / MiB)} MiB body, ${events} events in ${seconds} s ` +
        `(${Math.round(written() / MiB / seconds)} MiB/s), RSS +${growth} MiB, 1 request`,
    );
    expect(events).toBe(written() / (event.length + ': heartbeat\n'.length));
    expect(bytes).toBeGreaterThanOrEqual(written());
    expect(server.requestsTo('/large')).toHaveLength(1);
    expect(growth).toBeLessThan(192);
  }, 600_000);

  it('a million tiny events', async () => {
    const MILLION = 1_000_000;
    const { written } = pump(
      '/tiny',
      MILLION * 'data: x\n\n'.length,
      'data: x\n\n',
      'event: end\ndata: \n\n',
    );
    const probe = new RssProbe();
    let seen = 0;
    const started = Date.now();
    const events = await lastValueFrom(
      sse(`${server.url}/tiny`, { retry: false, completeOn: 'end' }).pipe(
        filter((m) => m.data === 'x'),
        tap(() => {
          if (++seen % 50_000 === 0) probe.sample();
        }),
        count(),
      ),
    );
    const growth = probe.growth();
    console.log(
      `hostile: ${events} tiny events in ${(Date.now() - started) / 1000} s, RSS +${growth} MiB`,
    );
    // The pump writes whole 64 KiB blocks: every event written arrives, once.
    expect(written()).toBeGreaterThanOrEqual(MILLION * 'data: x\n\n'.length);
    expect(events).toBe(written() / 'data: x\n\n'.length);
    expect(server.requestsTo('/tiny')).toHaveLength(1);
    expect(growth).toBeLessThan(128);
  }, 120_000);

  it('a million empty data lines in one event (the lines fetch-event-source drops)', async () => {
    const { written } = pump('/empty-lines', 1_000_000 * 'data:\n'.length, 'data:\n', '\n');
    const probe = new RssProbe();
    const message = await firstValueFrom(sse(`${server.url}/empty-lines`, { retry: false }));
    const growth = probe.growth();
    // n empty lines join to n - 1 newlines (the spec's data; fetch-event-source alone gives '').
    expect(message.data).toMatch(/^\n+$/);
    expect(message.data.length).toBe(written() / 'data:\n'.length - 1);
    expect(message.data.length).toBeGreaterThanOrEqual(999_999);
    expect(growth).toBeLessThan(128);
  });

  it('an endless error body: the snippet is bounded, the connection closed, retried with backoff', async () => {
    server.route('/error-body', (_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 0x65);
      const write = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', write);
      };
      write();
    });
    const outcome = await settle(
      sse(`${server.url}/error-body`, { retry: { initialDelay: 5, maxAttempts: 2 } }),
    );
    expect(outcome.error).toMatchObject({ code: 'http', status: 500 });
    expect((outcome.error as { body: string }).body.length).toBeLessThanOrEqual(2048);
    expect(server.requestsTo('/error-body')).toHaveLength(3);
  });
});

describe('invalid input', () => {
  it('random bytes (invalid UTF-8, stray CRs, NULs): messages with U+FFFD, no crash', async () => {
    // Deterministic pseudo-random bytes: an AES-CTR keystream with a fixed key. Random bytes
    // rarely spell `data`, so every 64 KiB a blank line and a `data: ` field start: each value
    // runs on into the random bytes up to their next CR or LF.
    const cipher = createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16));
    const random = cipher.update(Buffer.alloc(4 * MiB));
    const parts: Buffer[] = [];
    for (let at = 0; at < random.length; at += 64 * 1024) {
      parts.push(Buffer.from('\n\ndata: '), random.subarray(at, at + 64 * 1024));
    }
    const garbage = Buffer.concat(parts);
    server.route('/garbage', (_req, res) => openSse(res).end(garbage));
    const outcome = await settle(sse(`${server.url}/garbage`, { retry: false }));
    expect(outcome.error).toBeUndefined();
    expect(outcome.completed).toBe(true);
    // Exactly the messages the WHATWG rules give for the same bytes, U+FFFD and all.
    const expected = interpret(garbage).messages;
    expect(expected.length).toBeGreaterThanOrEqual(63);
    expect(expected.filter((m) => m.data.includes('\uFFFD')).length).toBeGreaterThan(0);
    expect(outcome.values).toEqual(expected);
    expect(server.requestsTo('/garbage')).toHaveLength(1);
  });

  it('an id with a control character: the reconnect leaves it out and the stream goes on', async () => {
    // Node's fetch refuses a control character in a header (browsers send it): the reconnect is
    // sent without last-event-id, reported once, instead of ending the stream.
    let n = 0;
    server.route('/control-id', (_req, res) => {
      n++;
      openSse(res).end(n === 1 ? 'id: a\u0001b\ndata: x\n\n' : encodeEvent({ data: `again ${n}` }));
    });
    const warnings: SseWarning[] = [];
    const outcome = await settle(
      sse(`${server.url}/control-id`, {
        retry: { initialDelay: 1 },
        onWarning: (warning) => warnings.push(warning),
      }).pipe(take(3)),
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.values.map((m) => m.data)).toEqual(['x', 'again 2', 'again 3']);
    const requests = server.requestsTo('/control-id');
    expect(requests.map((r) => r.headers['last-event-id'])).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(warnings.map((w) => w.code)).toEqual(['last-event-id-omitted']);
  });
});

describe('retry: 0 floods', () => {
  it('a million retry: 0 lines on an open stream change nothing but the floor', async () => {
    pump(
      '/retry-lines',
      1_000_000 * 'retry: 0\n'.length,
      'retry: 0\n',
      encodeEvent({ data: 'after' }),
    );
    const message = await firstValueFrom(sse(`${server.url}/retry-lines`));
    expect(message.data).toBe('after');
    expect(server.requestsTo('/retry-lines')).toHaveLength(1);
  }, 60_000);

  it('retry: 0 then close, on every connection: reconnects keep the backoff pace', async () => {
    let n = 0;
    server.route('/retry-zero', (_req, res) => {
      openSse(res).end(`retry: 0\n${encodeEvent({ id: String(++n), data: 'x' })}`);
    });
    const window = 1000;
    const delay = 100;
    const outcome = settle(
      sse(`${server.url}/retry-zero`, { retry: { initialDelay: delay, jitter: 'none' } }),
      window,
    );
    const { values } = await outcome;
    const requests = server.requestsTo('/retry-zero').length;
    console.log(
      `hostile: retry: 0 + close, ${requests} requests in ${window} ms (floor ${delay} ms)`,
    );
    expect(values.length).toBeGreaterThan(3);
    expect(requests).toBeLessThanOrEqual(window / delay + 1);
  });

  it('503 with Retry-After: 0: the failure streak still backs off', async () => {
    server.route('/retry-after-zero', (_req, res) =>
      res.writeHead(503, { 'retry-after': '0' }).end('retry: 0\n'),
    );
    const { error } = await settle(
      sse(`${server.url}/retry-after-zero`, {
        retry: { initialDelay: 20, jitter: 'none', maxAttempts: 5 },
      }),
    );
    expect(error).toMatchObject({ code: 'http', status: 503 });
    const at = server.requestsTo('/retry-after-zero').map((r) => r.at);
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    expect(gaps).toHaveLength(5);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(20 * 2 ** i - 1));
  });
});

describe('redirects to another origin', () => {
  // Two origins: 127.0.0.1:<a> and localhost:<b> differ in host and port.
  let other: Server;
  let otherOrigin: string;
  const seenByOther: Array<{ url: string; headers: Record<string, unknown> }> = [];

  beforeAll(async () => {
    other = createServer((req, res) => {
      seenByOther.push({ url: req.url ?? '', headers: { ...req.headers } });
      if (req.url?.startsWith('/login')) {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<form>login</form>');
      } else if (req.url?.startsWith('/loop')) {
        res.writeHead(302, { location: `${server.url}/loop` }).end();
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(encodeEvent({ id: String(seenByOther.length), data: 'from the other origin' }));
      }
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherOrigin = `http://localhost:${(other.address() as AddressInfo).port}`;
    server.route('/elsewhere', (_req, res) =>
      res.writeHead(302, { location: `${otherOrigin}/feed` }).end(),
    );
    server.route('/to-login', (_req, res) =>
      res.writeHead(302, { location: `${otherOrigin}/login` }).end(),
    );
    server.route('/loop', (_req, res) =>
      res.writeHead(302, { location: `${otherOrigin}/loop` }).end(),
    );
    server.route('/same', (_req, res) => res.writeHead(307, { location: '/same-target' }).end());
    server.route('/same-target', (_req, res) =>
      openSse(res).end(encodeEvent({ data: 'same origin' })),
    );
  });
  beforeEach(() => {
    seenByOther.length = 0;
  });
  afterAll(async () => {
    other.closeAllConnections();
    await new Promise((resolve) => other.close(resolve));
  });

  it('fetch follows it and drops authorization and cookie; the SDK resumes at the original URL', async () => {
    const messages = await lastValueFrom(
      sse(`${server.url}/elsewhere`, {
        headers: { ...SECRET_HEADERS, 'x-api-key': 'custom-header-value' },
        retry: { initialDelay: 1 },
      }).pipe(take(2), count()),
    );
    expect(messages).toBe(2);
    // Each reconnect goes to the URL the caller gave, then follows the redirect again.
    expect(server.requestsTo('/elsewhere')).toHaveLength(2);
    expect(seenByOther).toHaveLength(2);
    for (const { headers } of seenByOther) {
      expect(headers.authorization).toBeUndefined();
      expect(headers.cookie).toBeUndefined();
      expect(JSON.stringify(headers)).not.toContain(TOKEN);
      expect(JSON.stringify(headers)).not.toContain(COOKIE);
      // Documented: fetch forwards other headers, secret or not.
      expect(headers['x-api-key']).toBe('custom-header-value');
    }
    expect(seenByOther[1]?.headers['last-event-id']).toBe('1');
  });

  it('a same-origin redirect keeps the authorization header', async () => {
    const message = await firstValueFrom(sse(`${server.url}/same`, { retry: false }));
    expect(message.data).toBe('same origin');
    expect(server.requestsTo('/same-target')[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('a redirect to a login page on another origin: SseContentTypeError, fatal', async () => {
    const { error } = await settle(sse(`${server.url}/to-login`));
    expect(error).toMatchObject({ code: 'content-type', contentType: 'text/html' });
    expect(server.requestsTo('/to-login')).toHaveLength(1);
    expect(seenByOther).toHaveLength(1);
  });

  it('a redirect loop: fetch gives up after 20 redirects; retries keep the backoff', async () => {
    const { error } = await settle(
      sse(`${server.url}/loop`, { retry: { initialDelay: 1, maxAttempts: 1 } }),
    );
    expect(isSseError(error, 'network')).toBe(true);
    // Two attempts, each 21 requests (the first one and 20 redirects) across both origins.
    expect(server.requestsTo('/loop').length + seenByOther.length).toBe(42);
  });

  it("refusing redirects: pass a fetch with redirect: 'error'", async () => {
    const { error } = await settle(
      sse(`${server.url}/elsewhere`, {
        retry: false,
        fetch: (input, init) => fetch(input, { ...init, redirect: 'error' }),
      }),
    );
    expect(isSseError(error, 'network')).toBe(true);
    expect(seenByOther).toHaveLength(0);
  });
});
