/**
 * `share: { crossTab: true }` in real Chromium: pages opened in one browser context share locks and
 * broadcast channels as the tabs of one profile do. The server counts the connections it sees and
 * answers SSE with `connection: close` (Chromium keeps the socket of an aborted fetch in its pool
 * for up to 5 s otherwise, and the count would lag behind the truth).
 *
 * The page is spec/browser/fixtures/cross-tab-page.ts; each tab sends its name as `x-tab`, so the
 * request tells which tab holds the connection.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  encodeEvent,
  openSse,
  startServer,
  type SeenRequest,
  type SseServer,
} from '../support/sse-server.js';
import { until } from '../support/until.js';
import { launchChromium } from './harness.js';

interface Log {
  readonly ticks: number[];
  readonly instances: boolean;
  readonly states: string[];
  readonly snapshots: string[];
  readonly errors: { name: string; status: number | undefined; instance: boolean }[];
  readonly completed: number;
}

type CrossTabWindow = Window & {
  crossTab: {
    log: Log;
    subscribe(): void;
    unsubscribe(): void;
    subscribeAt(at: number): void;
    subscribeMissing(): void;
    ask(): void;
    timedFetch(path: string): Promise<number>;
  };
};

const GRACE = 500; // the fixture's gracePeriod

let browser: Browser;
let server: SseServer;
let script = '';
/** The last tick sent; every tick is kept for resuming. */
let sent = 0;
const live = new Set<ServerResponse>();
let ticker: ReturnType<typeof setInterval> | undefined;
const problems: string[] = [];

function tick(): void {
  sent += 1;
  for (const res of live)
    res.write(encodeEvent({ event: 'tick', id: String(sent), data: `{"n":${sent}}` }));
}
const startTicking = (): void => {
  ticker ??= setInterval(tick, 40);
};
const stopTicking = (): void => {
  clearInterval(ticker);
  ticker = undefined;
};

beforeAll(async () => {
  const out = await mkdtemp(join(tmpdir(), 'rx-sse-cross-tab-'));
  const bundle = join(out, 'page.js');
  const [, launched] = await Promise.all([
    promisify(execFile)(process.execPath, [
      join(__dirname, 'fixtures/build-fixture.mjs'),
      join(__dirname, 'fixtures/cross-tab-page.ts'),
      bundle,
    ]),
    launchChromium(),
  ]);
  browser = launched;
  script = await readFile(bundle, 'utf8');
  await rm(out, { recursive: true, force: true });
  server = await startServer();
  server.route('/ct/', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>tab</title><script type="module" src="/ct/page.js"></script>');
  });
  server.route('/ct/page.js', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
  });
  server.route('/favicon.ico', (_req, res) => res.writeHead(204).end());
  server.route('/ct/api', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  server.route('/ct/ticks', (req, res) => {
    openSse(res, { connection: 'close' });
    // A resume gets everything after Last-Event-ID, and the event itself once more (servers that
    // deliver at least once do): the tabs must drop it.
    const last = Number(req.headers['last-event-id'] ?? NaN);
    if (Number.isInteger(last)) {
      for (let n = Math.max(1, last); n <= sent; n++) {
        res.write(encodeEvent({ event: 'tick', id: String(n), data: `{"n":${n}}` }));
      }
    }
    live.add(res);
    res.on('close', () => live.delete(res));
  });
  server.route('/ct/answer', (_req, res) => {
    openSse(res, { connection: 'close' }).write(encodeEvent({ event: 'tick', data: '{"n":1}' }));
  });
  server.route('/ct/missing', (_req, res) => {
    // Late enough for every tab to have joined before the answer.
    setTimeout(
      () => res.writeHead(404, { 'content-type': 'text/plain' }).end('no such stream'),
      300,
    );
  });
}, 30_000);

afterEach(async () => {
  stopTicking();
  for (const context of browser.contexts()) await context.close();
  await server.waitFor(() => server.openResponses() === 0, 'every response closed', 5000);
  server.requests.length = 0;
  expect(problems.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens `count` tabs of the fixture in one context (one browser profile). */
async function openTabs(
  count: number,
  options: { context?: BrowserContext; init?: string; from?: number } = {},
): Promise<Page[]> {
  const context = options.context ?? (await browser.newContext());
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const page = await context.newPage();
    const name = `tab ${(options.from ?? 0) + i}`;
    page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // The 404 of /ct/missing, and the stream the server drops, are what those tests ask for.
      if (/status of 404|ERR_INCOMPLETE_CHUNKED_ENCODING/.test(message.text())) return;
      problems.push(`${name}: console ${message.text()}`);
    });
    if (options.init !== undefined) await page.addInitScript(options.init);
    await page.goto(`${server.url}/ct/?tab=${(options.from ?? 0) + i}`);
    await page.waitForFunction(() => 'crossTab' in window);
    pages.push(page);
  }
  return pages;
}

