/**
 * TanStack Query's streamed query over `toAsyncIterable`, as the React guide shows it, in real
 * Chromium (React 19, StrictMode, development build) against a real server. The server holds the
 * end of each answer until the test has seen the beginning on screen; its records say which
 * connections are open.
 */
import type { ServerResponse } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { encodeEvent, openSse, type SeenRequest, type SseServer } from '../support/sse-server.js';
import { openPage, startFixturePage, type PageProblems } from './harness.js';

let browser: Browser;
let server: SseServer;
let page: Page;
let problems: PageProblems;
/** The open answers, by question: the test finishes them. */
const held = new Map<string, ServerResponse>();

beforeAll(async () => {
  ({ browser, server } = await startFixturePage(
    'tanstack-page.tsx',
    '/tanstack/',
    '<div id="root"></div>',
  ));
  server.route('/tanstack/answer', (_req, res, seen) => {
    // `connection: close`: the socket closes with the response, so Chromium's keep-alive pool
    // cannot delay what the server sees.
    openSse(res, { connection: 'close' });
    res.write(encodeEvent({ event: 'token', data: 'Hello' }));
    res.write(encodeEvent({ event: 'token', data: ' wor' }));
    held.set(questionOf(seen), res); // the rest waits for finish()
  });
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
  held.clear();
});

function questionOf(request: SeenRequest): string {
  return (JSON.parse(request.body) as { question: string }).question;
}

/** The answer requests for `question`, and those of them still open. */
const answers = (question: string) =>
  server.requestsTo('/tanstack/answer').filter((r) => questionOf(r) === question);
const open = (question: string) => answers(question).filter((r) => r.closedAt === undefined);

/** Sends the end of the answer to `question`. */
function finish(question: string): void {
  const res = held.get(question);
  if (res === undefined) throw new Error(`no open answer to "${question}"`);
  res.write(encodeEvent({ event: 'token', data: 'ld' }));
  res.write(encodeEvent({ event: 'done', data: JSON.stringify({ tokens: 3 }) }));
}

async function load(question: string, query = ''): Promise<void> {
  await page.goto(`${server.url}/tanstack/?q=${encodeURIComponent(question)}${query}`);
  await page.waitForSelector('[data-testid="answer"]:text-is("Hello wor")');
  // StrictMode mounts the query twice: whatever the first mount started is closed, one stays.
  await server.waitFor(() => open(question).length === 1, `one open answer to "${question}"`);
}

it('renders the answer progressively, then whole; the connection closes at `done`', async () => {
  await load('progressive');
  // A partial answer is on screen while the server still holds the rest.
  expect(await page.getAttribute('[data-testid="answer"]', 'data-status')).toBe('success');
  expect(await page.getAttribute('[data-testid="answer"]', 'data-fetch')).toBe('fetching');
  // StrictMode's mount → unmount → mount made one request: the first mount's query was cancelled
  // before its iterator asked for an event, so it never connected.
  expect(answers('progressive')).toHaveLength(1);

  finish('progressive');
  await page.waitForSelector(
    '[data-testid="answer"][data-fetch="idle"][data-status="success"]:text-is("Hello world")',
  );
  await server.waitFor(() => open('progressive').length === 0, 'the answer closed at `done`');
  expect(problems.errors).toEqual([]);
});

it('cancelQueries closes the connection', async () => {
  await load('cancel');
  await page.click('button:has-text("Cancel")');
  await server.waitFor(() => open('cancel').length === 0, 'the cancelled answer closed');
  expect(answers('cancel').length).toBeGreaterThanOrEqual(1);
  expect(problems.errors).toEqual([]);
});

it('removing the query closes the connection', async () => {
  await load('remove');
  await page.click('button:has-text("Remove")');
  await server.waitFor(() => open('remove').length === 0, 'the removed answer closed');
  expect(problems.errors).toEqual([]);
});

it('unmounting closes the connection when streamFn passes `signal` on, and only then', async () => {
  await load('unmount', '&compare=1');
  await page.waitForSelector('[data-testid="answer-without-signal"]:text-is("Hello wor")');
  await server.waitFor(
    () => open('unmount (no signal)').length >= 1,
    'the answer without signal is open',
  );

  // One click unmounts both components.
  await page.click('button:has-text("Unmount")');
  await page.waitForSelector('[data-testid="answer"]', { state: 'detached' });
  await server.waitFor(() => open('unmount').length === 0, 'the answer with signal closed');
  // The same unmount left the one that ignores `signal` streaming: TanStack cannot stop it.
  expect(open('unmount (no signal)').length).toBeGreaterThanOrEqual(1);

  // It only ends with its stream.
  finish('unmount (no signal)');
  await server.waitFor(
    () => open('unmount (no signal)').length === 0,
    'the answer without signal closed at `done`',
  );
  expect(problems.errors).toEqual([]);
});
