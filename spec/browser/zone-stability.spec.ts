/**
 * No rx-sse timer keeps a zone.js Angular app from becoming stable (case B3; the kind from
 * angular/angular#25402, https://github.com/angular/angular/issues/25402: a timer a library keeps
 * pending holds `ApplicationRef.isStable` false, so the service worker never registers and
 * `whenStable()` never resolves).
 *
 * An Angular 22 app on zone.js (JIT, bundled with esbuild, `provideZoneChangeDetection()`) shows a
 * stream from a real server each way an app subscribes — the `async` pipe, `toSignal`, a plain
 * `subscribe`, `injectSse` — with the idle watchdog armed; while it retries against a server
 * answering 503; after a shared endpoint and a store are released (grace period running). In each,
 * `whenStable()` resolves within 1 s, `isStable` is then true, and the view shows every new event.
 * A control (an `interval` of the app's own) shows the measurement fails when a zone timer is
 * pending. The same app without zone.js behaves the same.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { encodeEvent, openSse, startServer, type SseServer } from '../support/sse-server.js';
import { launchChromium, openPage, type PageProblems } from './harness.js';

let browser: Browser;
let server: SseServer;
let page: Page;
let problems: PageProblems;
/** How many requests to `/zone/ticks/retry` get a 503 before the stream is served. */
let failuresLeft = 0;

const MODES = ['async', 'signal', 'subscribe', 'inject', 'retry', 'share', 'store', 'control'];

/** An event-stream response sending 1, 2, 3, … every 200 ms until it closes. */
function ticks(res: ServerResponse): void {
  openSse(res);
  let n = 0;
  const timer = setInterval(() => res.write(encodeEvent({ data: String(++n) })), 200);
  res.on('close', () => clearInterval(timer));
}

