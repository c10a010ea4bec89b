/**
 * rx-sse streams as Angular 22 resources, as the Angular guide shows them — `rxResource` and
 * `resource` over `toAsyncIterable` — in real Chromium (zoneless, JIT) against a real server:
 * the value follows the stream, new params switch the connection, a typed error reaches the
 * resource, and destroying the component closes the connection. The server's records are the
 * ground truth.
 */
import type { ServerResponse } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { encodeEvent, openSse, type SseServer } from '../support/sse-server.js';
import { openPage, startFixturePage, type PageProblems } from './harness.js';

let browser: Browser;
let server: SseServer;
let page: Page;
let problems: PageProblems;
/** The open score streams, by match. */
const streams = new Map<string, ServerResponse>();

const scorePath = (match: string) => `/resource/matches/${match}/score`;

beforeAll(async () => {
  ({ browser, server } = await startFixturePage(
    'resource-page.ts',
    '/resource/',
    '<app-root></app-root>',
  ));
  // `missing` has no route: the server answers 404.
  for (const match of ['final', 'semifinal']) {
    server.route(scorePath(match), (_req, res) => {
      // `connection: close`: what the server sees is not delayed by Chromium's keep-alive pool.
      openSse(res, { connection: 'close' });
      streams.set(match, res);
      send(match, 0, 0);
    });
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(async () => {
  ({ page, problems } = await openPage(browser));
});

afterEach(async () => {
  await page.context().close();
  await server.waitFor(() => server.openResponses() === 0, 'every response closed');
  server.requests.length = 0;
  streams.clear();
});

function send(match: string, home: number, away: number): void {
  streams.get(match)?.write(encodeEvent({ event: 'score', data: JSON.stringify({ home, away }) }));
}

const requests = (match: string) => server.requestsTo(scorePath(match));
const open = (match: string) => requests(match).filter((r) => r.closedAt === undefined);
const score = (text: string, status = 'resolved') =>
  page.waitForSelector(`[data-testid="score"][data-status="${status}"]:text-is("${text}")`);

describe.each([
  ['rxResource({ params, stream })', 'rx'],
  ['resource({ params, stream }) over toAsyncIterable', 'resource'],
])('%s', (_title, kind) => {
  it('shows the score live; new params switch the connection; destroying closes it', async () => {
    await page.goto(`${server.url}/resource/?kind=${kind}`);
    await score('0–0');
    send('final', 1, 0);
    await score('1–0');
    send('final', 2, 0);
    await score('2–0');
    expect(requests('final')).toHaveLength(1);

    // New params: the old connection closes, the new match connects.
    await page.click('button:has-text("Semifinal")');
    await score('0–0');
    await server.waitFor(() => open('final').length === 0, 'the final stream closed');
    expect(open('semifinal')).toHaveLength(1);
    send('semifinal', 0, 1);
    await score('0–1');

    // Destroying the component closes the connection.
    await page.click('button:has-text("Close")');
    await page.waitForSelector('[data-testid="score"]', { state: 'detached' });
    await server.waitFor(() => open('semifinal').length === 0, 'the semifinal stream closed');
    expect(requests('semifinal')).toHaveLength(1);
    expect(problems.errors).toEqual([]);
  });

  it('a 404 reaches the resource as SseHttpError with its status', async () => {
    await page.goto(`${server.url}/resource/?kind=${kind}`);
    await score('0–0');
    await page.click('button:has-text("Missing")');
    await score('HTTP 404', 'error');
    await server.waitFor(() => open('final').length === 0, 'the final stream closed');
    // Chromium logs the 404 response; nothing else may go wrong.
    expect(problems.errors).toEqual([
      'console: Failed to load resource: the server responded with a status of 404 (Not Found)',
    ]);
  });
});
