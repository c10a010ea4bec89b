/**
 * Back online, in real headless Chromium against a real server that counts requests: a stream
 * waiting out its backoff retries at once when the browser fires `online`, when the page becomes
 * visible again, or when the app asks through `retry.retryNow` (a "Retry now" button) — one retry
 * per wait, still counted in the failure streak.
 *
 * Drawn from fanout/reconnecting-eventsource #69, "Trigger reconnection?"
 * (https://github.com/fanout/reconnecting-eventsource/issues/69): once the network was back, the
 * client slept through the rest of its retry delay and the app had no way to wake it.
 *
 * The page (fixtures/back-online-page.ts) uses `jitter: 'none'`, so every delay is known, and
 * stamps what it sees with its own clock. Going offline is Playwright's `context.setOffline`
 * (Chromium then fires `offline` / `online`); hiding the page is another tab coming to the front,
 * in a browser context Playwright does not manage (it emulates focus on its own pages, which keeps
 * them visible), as in pause-when-hidden.spec.ts.
 */
import type { Browser, Page } from 'playwright-core';
import { encodeEvent, openSse, type SseServer } from '../support/sse-server.js';
import { until } from '../support/until.js';
import type { BackEntry } from './fixtures/back-online-page.js';
import { openPage, startFixturePage, type PageProblems } from './harness.js';

let browser: Browser;
let server: SseServer;
/** What pages opened with `report=1` POSTed to `/back/log`. */
const serverLog: BackEntry[] = [];
/** Closes what a test opened, even when it failed (last opened, first closed). */
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  ({ browser, server } = await startFixturePage('back-online-page.ts', '/back/'));
  server.route('/back/log', (_req, res, seen) => {
    serverLog.push(JSON.parse(seen.body) as BackEntry);
    res.writeHead(204).end();
  });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const requests = (path: string) => server.requestsTo(path);
const pageUrl = (stream: string, initialDelay: number, report = false) =>
  `${server.url}/back/?stream=${encodeURIComponent(stream)}&initialDelay=${initialDelay}` +
  (report ? '&report=1' : '');

type Match = (entry: BackEntry) => boolean;
const isState =
  (status: string): Match =>
  (e) =>
    e.kind === 'state' && e.value === status;
const isRetry =
  (attempt: number): Match =>
  (e) =>
    isState('reconnecting')(e) && e.attempt === attempt;
const isEvent =
  (id: string): Match =>
  (e) =>
    e.kind === 'event' && e.value === id;
const isKind =
  (kind: string, value?: string): Match =>
  (e) =>
    e.kind === kind && (value === undefined || e.value === value);

/** The page's log, read in the page (works while it is offline). */
const pageLog = (page: Page) => () =>
  page.evaluate(() => (window as unknown as { backLog: BackEntry[] }).backLog);
/** The log of a `report=1` page, as the server received it, in the page's order. */
const reportedLog = () => [...serverLog].sort((a, b) => a.t - b.t);

/** Waits for the `nth` entry (1-based) matching `match` and returns it. */
async function nth(
  read: () => BackEntry[] | Promise<BackEntry[]>,
  match: Match,
  what: string,
  { n = 1, timeout = 5000 }: { n?: number; timeout?: number } = {},
): Promise<BackEntry> {
  let found: BackEntry | undefined;
  await until(
    async () => {
      found = (await read()).filter(match)[n - 1];
      return found !== undefined;
    },
    what,
    { timeout, interval: 10 },
  );
  return found as BackEntry;
}

/** Opens the page in a Playwright context (closed after the test). */
async function openBackPage(url: string): Promise<{ page: Page; problems: PageProblems }> {
  const opened = await openPage(browser);
  cleanups.push(() => opened.page.context().close());
  await opened.page.goto(url);
  return opened;
}

/** Page errors, leaving out Chromium's console lines for the requests that fail on purpose. */
const unexpected = (problems: PageProblems) =>
  problems.errors.filter(
    (e) =>
      !(
        e.startsWith('console:') &&
        /ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_INTERNET_DISCONNECTED|status of 503/.test(e)
      ),
  );

/** A stream that opens once with event 1, then answers 503 without `Retry-After`. */
function routeOpenThenBusy(path: string): void {
  server.route(path, (_req, res) => {
    if (requests(path).length > 1) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
      return;
    }
    openSse(res);
    res.write(encodeEvent({ id: '1', data: 'one' }));
  });
}

