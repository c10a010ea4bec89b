/**
 * `pauseWhenHidden` in real headless Chromium. The page is hidden the way a user hides it: another
 * tab of the same window comes to the front (CDP Target.createTarget / Target.activateTarget).
 * The page lives in a browser context Playwright does not manage: Playwright emulates focus on its
 * own pages, which keeps them "visible" whatever happens.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, CDPSession } from 'playwright-core';
import { encodeEvent, openSse, startServer, type SseServer } from '../support/sse-server.js';
import { launchChromium } from './harness.js';

let browser: Browser;
let server: SseServer;
let cdp: CDPSession;
const log: string[] = [];

beforeAll(async () => {
  const out = await mkdtemp(join(tmpdir(), 'rx-sse-pause-'));
  const bundle = join(out, 'page.js');
  const [, launched] = await Promise.all([
    promisify(execFile)(process.execPath, [
      join(__dirname, 'fixtures/build-fixture.mjs'),
      join(__dirname, 'fixtures/pause-page.ts'),
      bundle,
    ]),
    launchChromium(),
  ]);
  browser = launched;
  const script = await readFile(bundle, 'utf8');
  await rm(out, { recursive: true, force: true });
  cdp = await browser.newBrowserCDPSession();
  server = await startServer();
  server.route('/pause/', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      '<!doctype html><title>pause</title><script type="module" src="/pause/page.js"></script>',
    );
  });
  server.route('/pause/page.js', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
  });
  server.route('/favicon.ico', (_req, res) => res.writeHead(204).end());
  server.route('/pause/log', (_req, res, seen) => {
    log.push(seen.body);
    res.writeHead(204).end(); // its close re-runs server.waitFor predicates
  });
  server.route('/pause/stream', (_req, res) => {
    openSse(res);
    res.write(encodeEvent({ retry: 1000, id: '1', data: 'one' }));
    res.write(encodeEvent({ id: '2', data: 'two' }));
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const streams = () => server.requestsTo('/pause/stream');
const count = (entry: string) => log.filter((e) => e === entry).length;
const logged = (entry: string, times = 1) =>
  server.waitFor(() => count(entry) >= times, `"${entry}" ×${times} in the page log`);

it('closes while hidden, runs no retry timer, and resumes with last-event-id when visible', async () => {
  const { browserContextId } = await cdp.send('Target.createBrowserContext', {});
  const { targetId: page } = await cdp.send('Target.createTarget', {
    url: `${server.url}/pause/`,
    browserContextId,
  });
  await logged('event 2');
  expect(log).toContain('visibility visible');
  expect(log).toContain('state open');

  // The server drops the stream: a retry is scheduled in 1000 ms (the server's retry floor).
  streams()[0]?.res.destroy();
  await logged('state reconnecting');
  // Another tab comes to the front: the page is hidden during the backoff.
  const { targetId: other } = await cdp.send('Target.createTarget', {
    url: 'about:blank',
    browserContextId,
    newWindow: false,
  });
  await logged('visibility hidden');
  await logged('state paused');
  // Well past the retry delay: no timer fired, no request was made.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(streams()).toHaveLength(1);

  // Back to the front: it reconnects at once, resuming after the last event it had.
  await cdp.send('Target.activateTarget', { targetId: page });
  await logged('visibility visible', 2);
  await server.waitFor(() => streams().length === 2, 'the reconnect');
  expect(streams()[1]?.headers['last-event-id']).toBe('2');
  await logged('state open', 2);

  // Hidden while open: the connection closes (the server sees it), the state is paused.
  await cdp.send('Target.activateTarget', { targetId: other });
  await server.waitFor(() => streams()[1]?.closedAt !== undefined, 'the close while hidden');
  await logged('state paused', 2);
  expect(streams()).toHaveLength(2);

  await cdp.send('Target.disposeBrowserContext', { browserContextId });
  await server.waitFor(() => server.openResponses() === 0, 'every response closed');
  expect(log.filter((entry) => entry.startsWith('error'))).toEqual([]);
});

it('openWhenHidden: false does the same: closes while hidden, resumes when visible', async () => {
  log.length = 0;
  const before = streams().length;
  const { browserContextId } = await cdp.send('Target.createBrowserContext', {});
  const { targetId: page } = await cdp.send('Target.createTarget', {
    url: `${server.url}/pause/?open=false`,
    browserContextId,
  });
  await logged('state open');
  await cdp.send('Target.createTarget', {
    url: 'about:blank',
    browserContextId,
    newWindow: false,
  });
  await logged('state paused');
  await server.waitFor(() => streams()[before]?.closedAt !== undefined, 'the close while hidden');

  await cdp.send('Target.activateTarget', { targetId: page });
  await logged('state open', 2);
  expect(streams()).toHaveLength(before + 2);
  expect(streams()[before + 1]?.headers['last-event-id']).toBe('2');

  await cdp.send('Target.disposeBrowserContext', { browserContextId });
  await server.waitFor(() => server.openResponses() === 0, 'every response closed');
  expect(log.filter((entry) => entry.startsWith('error'))).toEqual([]);
});
