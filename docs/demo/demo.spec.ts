/**
 * The demo in a real browser: `node docs/demo/server.mjs` exactly as `npm run demo` starts it,
 * Debian's Chromium driven by playwright-core. Every panel must update, a killed connection must
 * come back with nothing lost or repeated, and leaving the page must close every connection.
 *
 * The screenshot lands in docs/demo/artifacts/demo.png (not committed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../spec/browser/harness.js';
import { until } from '../../spec/support/until.js';

const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(__dirname, 'artifacts');
const STREAMS = ['chat', 'danmaku', 'live', 'secure'] as const;

interface ServerStats {
  readonly open: Record<(typeof STREAMS)[number], number>;
  readonly resumes: number;
  readonly resent: number;
  readonly unauthorized: number;
  readonly tokensIssued: number;
}

interface LedgerRow {
  readonly received: number;
  readonly expected: number;
  readonly gaps: number;
  readonly duplicates: number;
  readonly reconnects: number;
  readonly status: string;
}

let demo: ChildProcess | undefined;
let url = '';
let browser: Browser | undefined;

/** Starts the demo and resolves with the URL it prints. */
function startDemo(): Promise<string> {
  const child = spawn(process.execPath, [join(ROOT, 'docs/demo/server.mjs')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DEMO_TOKEN_TTL: '4000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  demo = child;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the demo did not start in 15 s')), 15_000);
    child.once('exit', (code) => reject(new Error(`the demo exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^Demo running at (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      resolve(match[1]);
    });
  });
}

async function stats(): Promise<ServerStats> {
  const response = await fetch(`${url}/api/stats`);
  return (await response.json()) as ServerStats;
}

function readLedger(page: Page): Promise<Record<string, LedgerRow>> {
  return page.evaluate(() => {
    const rows: Record<string, LedgerRow> = {};
    for (const row of document.querySelectorAll<HTMLTableRowElement>('#ledger tr')) {
      const cells = [...row.cells].map((cell) => Number(cell.textContent.replaceAll(',', '')));
      rows[row.dataset['stream'] ?? '?'] = {
        received: cells[1] ?? NaN,
        expected: cells[2] ?? NaN,
        gaps: cells[3] ?? NaN,
        duplicates: cells[4] ?? NaN,
        reconnects: cells[5] ?? NaN,
        status: row.querySelector<HTMLElement>('.badge')?.dataset['status'] ?? '',
      };
    }
    return rows;
  });
}

beforeAll(async () => {
  [url, browser] = await Promise.all([startDemo(), launchChromium()]);
}, 30_000);

afterAll(async () => {
  await browser?.close();
  if (demo !== undefined && demo.exitCode === null) {
    const exited = new Promise((resolve) => demo?.once('exit', resolve));
    demo.kill('SIGTERM');
    await exited;
  }
});

describe('npm run demo, in Chromium', () => {
  it('updates every panel, comes back from killed connections exactly once, and closes on leave', async () => {
    const page = await browser!.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // Chromium logs the stream requests the demo breaks on purpose (the 401s of expired tokens,
      // the killed sockets). Any other error fails the test.
      const path = message.location().url ? new URL(message.location().url).pathname : '';
      if (message.text().startsWith('Failed to load resource') && path.startsWith('/sse/')) return;
      problems.push(`console error: ${message.text()} (${path})`);
    });
    await page.goto(url);

    // Every stream connects: one badge per stream, and the ledger's copy of it.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll<HTMLElement>('[data-badge], #ledger .badge')].every(
          (badge) => badge.dataset['status'] === 'open',
        ),
      undefined,
      { timeout: 5000 },
    );
    // …one connection each: the three panels of /sse/live and the ledger share one.
    expect((await stats()).open).toEqual({ chat: 1, danmaku: 1, live: 1, secure: 1 });

    // Every panel updates.
    const text = (selector: string): Promise<string> =>
      page.locator(selector).first().innerText({ timeout: 1000 });
    const first = {
      online: await text('#online'),
      likes: await text('#likes'),
      metric: await text('#metric'),
    };
    await page.waitForFunction(
      (start) => {
        const value = (id: string): string => document.getElementById(id)?.textContent ?? '';
        return (
          document.querySelectorAll('#messages .message').length > 10 && // history, then live
          document.querySelectorAll('#bullets .bullet').length > 0 &&
          value('online') !== start.online &&
          value('sales-total') !== '$0.00' &&
          document.querySelectorAll('#order-list li').length > 0 &&
          value('likes') !== start.likes &&
          document.querySelectorAll('#notes li').length > 0 &&
          value('metric') !== start.metric
        );
      },
      first,
      { timeout: 8000 },
    );
    expect(await text('#online')).toMatch(/^\d{1,3}(,\d{3})*$/);

    // A message typed on the page comes back through the stream.
    await page.fill('#chat-input', 'hello from the browser test');
    await page.click('#composer button');
    await page.locator('.message.mine p', { hasText: 'hello from the browser test' }).waitFor({
      timeout: 3000,
    });

    // The token expires (every 4 s here): 401, onUnauthorized, a new token, the stream goes on.
    await page.waitForFunction(
      () => Number(document.body.dataset['rotations'] ?? 0) >= 1,
      undefined,
      {
        timeout: 8000,
      },
    );
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLElement>('[data-badge="secure"]')?.dataset['status'] === 'open',
      undefined,
      { timeout: 5000 },
    );
    const afterRotation = await stats();
    expect(afterRotation.unauthorized).toBeGreaterThanOrEqual(1);
    expect(afterRotation.tokensIssued).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#rotations li').count()).toBeGreaterThanOrEqual(2);

    // Kill every server connection.
    const before = await readLedger(page);
    const server = await stats();
    await page.click('#kill');

    // Each stream reconnects, resumes with Last-Event-ID and receives more events…
    await page.waitForFunction(
      (previous) =>
        [...document.querySelectorAll<HTMLTableRowElement>('#ledger tr')].every((row) => {
          const was = previous[row.dataset['stream'] ?? ''];
          const cells = [...row.cells].map((cell) => Number(cell.textContent.replaceAll(',', '')));
          return (
            was !== undefined &&
            (cells[5] ?? 0) > was.reconnects &&
            (cells[1] ?? 0) >= was.received + 2 &&
            row.querySelector<HTMLElement>('.badge')?.dataset['status'] === 'open'
          );
        }),
      before,
      { timeout: 8000 },
    );
    // …with nothing lost and nothing twice, although the server re-sent events it had sent.
    const after = await readLedger(page);
    for (const name of STREAMS) {
      expect({ name, ...after[name] }).toEqual({
        name,
        received: after[name]?.expected,
        expected: after[name]?.expected,
        gaps: 0,
        duplicates: 0,
        reconnects: expect.any(Number) as number,
        status: 'open',
      });
    }
    const resumed = await stats();
    expect(resumed.resumes - server.resumes).toBeGreaterThanOrEqual(STREAMS.length);
    expect(resumed.resent - server.resent).toBeGreaterThanOrEqual(STREAMS.length);
    expect(resumed.open).toEqual({ chat: 1, danmaku: 1, live: 1, secure: 1 });
    expect(await text('#verdict')).toBe('exactly once');

    // Something to look at.
    await page.locator('#toast').waitFor({ state: 'hidden', timeout: 5000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'demo.png'), fullPage: true });

    expect(problems).toEqual([]);

    // Leaving the page closes every connection.
    await page.close();
    await until(
      async () => Object.values((await stats()).open).every((open) => open === 0),
      'the server to see every stream closed',
      { interval: 50 },
    );
  }, 45_000);

  it('three tabs share one connection per stream; closing the tab that holds them loses nothing', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const tabs: Page[] = [];
    for (let i = 0; i < 3; i++) {
      const tab = await context.newPage();
      tab.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      await tab.goto(url);
      tabs.push(tab);
    }
    const allOpen = (tab: Page): Promise<unknown> =>
      tab.waitForFunction(
        () =>
          [...document.querySelectorAll<HTMLElement>('[data-badge], #ledger .badge')].every(
            (badge) => badge.dataset['status'] === 'open',
          ),
        undefined,
        { timeout: 8000 },
      );
    for (const tab of tabs) await allOpen(tab);
    // Every tab counts the others, and the server sees one connection per stream.
    for (const tab of tabs) {
      await tab.waitForFunction(() => document.getElementById('tabs')?.dataset['tabs'] === '3');
    }
    expect((await stats()).open).toEqual({ chat: 1, danmaku: 1, live: 1, secure: 1 });
    // A tab that joined late shows the live panels, and its ledger counts every event once.
    const last = tabs[2]!;
    await last.waitForFunction(
      () =>
        document.getElementById('online')?.textContent !== '–' &&
        document.querySelectorAll('#messages .message').length > 0 &&
        /^token #\d+$/.test(document.getElementById('token')?.textContent ?? ''),
      undefined,
      { timeout: 8000 },
    );

    // The first tab held the connections: close it. The others take over and go on.
    const before = await readLedger(last);
    await tabs[0]!.close();
    for (const tab of tabs.slice(1)) {
      await tab.waitForFunction(() => document.getElementById('tabs')?.dataset['tabs'] === '2');
    }
    await last.waitForFunction(
      (previous) =>
        [...document.querySelectorAll<HTMLTableRowElement>('#ledger tr')].every((row) => {
          const was = previous[row.dataset['stream'] ?? ''];
          const cells = [...row.cells].map((cell) => Number(cell.textContent.replaceAll(',', '')));
          return was !== undefined && (cells[1] ?? 0) >= was.received + 2;
        }),
      before,
      { timeout: 10_000 },
    );
    for (const tab of tabs.slice(1)) {
      const ledger = await readLedger(tab);
      for (const name of STREAMS) {
        expect({ name, gaps: ledger[name]?.gaps, duplicates: ledger[name]?.duplicates }).toEqual({
          name,
          gaps: 0,
          duplicates: 0,
        });
      }
    }
    await until(
      async () => Object.values((await stats()).open).every((open) => open === 1),
      'one connection per stream again',
      { interval: 50 },
    );
    expect(problems).toEqual([]);

    await context.close();
    await until(
      async () => Object.values((await stats()).open).every((open) => open === 0),
      'the server to see every stream closed',
      { interval: 50 },
    );
  }, 60_000);
});