const logOf = (page: Page): Promise<Log> =>
  page.evaluate(() => (window as unknown as CrossTabWindow).crossTab.log);
const subscribe = (page: Page): Promise<void> =>
  page.evaluate(() => (window as unknown as CrossTabWindow).crossTab.subscribe());
const unsubscribe = (page: Page): Promise<void> =>
  page.evaluate(() => (window as unknown as CrossTabWindow).crossTab.unsubscribe());

const streams = (): SeenRequest[] => server.requestsTo('/ct/ticks');
const openStreams = (): SeenRequest[] => streams().filter((r) => r.closedAt === undefined);

/** The most SSE connections the server had open at once. */
function mostAtOnce(requests: readonly SeenRequest[]): number {
  const edges = requests.flatMap((r) => [
    { at: r.at, delta: 1 },
    { at: r.closedAt ?? Infinity, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (open += edge.delta));
  return most;
}

/** Every tick from the first one to the last, once, in order. */
function contiguous(ticks: readonly number[]): boolean {
  return ticks.every((n, i) => i === 0 || n === (ticks[i - 1] ?? NaN) + 1);
}

/** Waits until every page delivered tick `n`. */
async function allReached(pages: readonly Page[], n: number, what: string): Promise<Log[]> {
  let logs: Log[] = [];
  await until(
    async () => {
      logs = await Promise.all(pages.map(logOf));
      return logs.every((log) => (log.ticks[log.ticks.length - 1] ?? 0) >= n);
    },
    what,
    { interval: 50, timeout: 8000 },
  );
  return logs;
}

/** The tab whose name the open connection carries. */
function holderOf(pages: readonly Page[]): Page {
  const [open] = openStreams();
  const name = Number(open?.headers['x-tab']);
  const page = pages.find((p) => new URL(p.url()).searchParams.get('tab') === String(name));
  if (page === undefined) throw new Error(`no holder among the pages (x-tab ${name})`);
  return page;
}

describe('share: { crossTab: true } in Chromium', () => {
  it('8 tabs: exactly one connection; every tab delivers every event, decoded by its own schema, and shows the state', async () => {
    startTicking();
    const pages = await openTabs(8);
    for (const page of pages) await subscribe(page);
    await allReached(pages, sent + 10, 'ten more ticks in every tab');
    expect(streams()).toHaveLength(1);
    stopTicking();
    const logs = await allReached(pages, sent, 'the last tick in every tab');
    for (const log of logs) {
      expect(contiguous(log.ticks)).toBe(true);
      expect(log.ticks[log.ticks.length - 1]).toBe(sent);
      expect(log.instances).toBe(true);
      expect(log.states[log.states.length - 1]).toBe('open');
      expect(log.snapshots).toEqual(expect.arrayContaining(['open']));
      expect(log.snapshots).not.toContain('idle');
      expect(log.snapshots[log.snapshots.length - 1]).toBe('open');
    }

    // The server drops the connection: every tab shows the holder reconnecting, then open again,
    // and nothing is lost or repeated.
    const [first] = streams();
    first?.res.destroy();
    startTicking();
    await until(() => streams().length === 2 && openStreams().length === 1, 'the reconnect', {
      timeout: 5000,
    });
    const after = await allReached(pages, sent + 5, 'ticks after the reconnect');
    for (const log of after) {
      expect(log.states).toContain('reconnecting');
      expect(log.snapshots).toContain('reconnecting');
      expect(log.states[log.states.length - 1]).toBe('open');
      expect(contiguous(log.ticks)).toBe(true);
    }
    expect(mostAtOnce(streams())).toBe(1);
  }, 60_000);

  it('the holder tab closes: another takes over within 2 s, resuming from the last event; no gap, no repeat', async () => {
    startTicking();
    const pages = await openTabs(4);
    for (const page of pages) await subscribe(page);
    await allReached(pages, sent + 5, 'five ticks everywhere');
    stopTicking();
    await allReached(pages, sent, 'the last tick everywhere');
    const last = sent;
    const holder = holderOf(pages);
    const closedAt = Date.now();
    await holder.close();
    startTicking(); // events the server sends while no tab is connected: the resume brings them
    await until(() => streams().length === 2, 'a new connection', { timeout: 2000 });
    const [, second] = streams();
    expect(second!.at - closedAt).toBeLessThanOrEqual(2000);
    expect(second?.headers['last-event-id']).toBe(String(last));
    const remaining = pages.filter((page) => page !== holder);
    expect(second?.headers['x-tab']).not.toBe(new URL(holder.url()).searchParams.get('tab'));
    const logs = await allReached(remaining, sent + 5, 'ticks after the handover');
    for (const log of logs) {
      expect(contiguous(log.ticks)).toBe(true);
      expect(log.ticks).toContain(last + 1);
    }
    expect(openStreams()).toHaveLength(1);
  }, 60_000);

  it('the holder tab crashes (its renderer dies, it says nothing): another takes over within 2 s; no gap, no repeat', async () => {
    startTicking();
    const pages = await openTabs(3);
    for (const page of pages) await subscribe(page);
    await allReached(pages, sent + 5, 'five ticks everywhere');
    const holder = holderOf(pages);
    const cdp = await holder.context().newCDPSession(holder);
    const crashed = new Promise((resolve) => holder.once('crash', resolve));
    const crashedAt = Date.now();
    cdp.send('Page.crash').catch(() => undefined); // never answers: the page is gone
    await crashed;
    await until(() => streams().length === 2, 'a new connection', { timeout: 2000 });
    const [first, second] = streams();
    expect(second!.at - crashedAt).toBeLessThanOrEqual(2000);
    const remaining = pages.filter((page) => page !== holder);
    const logs = await allReached(remaining, sent + 5, 'ticks after the takeover');
    const resumedFrom = Number(second?.headers['last-event-id']);
    for (const log of logs) {
      expect(contiguous(log.ticks)).toBe(true);
      expect(log.ticks).toContain(resumedFrom + 1);
    }
    expect(first?.closedAt).toBeDefined();
    await holder.close();
  }, 60_000);

  it('the holder’s last subscriber leaves, the tab stays: after the grace period another takes over; no gap, no repeat', async () => {
    startTicking();
    const pages = await openTabs(3);
    for (const page of pages) await subscribe(page);
    await allReached(pages, sent + 5, 'five ticks everywhere');
    const holder = holderOf(pages);
    const leftAt = Date.now();
    await unsubscribe(holder);
    await until(() => streams().length === 2, 'a new connection', { timeout: GRACE + 2000 });
    const [first, second] = streams();
    expect(second!.at - leftAt).toBeLessThanOrEqual(GRACE + 2000);
    // The old connection served the tabs through the grace period, then closed.
    expect(first!.closedAt! - leftAt).toBeGreaterThanOrEqual(GRACE - 20);
    const remaining = pages.filter((page) => page !== holder);
    const logs = await allReached(remaining, sent + 5, 'ticks after the handover');
    for (const log of logs) expect(contiguous(log.ticks)).toBe(true);
    const resumedFrom = Number(second?.headers['last-event-id']);
    expect(logs[0]?.ticks).toContain(resumedFrom + 1);
    // The tab that left delivers nothing more; it still may subscribe again and follow.
    const left = await logOf(holder);
    expect(left.ticks[left.ticks.length - 1]).toBeLessThanOrEqual(resumedFrom);
    expect(openStreams()).toHaveLength(1);
  }, 60_000);

  it('10 tabs over HTTP/1.1, each also calling fetch: every fetch answers within 1 s', async () => {
    startTicking();
    const pages = await openTabs(10);
    for (const page of pages) await subscribe(page);
    await allReached(pages, sent + 2, 'ticks everywhere');
    const times = await Promise.all(
      pages.map((page) =>
        page.evaluate(() => (window as unknown as CrossTabWindow).crossTab.timedFetch('/ct/api')),
      ),
    );
    expect(times.filter((ms) => ms > 1000)).toEqual([]);
    expect(openStreams()).toHaveLength(1);
  }, 60_000);

  it('every tab leaves: no connection within the grace period plus 1 s', async () => {
    startTicking();
    const pages = await openTabs(4);
    for (const page of pages) await subscribe(page);
    await allReached(pages, sent + 2, 'ticks everywhere');
    const leftAt = Date.now();
    await Promise.all(pages.map(unsubscribe));
    await until(() => openStreams().length === 0, 'no connection', { timeout: GRACE + 1000 });
    expect(Date.now() - leftAt).toBeLessThanOrEqual(GRACE + 1000);
    // Nobody took over for nobody.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(streams()).toHaveLength(1);
  }, 60_000);

  it('two tabs starting in the same millisecond: never two connections', async () => {
    startTicking();
    const pages = await openTabs(2);
    for (let round = 0; round < 5; round++) {
      const at = Date.now() + 150;
      await Promise.all(
        pages.map((page) =>
          page.evaluate(
            (when) => (window as unknown as CrossTabWindow).crossTab.subscribeAt(when),
            at,
          ),
        ),
      );
      await allReached(pages, sent + 2, `round ${round}: ticks in both`);
      expect(openStreams()).toHaveLength(1);
      await Promise.all(pages.map(unsubscribe));
      await until(() => openStreams().length === 0, `round ${round}: closed`, { timeout: 3000 });
    }
    expect(streams()).toHaveLength(5);
    expect(mostAtOnce(streams())).toBe(1);
  }, 60_000);

  it('churn for 8 s: tabs joining, leaving and closing at random: one connection at a time, every session contiguous', async () => {
    startTicking();
    // A fixed seed (Mulberry32): the same sequence of joins, leaves and closes on every run.
    let seed = 20261129;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const context = await browser.newContext();
    let next = 4;
    const tabs = (await openTabs(4, { context })).map((page) => ({ page, from: -1 }));
    /** Each tab's sessions: where in its log each one began and ended. */
    const sessions: { page: Page; from: number; to: number }[] = [];
    const leave = async (tab: { page: Page; from: number }): Promise<void> => {
      const { ticks } = await logOf(tab.page);
      await unsubscribe(tab.page);
      sessions.push({ page: tab.page, from: tab.from, to: ticks.length });
      tab.from = -1;
    };
    const until8s = Date.now() + 8000;
    while (Date.now() < until8s) {
      const tab = tabs[Math.floor(random() * tabs.length)]!;
      const roll = random();
      if (tab.from < 0 && roll < 0.6) {
        tab.from = (await logOf(tab.page)).ticks.length;
        await subscribe(tab.page);
      } else if (tab.from >= 0 && roll < 0.8) {
        await leave(tab);
      } else if (roll >= 0.8) {
        // Close the tab, whatever it was doing (perhaps holding the connection), and open another.
        if (tab.from >= 0) await leave(tab);
        await tab.page.close();
        tab.page = (await openTabs(1, { context, from: next++ }))[0]!;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 + random() * 250));
    }
    for (const tab of tabs) if (tab.from >= 0) await leave(tab);
    stopTicking();
    await server.waitFor(() => openStreams().length === 0, 'every connection closed', 5000);
    expect(mostAtOnce(streams())).toBe(1);
    for (const session of sessions) {
      if (session.page.isClosed()) continue; // its log went with it
      const { ticks } = await logOf(session.page);
      expect(contiguous(ticks.slice(session.from, session.to))).toBe(true);
    }
    expect(sessions.filter((session) => !session.page.isClosed()).length).toBeGreaterThan(5);
  }, 60_000);

  it('a POST endpoint with crossTab shares within each tab: closing a tab sends nothing again', async () => {
    const pages = await openTabs(2);
    for (const page of pages) {
      await page.evaluate(() => (window as unknown as CrossTabWindow).crossTab.ask());
    }
    await until(
      async () => (await Promise.all(pages.map(logOf))).every((log) => log.ticks.length === 1),
      'the answer in both tabs',
      { interval: 50 },
    );
    const answers = (): SeenRequest[] => server.requestsTo('/ct/answer');
    expect(answers()).toHaveLength(2); // one per tab: a handover would send the POST again
    await pages[0]!.close();
    await server.waitFor(
      () => answers().filter((r) => r.closedAt === undefined).length === 1,
      'tab 0 left',
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // a takeover would come within this
    expect(answers()).toHaveLength(2);
  }, 60_000);

  it('a 404 reaches every tab’s subscribers as SseHttpError, from one request', async () => {
    const pages = await openTabs(3);
    await Promise.all(
      pages.map((page) =>
        page.evaluate(() => (window as unknown as CrossTabWindow).crossTab.subscribeMissing()),
      ),
    );
    let logs: Log[] = [];
    await until(
      async () =>
        (logs = await Promise.all(pages.map(logOf))).every((log) => log.errors.length > 0),
      'the error in every tab',
      { interval: 50 },
    );
    for (const log of logs) {
      expect(log.errors).toEqual([{ name: 'SseHttpError', status: 404, instance: true }]);
    }
    expect(server.requestsTo('/ct/missing')).toHaveLength(1);
  }, 60_000);

  it.each([
    ['Web Locks', 'delete Navigator.prototype.locks;'],
    ['BroadcastChannel', 'delete globalThis.BroadcastChannel;'],
    ['both', 'delete Navigator.prototype.locks; delete globalThis.BroadcastChannel;'],
  ])(
    'without %s (an older browser): each tab shares within itself, with no error',
    async (_missing, init) => {
      startTicking();
      const pages = await openTabs(3, { init });
      expect(
        await pages[0]!.evaluate(() => [
          typeof navigator.locks,
          typeof (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel,
        ]),
      ).toContain('undefined');
      for (const page of pages) await subscribe(page);
      const logs = await allReached(pages, sent + 3, 'ticks in every tab');
      for (const log of logs) {
        expect(contiguous(log.ticks)).toBe(true);
        expect(log.states[log.states.length - 1]).toBe('open');
      }
      // One connection per tab: the page's two subscriptions (events, store) share it.
      expect(streams()).toHaveLength(3);
      expect(new Set(streams().map((r) => r.headers['x-tab'])).size).toBe(3);
    },
    60_000,
  );
});