it('back online: the stream is open again within 2 s of the online event and resumes', async () => {
  const feed = '/back/feed-online';
  // Events 1–3 to a new client; a client resuming after N gets N + 1.
  server.route(feed, (req, res) => {
    openSse(res);
    const last = Number(req.headers['last-event-id'] ?? 0);
    for (const id of last === 0 ? [1, 2, 3] : [last + 1]) {
      res.write(encodeEvent({ id: String(id), data: `event ${id}` }));
    }
  });
  const { page, problems } = await openBackPage(pageUrl(feed, 1000));
  const read = pageLog(page);
  await nth(read, isEvent('3'), 'event 3');

  // The network dies: the browser goes offline and the live socket is gone.
  await page.context().setOffline(true);
  requests(feed)[0]?.res.destroy();
  // Every retry fails inside the browser and the waits grow: 1 s, 2 s, then 4 s is scheduled.
  const waiting = await nth(read, isRetry(3), 'the third retry scheduled', { timeout: 8000 });
  expect((await read()).filter(isState('reconnecting')).map((e) => [e.attempt, e.delay])).toEqual([
    [1, 1000],
    [2, 2000],
    [3, 4000],
  ]);
  expect(requests(feed)).toHaveLength(1);

  await page.context().setOffline(false);
  const online = await nth(read, isKind('online'), 'the online event');
  const reopened = await nth(read, isState('open'), 'the stream open again', { n: 2 });
  expect(reopened.t - online.t).toBeLessThan(2000);
  // Not the 4 s timer: it had not fired yet.
  expect(reopened.t - waiting.t).toBeLessThan(4000);
  expect(requests(feed)).toHaveLength(2);
  expect(requests(feed)[1]?.headers['last-event-id']).toBe('3');
  await nth(read, isEvent('4'), 'event 4, after the resume');

  await page.context().close();
  await server.waitFor(
    () => requests(feed).every((r) => r.closedAt !== undefined),
    'the stream closed with the page',
  );
  expect(unexpected(problems)).toEqual([]);
});

it('retryNow emitting three times in a row during a wait makes one request, counted in the streak', async () => {
  const feed = '/back/feed-button';
  routeOpenThenBusy(feed);
  const { page, problems } = await openBackPage(pageUrl(feed, 4000));
  const read = pageLog(page);
  const press = (times: number) =>
    page.evaluate((count) => {
      const { retryNow } = window as unknown as { retryNow: () => void };
      for (let i = 0; i < count; i++) retryNow();
    }, times);
  await nth(read, isEvent('1'), 'event 1');

  requests(feed)[0]?.res.destroy();
  const first = await nth(read, isRetry(1), 'the first retry scheduled');
  expect(first.delay).toBe(4000);

  const pressedAt = Date.now();
  await press(3);
  await server.waitFor(() => requests(feed).length >= 2, 'the retry', 1000);
  expect(requests(feed)[1]!.at - pressedAt).toBeLessThan(1000);
  // The 503 still counts: the next wait is for attempt 2, twice as long.
  const second = await nth(read, isRetry(2), 'the second retry scheduled');
  expect(second.delay).toBe(8000);
  // No burst: the two extra emissions were not kept for the next wait. A request that is not made
  // cannot be awaited, so this watches for one over a bounded window (the wait lasts 8 s).
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(requests(feed)).toHaveLength(2);
  expect((await read()).filter(isState('connecting')).map((e) => e.attempt)).toEqual([0, 1]);

  // The next wait ends on one emission too, and the streak keeps growing.
  await press(1);
  await server.waitFor(() => requests(feed).length === 3, 'the second early retry', 1000);
  const third = await nth(read, isRetry(3), 'the third retry scheduled');
  expect(third.delay).toBe(16000);
  expect(requests(feed)).toHaveLength(3);

  await page.context().close();
  await server.waitFor(
    () => requests(feed).every((r) => r.closedAt !== undefined),
    'every request closed with the page',
  );
  expect(unexpected(problems)).toEqual([]);
});

it('the page becoming visible again during a wait starts the retry at once', async () => {
  const feed = '/back/feed-visible';
  routeOpenThenBusy(feed);
  serverLog.length = 0;
  const cdp = await browser.newBrowserCDPSession();
  cleanups.push(() => cdp.detach());
  const { browserContextId } = await cdp.send('Target.createBrowserContext', {});
  let disposed = false;
  cleanups.push(async () => {
    if (!disposed) await cdp.send('Target.disposeBrowserContext', { browserContextId });
  });
  const { targetId } = await cdp.send('Target.createTarget', {
    url: pageUrl(feed, 4000, true),
    browserContextId,
  });
  await nth(reportedLog, isEvent('1'), 'event 1');
  expect(reportedLog().find(isKind('visibility'))?.value).toBe('visible');

  requests(feed)[0]?.res.destroy();
  const first = await nth(reportedLog, isRetry(1), 'the first retry scheduled');
  expect(first.delay).toBe(4000);

  // Another tab to the front: the page is hidden, which starts nothing.
  await cdp.send('Target.createTarget', { url: 'about:blank', browserContextId, newWindow: false });
  await nth(reportedLog, isKind('visibility', 'hidden'), 'the page hidden');
  expect(requests(feed)).toHaveLength(1);

  // Back to the front: the retry starts at once, not when the 4 s timer fires.
  await cdp.send('Target.activateTarget', { targetId });
  const visible = await nth(reportedLog, isKind('visibility', 'visible'), 'the page visible', {
    n: 2,
  });
  await server.waitFor(() => requests(feed).length >= 2, 'the retry');
  const retried = await nth(reportedLog, isState('connecting'), 'the retry connecting', { n: 2 });
  expect(retried.attempt).toBe(1);
  expect(retried.t - visible.t).toBeLessThan(2000);
  expect(retried.t - first.t).toBeLessThan(4000);
  // It failed (503) and counts: attempt 2 waits 8 s.
  const second = await nth(reportedLog, isRetry(2), 'the second retry scheduled');
  expect(second.delay).toBe(8000);
  expect(requests(feed)).toHaveLength(2);

  await cdp.send('Target.disposeBrowserContext', { browserContextId });
  disposed = true;
  await server.waitFor(
    () => requests(feed).every((r) => r.closedAt !== undefined),
    'every request closed with the page',
  );
  expect(reportedLog().filter(isKind('error'))).toEqual([]);
});
