/**
 * rx-sse streams in Angular's server-side rendering (platform-server), with zone.js (loaded as an
 * Angular server loads it, `zone.js/node`) and without. Each render runs in its own Node process
 * (spec/angular/fixtures/ssr-*.ts, bundled JIT with esbuild) against a real server.
 *
 * - The Angular guide's way — streams for the `async` pipe come from a service that gives `EMPTY`
 *   on the server, and `injectSse` never subscribes there — makes no request at all.
 * - The naive way — the `async` pipe straight on streams (one open with its idle watchdog, one
 *   failing with 5 s backoff waits, one shared with a 5 s grace period), in a render that waits
 *   500 ms for data meanwhile — no longer hangs the render: it completes as soon as the data is
 *   there, the unshared connections close with it, the shared one after its grace period.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { encodeEvent, openSse, startServer, type SseServer } from '../support/sse-server.js';

const run = promisify(execFile);
const STREAMS = ['/ssr/open', '/ssr/failing', '/ssr/shared'];

let server: SseServer;
let out: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'rx-sse-ssr-'));
  await Promise.all(
    ['ssr-zone', 'ssr-zoneless'].map((entry) =>
      run(process.execPath, [
        join(__dirname, '../browser/fixtures/build-fixture.mjs'),
        join(__dirname, `fixtures/${entry}.ts`),
        join(out, `${entry}.mjs`),
        'node',
      ]),
    ),
  );
  server = await startServer();
  for (const path of ['/ssr/open', '/ssr/shared']) {
    server.route(path, (_req, res) => {
      openSse(res);
      let n = 0;
      const timer = setInterval(() => res.write(encodeEvent({ data: String(++n) })), 100);
      res.on('close', () => clearInterval(timer));
    });
  }
  server.route('/ssr/failing', (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
  });
  // Asked by the render process once the render is over: answers when every stream has closed.
  server.route('/ssr/after-render', (_req, res) => {
    const streamsOpen = () =>
      server.requests.filter((r) => STREAMS.includes(r.path) && r.closedAt === undefined).length;
    server
      .waitFor(() => streamsOpen() === 0, 'every stream closed', 8000)
      .then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"closed":true}'),
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"closed":false}'),
      );
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await rm(out, { recursive: true, force: true });
});

beforeEach(() => {
  server.requests.length = 0;
});

interface RenderResult {
  /** How long `renderApplication` took, ms. */
  readonly ms: number;
  /** The markup inside `<app-root>`. */
  readonly body: string;
  /** What `/ssr/after-render` answered: whether every stream closed (within 8 s). */
  readonly after: { readonly closed: boolean };
}

async function render(entry: 'ssr-zone' | 'ssr-zoneless', mode: string): Promise<RenderResult> {
  const { stdout } = await run(process.execPath, [join(out, `${entry}.mjs`)], {
    env: { ...process.env, SSE_URL: server.url, MODE: mode },
    timeout: 15_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as RenderResult;
}

describe.each([
  ['with zone.js', 'ssr-zone'],
  ['zoneless', 'ssr-zoneless'],
] as const)('Angular server rendering %s', (_name, entry) => {
  it("the guide's way (browser-only streams, injectSse) renders at once and makes no request", async () => {
    const result = await render(entry, 'guide');
    expect(result.body).toContain('<p id="open">waiting</p>');
    expect(result.body).toContain('<p id="inject">idle</p>');
    expect(result.ms).toBeLessThan(2000);
    expect(server.requests.map((r) => r.path)).toEqual(['/ssr/after-render']);
  }, 20_000);

  it('the async pipe straight on streams does not hang the render; the connections close', async () => {
    const result = await render(entry, 'naive');
    // The render waited 500 ms for its data; the idle watchdog (3 s), the backoff wait (5 s) and
    // the grace period (5 s) were running meanwhile and did not hold it.
    expect(result.ms).toBeGreaterThanOrEqual(500);
    expect(result.ms).toBeLessThan(2500);
    expect(result.body).toContain('<p id="failing">waiting</p>');
    expect(result.after.closed).toBe(true);
    const [afterRender] = server.requestsTo('/ssr/after-render');
    const closedAfterRender = (path: string) =>
      server.requestsTo(path).map((r) => r.closedAt! - afterRender!.at);
    // The streams connected during the render (the server saw them)…
    for (const path of STREAMS) expect(server.requestsTo(path)).toHaveLength(1);
    // …and closed with it, except the shared one, which outlived it by its grace period.
    expect(closedAfterRender('/ssr/open')[0]).toBeLessThan(500);
    expect(closedAfterRender('/ssr/shared')[0]).toBeGreaterThan(4000);
    // The failing one's backoff wait ended with the render: no retry came, though the process
    // lived on past it (for the shared stream's grace period).
    expect(server.requestsTo('/ssr/failing')[0]!.at + 5000).toBeLessThan(
      server.requestsTo('/ssr/shared')[0]!.closedAt!,
    );
  }, 20_000);
});