beforeAll(async () => {
  const out = await mkdtemp(join(tmpdir(), 'rx-sse-zone-'));
  const build = (entry: string) =>
    promisify(execFile)(process.execPath, [
      join(__dirname, 'fixtures/build-fixture.mjs'),
      join(__dirname, `fixtures/${entry}.ts`),
      join(out, `${entry}.js`),
    ]);
  const [, , launched] = await Promise.all([
    build('zone-page'),
    build('zoneless-page'),
    launchChromium(),
  ]);
  browser = launched;
  const scripts = {
    zone: await readFile(join(out, 'zone-page.js'), 'utf8'),
    zoneless: await readFile(join(out, 'zoneless-page.js'), 'utf8'),
  };
  await rm(out, { recursive: true, force: true });

  server = await startServer();
  for (const [name, script] of Object.entries(scripts)) {
    server.route(`/zone/${name}.js`, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    });
  }
  server.route('/zone/', (req, res) => {
    const zoneless = new URL(req.url ?? '/', server.url).searchParams.has('zoneless');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      '<!doctype html><title>stability</title><app-root></app-root>' +
        `<script type="module" src="/zone/${zoneless ? 'zoneless' : 'zone'}.js"></script>`,
    );
  });
  server.route('/favicon.ico', (_req, res) => res.writeHead(204).end());
  for (const mode of MODES) server.route(`/zone/ticks/${mode}`, (_req, res) => ticks(res));
  server.route('/zone/ticks/retry', (_req, res) => {
    if (failuresLeft-- > 0) res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
    else ticks(res);
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(async () => {
  ({ page, problems } = await openPage(browser));
});

afterEach(async () => {
  await page.context().close();
  // Closing the page closes every stream it had: the server sees each response end.
  await server.waitFor(() => server.openResponses() === 0, 'every response closed');
  expect(problems.errors).toEqual([]);
  server.requests.length = 0;
});

const streams = (mode: string) => server.requestsTo(`/zone/ticks/${mode}`);
const openStreams = (mode: string) => streams(mode).filter((r) => r.closedAt === undefined);

/** Loads the app in `mode` and waits until it runs. */
async function load(mode: string, { zoneless = false } = {}): Promise<void> {
  await page.goto(`${server.url}/zone/?mode=${mode}${zoneless ? '&zoneless' : ''}`);
  await page.waitForFunction(() => (window as { ready?: boolean }).ready === true, null, {
    timeout: 10_000,
  });
  const zoneLoaded = await page.evaluate(() => (window as { zoneLoaded?: boolean }).zoneLoaded);
  expect(zoneLoaded).toBe(!zoneless);
}

/** Waits until `#tick` shows a number of at least `n`. */
async function tickReaches(n: number): Promise<void> {
  await page.waitForFunction(
    (least) => Number(document.getElementById('tick')?.textContent) >= least,
    n,
    { timeout: 10_000 },
  );
}

/** `ApplicationRef.whenStable()` asked now: ms until it resolved (null: not within 3 s). */
function measureStable(): Promise<{ ms: number | null; isStable: boolean }> {
  return page.evaluate(() =>
    (
      window as unknown as {
        measureStable: () => Promise<{ ms: number | null; isStable: boolean }>;
      }
    ).measureStable(),
  );
}

/** Stable within 1 s, and `isStable` says so. */
async function expectStableWithin1s(): Promise<void> {
  const { ms, isStable } = await measureStable();
  expect(ms).not.toBeNull();
  expect(ms).toBeLessThanOrEqual(1000);
  expect(isStable).toBe(true);
}

/**
 * The view follows the stream event by event: the next five numbers it shows come within 3 s (an
 * event every 200 ms), none skipping more than two events (chunks that arrive together render
 * together). Were events delivered outside Angular's zone, a zone app would only re-render when
 * something else runs in the zone — the idle watchdog, every few seconds.
 */
async function expectLiveView(): Promise<void> {
  const shown = () =>
    page.evaluate(() => (window as unknown as { ticksShown: number[] }).ticksShown);
  const start = (await shown()).length;
  await page.waitForFunction(
    (n) => (window as unknown as { ticksShown: number[] }).ticksShown.length >= n,
    start + 5,
    { timeout: 3000 },
  );
  const recent = (await shown()).slice(Math.max(0, start - 1));
  const steps = recent.slice(1).map((value, i) => value - recent[i]!);
  expect(steps.every((step) => step >= 1 && step <= 3)).toBe(true);
}

describe('a zone.js Angular app with a live rx-sse stream (idleTimeout set) becomes stable', () => {
  it.each([
    ['the async pipe', 'async'],
    ['toSignal', 'signal'],
    ['a plain subscribe', 'subscribe'],
    ['injectSse', 'inject'],
  ])('through %s, and renders each event', async (_how, mode) => {
    await load(mode);
    await tickReaches(3);
    await expectStableWithin1s();
    await expectLiveView();
    expect(streams(mode)).toHaveLength(1);
    expect(openStreams(mode)).toHaveLength(1);
    if (mode === 'subscribe') {
      // The callbacks run in Angular's zone, which is what re-renders the plain field.
      const inZone = await page.evaluate(
        () => (window as unknown as { inAngularZone: boolean[] }).inAngularZone,
      );
      expect(inZone.length).toBeGreaterThanOrEqual(3);
      expect(inZone.every(Boolean)).toBe(true);
    }
  });
});

it('becomes stable while the stream waits to retry after 503s, then renders once it recovers', async () => {
  failuresLeft = 2;
  await load('retry');
  await page.waitForFunction(
    () => document.getElementById('status')?.textContent === 'reconnecting 1',
    null,
    { timeout: 5000 },
  );
  // A 2 s backoff wait is pending now.
  expect(streams('retry')).toHaveLength(1);
  await expectStableWithin1s();
  expect(streams('retry')).toHaveLength(1); // still waiting: measured during the backoff
  await page.waitForFunction(
    () => document.getElementById('status')?.textContent === 'reconnecting 2',
    null,
    { timeout: 5000 },
  );
  await expectStableWithin1s();
  // The timers re-entered Angular's zone: the reconnect's events re-render a plain field.
  await tickReaches(3);
  await expectLiveView();
  expect(streams('retry')).toHaveLength(3);
  expect(await page.locator('#status').textContent()).toBe('open');
  const inZone = await page.evaluate(
    () => (window as unknown as { inAngularZone: boolean[] }).inAngularZone,
  );
  expect(inZone.length).toBeGreaterThanOrEqual(3);
  expect(inZone.every(Boolean)).toBe(true);
  await expectStableWithin1s();
  // Chromium logs each 503 it received as a console error: those two are expected.
  const refused = problems.errors.filter((e) => e.includes('status of 503'));
  expect(refused).toHaveLength(2);
  problems.errors.splice(0, Infinity, ...problems.errors.filter((e) => !refused.includes(e)));
});

it.each([
  ['a shared endpoint (share.gracePeriod 5000)', 'share'],
  ['a store (createSseStore gracePeriod 5000)', 'store'],
])(
  'becomes stable after %s is released, while its grace period runs; the connection closes after it',
  async (_what, mode) => {
    await load(mode);
    await tickReaches(3);
    await expectStableWithin1s();
    await expectLiveView();
    await page.click('#hide');
    await page.waitForSelector('#tick', { state: 'detached', timeout: 2000 });
    const hidden = Date.now();
    await expectStableWithin1s();
    // The grace period is running: the connection is still open.
    expect(openStreams(mode)).toHaveLength(1);
    await server.waitFor(() => openStreams(mode).length === 0, 'the close after grace', 8000);
    expect(streams(mode)[0]!.closedAt! - hidden).toBeGreaterThanOrEqual(4000);
    expect(streams(mode)).toHaveLength(1);
  },
  20_000,
);

it('control: a zone timer of the app itself (rxjs interval) does keep it unstable', async () => {
  await load('control');
  await tickReaches(1);
  const { ms, isStable } = await measureStable();
  expect(ms).toBeNull();
  expect(isStable).toBe(false);
});

it('a zoneless app (no zone.js) is stable with a live stream, as before', async () => {
  await load('async', { zoneless: true });
  await tickReaches(3);
  await expectStableWithin1s();
  await expectLiveView();
  expect(openStreams('async')).toHaveLength(1);
});
