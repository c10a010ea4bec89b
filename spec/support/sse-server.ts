/**
 * The real HTTP server every integration test talks to: `127.0.0.1:0`, SSE over plain `node:http`,
 * tracking each request, each open response and each socket, so tests can assert what the server
 * saw (a connection closed, a header received, no request made).
 */
import { EventEmitter } from 'node:events';
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the server received. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  body: string;
  /** When the request arrived (ms since the epoch). */
  readonly at: number;
  /** When the response's connection closed (from either side); undefined while open. */
  closedAt: number | undefined;
  readonly res: ServerResponse;
  readonly req: IncomingMessage;
}

/** Encodes an event the way a correct server does: the test kit's encoder serves the test server too. */
export { encodeSseEvent as encodeEvent } from '../../src/testing/index.js';

/** Starts an event-stream response. */
export function openSse(
  res: ServerResponse,
  headers: OutgoingHttpHeaders = {},
  status = 200,
): ServerResponse {
  res.writeHead(status, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
  res.flushHeaders();
  return res;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void;

export interface SseServer {
  readonly url: string;
  /** Every request so far, in order. */
  readonly requests: SeenRequest[];
  /** Registers the handler for one path (exact match on the pathname). */
  route(path: string, handler: Handler): void;
  /** Requests made to `path`. */
  requestsTo(path: string): SeenRequest[];
  /** Responses not closed yet. */
  openResponses(): number;
  /** TCP connections currently open. */
  openSockets(): number;
  /**
   * Closes the sockets that carry no request: those fetch keeps in its keep-alive pool. Only at
   * the end of a file: a socket closed while fetch may pick it from its pool fails the next
   * request.
   */
  closeIdleConnections(): void;
  /** Resolves as soon as `predicate()` holds (re-checked on every server event), or rejects. */
  waitFor(predicate: () => boolean, what?: string, timeout?: number): Promise<void>;
  /**
   * Forgets routes and requests (between tests). Idle keep-alive sockets stay: destroying them
   * races with the client's connection pool reusing them.
   */
  reset(): void;
  close(): Promise<void>;
}

export async function startServer(): Promise<SseServer> {
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  const routes = new Map<string, Handler>();
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const changed = (): void => {
    changes.emit('change');
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      url,
      headers: req.headers,
      body: '',
      at: Date.now(),
      closedAt: undefined,
      res,
      req,
    };
    requests.push(seen);
    res.on('close', () => {
      seen.closedAt = Date.now();
      changed();
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.body = Buffer.concat(chunks).toString('utf8');
      changed();
      const handler = routes.get(url.pathname);
      if (handler === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`no route ${url.pathname}`);
        return;
      }
      handler(req, res, seen);
    });
  });
  server.on('connection', (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    changed();
    socket.on('close', () => {
      sockets.delete(socket);
      changed();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route(path, handler) {
      routes.set(path, handler);
    },
    requestsTo(path) {
      return requests.filter((r) => r.path === path);
    },
    openResponses() {
      return requests.filter((r) => r.closedAt === undefined).length;
    },
    openSockets() {
      return sockets.size;
    },
    closeIdleConnections() {
      server.closeIdleConnections();
    },
    waitFor(predicate, what = 'condition', timeout = 5000) {
      return new Promise<void>((resolve, reject) => {
        if (predicate()) {
          resolve();
          return;
        }
        const check = (): void => {
          if (!predicate()) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeout} ms waiting for ${what}`));
        }, timeout);
        const cleanup = (): void => {
          clearTimeout(timer);
          changes.off('change', check);
        };
        changes.on('change', check);
      });
    },
    reset() {
      routes.clear();
      requests.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The usual lifecycle in one call: a server for the whole test file, checked after every test
 * (no response left open, then routes and requests forgotten) and closed at the end. The returned
 * object stands for that server inside tests.
 */
export function useSseServer(): SseServer {
  let current: SseServer | undefined;
  beforeAll(async () => {
    current = await startServer();
  });
  afterEach(async () => {
    if (current === undefined) return;
    const server = current;
    await server.waitFor(() => server.openResponses() === 0, 'no open responses after the test');
    server.reset();
  });
  afterAll(() => current?.close());
  return standIn(() => current);
}

/** An object that stands for the server `current()` returns, once there is one. */
export function standIn(current: () => SseServer | undefined): SseServer {
  return new Proxy({} as SseServer, {
    get(_target, key) {
      const server = current();
      if (server === undefined) throw new Error('the test server exists inside tests only');
      const value: unknown = Reflect.get(server, key);
      return typeof value === 'function' ? (value as () => unknown).bind(server) : value;
    },
  });
}
