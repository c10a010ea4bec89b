/**
 * Secrets: every error path, run with `authorization: Bearer <unique token>` and a session
 * cookie, against servers that echo them back in bodies and headers. No message, `String()`,
 * `JSON.stringify`, `util.inspect`, `body`, `headers` or console line may contain them — not even
 * 8 characters of them (a truncated secret is still a leak). The other reliability files run the
 * same grep over every error their scenarios produced.
 */
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { firstValueFrom } from 'rxjs';
import { isSseError, type SseHttpError } from '../../src/index.js';
import { openSse } from '../support/sse-server.js';
import {
  COOKIE,
  expectNoSecretLeaks,
  leaksSecret,
  produced,
  record,
  renderings,
  SECRET_HEADERS,
  settle,
  sse,
  TOKEN,
  useReliabilityServer,
} from './support/harness.js';

const { server } = useReliabilityServer({ quiet: true, checkSecrets: false });

/** A server that echoes the caller's credentials everywhere it can. */
function echo(path: string, status: number, body: (auth: string, cookie: string) => string): void {
  server.route(path, (req, res) => {
    const auth = req.headers.authorization ?? '';
    const cookie = req.headers.cookie ?? '';
    res.writeHead(status, {
      'content-type': 'application/json',
      'www-authenticate': `Bearer error="invalid_token", token="${auth.slice(7)}"`,
      'x-echo-authorization': auth,
      'x-echo-cookie': cookie,
      'set-cookie': `session=${COOKIE}; HttpOnly`,
    });
    res.end(body(auth, cookie));
  });
}

/** Keeps an error and checks it right away, so a failure names the path that leaked. */
function expectClean(error: unknown): void {
  record(error);
  expect(error).toBeDefined();
  expect(renderings(error).filter(leaksSecret)).toEqual([]);
}

