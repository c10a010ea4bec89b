/**
 * Real-browser harness: Debian's headless Chromium driven by playwright-core, a `node:http` server
 * on 127.0.0.1:0 that serves an example app (built with the documented command,
 * `node docs/examples/build.mjs <app> --outdir DIR`) and the chat server's SSE endpoints, and
 * records what it sees. No browser download, no dev server, no mocked network.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { encodeEvent, openSse, startServer, type SseServer } from '../support/sse-server.js';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const ROOT = resolve(__dirname, '../..');

/** The flags that keep Debian's Chromium quiet and working as root, offline. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium; fails (never skips) when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the browser tests need it (apt-get install -y chromium, ` +
        'as .ci/run does), or set CHROMIUM_PATH.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** A fixture page served by a test server, with the browser that will open it. */
export interface FixturePage {
  readonly browser: Browser;
  readonly server: SseServer;
  /** The page's bundle, as served. */
  readonly script: string;
}

/**
 * Bundles a page of `spec/browser/fixtures/` as the package build bundles rx-sse (the scoped
 * transport included), launches Chromium meanwhile, and starts a server that answers `prefix`
 * with a page (`body`, then the bundle as a module script), `${prefix}page.js` with the bundle,
 * and `/favicon.ico`.
 */
export async function startFixturePage(
  fixture: string,
  prefix: string,
  body = '',
): Promise<FixturePage> {
  const out = await mkdtemp(join(tmpdir(), 'rx-sse-fixture-'));
  const bundle = join(out, 'page.js');
  const [, browser] = await Promise.all([
    promisify(execFile)(process.execPath, [
      join(__dirname, 'fixtures/build-fixture.mjs'),
      join(__dirname, 'fixtures', fixture),
      bundle,
    ]),
    launchChromium(),
  ]);
  const script = await readFile(bundle, 'utf8');
  await rm(out, { recursive: true, force: true });
  const server = await startServer();
  server.route(prefix, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><title>${fixture}</title>${body}` +
        `<script type="module" src="${prefix}page.js"></script>`,
    );
  });
  server.route(`${prefix}page.js`, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
  });
  server.route('/favicon.ico', (_req, res) => res.writeHead(204).end());
  return { browser, server, script };
}

/** Builds an example app with the documented command into a fresh temporary directory. */
export async function buildApp(
  app: 'react' | 'angular',
): Promise<{ dir: string; clean(): Promise<void> }> {
  const out = await mkdtemp(join(tmpdir(), `rx-sse-${app}-`));
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'docs/examples/build.mjs'), app, '--outdir', out],
    { cwd: ROOT },
  );
  return { dir: join(out, app), clean: () => rm(out, { recursive: true, force: true }) };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};

/** Serves the files of `dir` at `/` and the given names; answers `/favicon.ico`. */
export function serveStatic(server: SseServer, dir: string, files: readonly string[]): void {
  for (const file of files) {
    const handler = (_req: unknown, res: ServerResponse): void => {
      readFile(join(dir, file)).then(
        (body) => {
          res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'text/plain' }).end(body);
        },
        () => res.writeHead(404).end(),
      );
    };
    server.route(`/${file}`, handler);
    if (file === 'index.html') server.route('/', handler);
  }
  server.route('/favicon.ico', (_req, res) => res.writeHead(204).end());
}

/** One chat message as the server stores it. */
export interface ChatMessage {
  readonly id: string;
  readonly user: string;
  readonly text: string;
}

/**
 * The chat server of the example apps: `/api/online` (the online count) and one room,
 * `/api/rooms/general/events` + `POST /api/rooms/general/messages`. Streams send `retry: 300`, so
 * a dropped connection shows `reconnecting` for at least 300 ms, and events carry ids: a
 * reconnect with `last-event-id` gets what it missed.
 */
export class ChatBackend {
  readonly messages: ChatMessage[] = [];
  readonly room = new Set<ServerResponse>();
  readonly online = new Set<ServerResponse>();
  onlineCount = 3;

  constructor(readonly server: SseServer) {
    server.route('/api/online', (_req, res) => {
      openSse(res);
      res.write(encodeEvent({ retry: 300, event: 'online', data: this.countData() }));
      this.track(this.online, res);
    });
    server.route('/api/rooms/general/events', (req, res) => {
      openSse(res);
      res.write(': welcome\nretry: 300\n\n');
      const last = Number(req.headers['last-event-id'] ?? 0);
      for (const message of this.messages) if (Number(message.id) > last) this.write(res, message);
      this.track(this.room, res);
    });
    server.route('/api/rooms/general/messages', (req, res, seen) => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      const { user, text } = JSON.parse(seen.body) as { user: string; text: string };
      this.post(user, text);
      res.writeHead(204).end();
    });
  }

  /** Adds a message and sends it to every room stream. */
  post(user: string, text: string): ChatMessage {
    const message = { id: String(this.messages.length + 1), user, text };
    this.messages.push(message);
    for (const res of this.room) this.write(res, message);
    return message;
  }

  /** Sends a new online count to every online stream. */
  setOnline(count: number): void {
    this.onlineCount = count;
    for (const res of this.online)
      res.write(encodeEvent({ event: 'online', data: this.countData() }));
  }

  /** Kills every room connection mid-stream, as a crashed proxy would. */
  dropRoom(): void {
    for (const res of this.room) res.destroy();
  }

  private countData(): string {
    return JSON.stringify({ count: this.onlineCount });
  }

  private write(res: ServerResponse, message: ChatMessage): void {
    res.write(encodeEvent({ event: 'message', id: message.id, data: JSON.stringify(message) }));
  }

  private track(set: Set<ServerResponse>, res: ServerResponse): void {
    set.add(res);
    res.on('close', () => set.delete(res));
  }
}

/** Problems the page reported: uncaught errors and console errors. */
export interface PageProblems {
  readonly errors: string[];
}

/** Opens a page that records uncaught errors and console errors. */
export async function openPage(browser: Browser): Promise<{ page: Page; problems: PageProblems }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: PageProblems = { errors: [] };
  page.on('pageerror', (error) => problems.errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.errors.push(`console: ${message.text()}`);
  });
  return { page, problems };
}

/** Starts the server of one example app: static files plus the chat backend. */
export async function startAppServer(
  dir: string,
): Promise<{ server: SseServer; chat: ChatBackend }> {
  const server = await startServer();
  serveStatic(server, dir, ['index.html', 'main.js', 'main.js.map']);
  return { server, chat: new ChatBackend(server) };
}

/** Records every value the `data-state` attribute of the connection badge takes, in order. */
export async function recordBadgeStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { badgeStates: string[] }).badgeStates = seen;
    const read = (): void => {
      const state = document
        .querySelector('[data-testid="connection"]')
        ?.getAttribute('data-state');
      if (state && seen[seen.length - 1] !== state) seen.push(state);
    };
    read();
    new MutationObserver(read).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-state'],
    });
  });
}

/** The badge states recorded by {@link recordBadgeStates}. */
export function badgeStates(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { badgeStates: string[] }).badgeStates);
}
