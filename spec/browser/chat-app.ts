/**
 * The scenarios both example apps (docs/examples/react, docs/examples/angular) must pass in real
 * Chromium against the real chat server. The server's records are the ground truth: requests
 * made, responses still open, headers received.
 */
import type { Browser, Page } from 'playwright-core';
import type { SseServer } from '../support/sse-server.js';
import {
  badgeStates,
  buildApp,
  launchChromium,
  openPage,
  recordBadgeStates,
  startAppServer,
  type ChatBackend,
  type PageProblems,
} from './harness.js';

const ROOM = '/api/rooms/general/events';
const ONLINE = '/api/online';

export function describeChatApp(app: 'react' | 'angular'): void {
  describe(`the ${app} example app in Chromium`, () => {
    let browser: Browser;
    let server: SseServer;
    let chat: ChatBackend;
    let clean: () => Promise<void>;
    let page: Page;
    let problems: PageProblems;

    beforeAll(async () => {
      const [built, launched] = await Promise.all([buildApp(app), launchChromium()]);
      browser = launched;
      clean = built.clean;
      ({ server, chat } = await startAppServer(built.dir));
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await clean?.();
    });

    beforeEach(async () => {
      ({ page, problems } = await openPage(browser));
    });

    afterEach(async () => {
      await page.context().close();
      // Closing the page closes every stream it had: the server sees each response end.
      await server.waitFor(() => server.openResponses() === 0, 'every response closed');
      server.requests.length = 0;
      chat.messages.length = 0;
    });

    const sse = (path: string) => server.requestsTo(path).filter((r) => r.method === 'GET');
    const open = (path: string) => sse(path).filter((r) => r.closedAt === undefined);
    const badge = (state: string) => `[data-testid="connection"][data-state="${state}"]`;

    async function load(): Promise<void> {
      await page.goto(server.url);
      try {
        await page.waitForSelector(badge('open'), { timeout: 8000 });
      } catch (error) {
        const body = await page.evaluate(() => document.body.innerHTML.slice(0, 2000));
        throw new Error(
          `the app did not connect: ${String(error)}\nproblems: ${problems.errors.join('\n')}\nbody: ${body}`,
          { cause: error },
        );
      }
    }

    it('renders live events; one request per stream (React: despite StrictMode), one for both shared counts', async () => {
      await load();
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('[data-testid="online"]')].filter((el) =>
            el.textContent?.includes('3 online'),
          ).length === 2,
      );
      chat.post('ada', 'hello from the server');
      await page.waitForSelector('[data-testid="messages"] li:has-text("hello from the server")');

      // A message sent through the app's form goes to the server and comes back as an event.
      await page.fill('input[aria-label="message"]', 'hi from the page');
      await page.click('button[type="submit"]');
      await page.waitForSelector('[data-testid="messages"] li:has-text("hi from the page")');
      expect(chat.messages.map((m) => m.text)).toEqual([
        'hello from the server',
        'hi from the page',
      ]);

      chat.setOnline(4);
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('[data-testid="online"]')].filter((el) =>
            el.textContent?.includes('4 online'),
          ).length === 2,
      );
      // StrictMode mounts every effect twice (React dev build): still one room request. The two
      // online counts (header and room) share one connection.
      expect(sse(ROOM)).toHaveLength(1);
      expect(sse(ONLINE)).toHaveLength(1);
      expect(server.openResponses()).toBe(2);
      expect(problems.errors).toEqual([]);
    });

    it('shows reconnecting, then open, when the server drops the stream; resumes by id', async () => {
      await load();
      chat.post('ada', 'before the drop');
      await page.waitForSelector('li:has-text("before the drop")');
      await recordBadgeStates(page);

      chat.dropRoom();
      await page.waitForSelector(badge('reconnecting'));
      await page.waitForSelector(badge('open'));
      await server.waitFor(() => open(ROOM).length === 1, 'the room stream reopened');
      // In order, once each (recordBadgeStates collapses repeats of one state). The reconnect's
      // `connecting` may be replaced by `open` before the app renders it, so it is optional.
      expect([
        ['open', 'reconnecting', 'connecting', 'open'],
        ['open', 'reconnecting', 'open'],
      ]).toContainEqual(await badgeStates(page));
      const [first, second] = sse(ROOM);
      expect(first?.closedAt).toBeDefined();
      expect(second?.headers['last-event-id']).toBe('1');

      // The reconnected stream delivers new messages, and the old one is not repeated.
      chat.post('bob', 'after the drop');
      await page.waitForSelector('li:has-text("after the drop")');
      const items = await page.locator('[data-testid="messages"] li').allTextContents();
      expect(items.map((item) => item.trim())).toEqual([
        'ada: before the drop',
        'bob: after the drop',
      ]);
      // Chromium logs the killed response as a network error; nothing else may go wrong.
      expect(problems.errors).toEqual([
        'console: Failed to load resource: net::ERR_INCOMPLETE_CHUNKED_ENCODING',
      ]);
    });

    it('closes the room socket when the room unmounts; the shared count stays on one', async () => {
      await load();
      await page.click('button:has-text("Leave room")');
      await server.waitFor(() => open(ROOM).length === 0, 'the room stream closed');
      await page.waitForSelector('[data-testid="messages"]', { state: 'detached' });
      // The header's count is still mounted: its one connection stays open.
      expect(open(ONLINE)).toHaveLength(1);

      await page.click('button:has-text("Join #general")');
      await page.waitForSelector(badge('open'));
      expect(sse(ROOM)).toHaveLength(2);
      expect(sse(ONLINE)).toHaveLength(1);
      expect(problems.errors).toEqual([]);
    });

    it('closes every socket when the page navigates away', async () => {
      await load();
      expect(server.openResponses()).toBe(2);
      await page.goto('about:blank');
      await server.waitFor(() => server.openResponses() === 0, 'every stream closed');
      expect(problems.errors).toEqual([]);
    });
  });
}