describe('secrets never appear in errors', () => {
  it('HTTP errors whose body and headers echo the token and the cookie', async () => {
    echo('/echo-401', 401, (auth, cookie) => JSON.stringify({ error: 'bad token', auth, cookie }));
    echo('/echo-500', 500, (auth) => `upstream said: ${auth}`);
    for (const path of ['/echo-401', '/echo-500']) {
      const { error } = await settle(sse(`${server.url}${path}`, { retry: false }));
      expectClean(error);
      const http = error as SseHttpError;
      expect(http.body).toContain('[redacted]');
      expect(http.headers['x-echo-authorization']).toBe('[redacted]');
      expect(http.headers['set-cookie']).toBe('[redacted]');
    }
  });

  it('a token cut in half by the 2 KiB body snippet is not leaked either', async () => {
    // The snippet ends 12 characters into the token.
    echo('/straddle', 500, (auth) => `${'x'.repeat(2048 - 12 - 7)}${auth}${'y'.repeat(100)}`);
    const { error } = await settle(sse(`${server.url}/straddle`, { retry: false }));
    expectClean(error);
    expect((error as SseHttpError).body.length).toBeGreaterThan(1000);
  });

  it('401 → onUnauthorized → 401: the hook and the subscriber get clean errors', async () => {
    echo('/denied', 401, (auth) => auth);
    const hooked: unknown[] = [];
    const { error } = await settle(
      sse(`${server.url}/denied`, {
        onUnauthorized: (e) => {
          hooked.push(e);
        },
      }),
    );
    expect(hooked).toHaveLength(1);
    hooked.forEach(expectClean);
    expectClean(error);
  });

  it('retried 503s: every error reported through state is clean', async () => {
    echo('/busy', 503, (auth) => auth);
    const reported: unknown[] = [];
    const { error } = await settle(
      sse(`${server.url}/busy`, {
        retry: { initialDelay: 1, maxAttempts: 2 },
        state: (s) => {
          if ('error' in s && s.error !== undefined) reported.push(s.error);
        },
      }),
    );
    expect(reported.length).toBeGreaterThanOrEqual(3);
    reported.forEach(expectClean);
    expectClean(error);
  });

  it('wrong content type, closed stream, idle timeout, event too large', async () => {
    server.route('/html', (req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${req.headers.cookie}</p>`),
    );
    server.route('/closes', (req, res) => openSse(res).end(`: ${req.headers.authorization}\n`));
    server.route('/silent', (req, res) => openSse(res).write(`: ${req.headers.authorization}\n`));
    server.route('/huge', (req, res) =>
      openSse(res).write(`data: ${req.headers.authorization} ${'z'.repeat(4096)}`),
    );
    const outcomes = await Promise.all([
      settle(sse(`${server.url}/html`)),
      settle(sse(`${server.url}/closes`, { retry: { maxAttempts: 0 } })),
      settle(sse(`${server.url}/silent`, { retry: false, idleTimeout: 50 })),
      settle(sse(`${server.url}/huge`, { maxEventSize: 1024 })),
    ]);
    expect(outcomes.map((o) => (o.error as { code?: string }).code)).toEqual([
      'content-type',
      'closed',
      'idle-timeout',
      'event-too-large',
    ]);
    outcomes.forEach((o) => expectClean(o.error));
  });

  it('network errors: refused, reset in the headers, reset mid-stream', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    server.route('/reset-headers', (req) => {
      req.socket.write(`HTTP/1.1 200 OK\r\nx-auth: ${String(req.headers.authorization)}`, () =>
        req.socket.destroy(),
      );
    });
    server.route('/reset-body', (req, res) => {
      openSse(res).write(`data: ${String(req.headers.authorization)}`, () => res.socket?.destroy());
    });
    const outcomes = await Promise.all([
      settle(sse(`http://127.0.0.1:${port}/refused`, { retry: false })),
      settle(sse(`${server.url}/reset-headers`, { retry: false })),
      settle(sse(`${server.url}/reset-body`, { retry: false })),
    ]);
    for (const { error } of outcomes) {
      expect(isSseError(error, 'network')).toBe(true);
      expectClean(error);
    }
  });

  it('a custom fetch failing with a cyclic cause chain: a clean network error, no overflow', async () => {
    const { error } = await settle(
      sse(`${server.url}/never`, {
        retry: false,
        fetch: (_input, init) => {
          const headers = new Headers(init?.headers);
          const failure = new Error(`refused ${String(headers.get('authorization'))}`);
          (failure as { cause?: unknown }).cause = failure;
          return Promise.reject(failure);
        },
      }),
    );
    expect(isSseError(error, 'network')).toBe(true);
    expectClean(error);
  });

  it('secrets in the URL: token-like query parameters are redacted', async () => {
    server.route('/q', (_req, res) => res.writeHead(404).end());
    const url = new URL(`${server.url}/q`);
    url.searchParams.set('access_token', TOKEN);
    url.searchParams.set('session', COOKIE);
    url.searchParams.set('page', '2');
    const { error } = await settle(sse(url.href, { retry: false }));
    expectClean(error);
    expect((error as SseHttpError).url).toContain('page=2');
  });

  it('secrets in the URL: credentials are refused before any request, redacted', async () => {
    const url = new URL(`${server.url}/q`);
    url.username = 'user';
    url.password = TOKEN;
    url.searchParams.set('access_token', TOKEN);
    const before = server.requests.length;
    const { error } = await settle(sse(url.href));
    expect(error).toBeInstanceOf(TypeError);
    expectClean(error);
    expect(server.requests.length).toBe(before);
  });

  it('errors passed to console.error and util.inspect stay clean', async () => {
    echo('/logged', 502, (auth, cookie) => `${auth} ${cookie}`);
    const error = await firstValueFrom(sse(`${server.url}/logged`, { retry: false })).catch(
      (e: unknown) => e,
    );
    console.error('stream failed:', error);
    console.log(inspect(error, { depth: Infinity, showHidden: true }));
    expectClean(error);
  });
});

describe('the grep itself', () => {
  it('finds a secret, and a truncated one, when one is there', () => {
    expect(leaksSecret(`Bearer ${TOKEN}`)).toBe(true);
    expect(leaksSecret(`… ${COOKIE.slice(0, 10)}`)).toBe(true);
    expect(leaksSecret(JSON.stringify(SECRET_HEADERS))).toBe(true);
    expect(leaksSecret('[redacted]')).toBe(false);
  });

  it('every error of this file (and everything it logged) is clean', () => {
    expect(produced.length).toBeGreaterThan(20);
    expectNoSecretLeaks();
  });
});
