// The live demo: `npm run demo`.
//
// One node:http server that
// - bundles docs/demo/app.ts with esbuild at start (rx-sse straight from src/, with the same
//   scoped transport the package ships) and serves the page;
// - streams simulated traffic on four SSE endpoints: a chat room, danmaku, a "live" feed (online
//   count, flash-sale orders, likes, notifications) and an authenticated stream whose tokens
//   expire every DEMO_TOKEN_TTL ms (30 s by default);
// - keeps a backlog per stream and resumes from `Last-Event-ID` (re-sending the last two events on
//   purpose, as at-least-once servers do: the client's dedupe drops them);
// - destroys every open SSE socket on POST /api/kill, to show reconnect and resume.
//
// Environment: PORT (default 0: any free port), DEMO_TOKEN_TTL (ms, default 30000).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { scopedTransport } from '../../esbuild.config.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** How many events each stream keeps for resuming. */
const BACKLOG = 2000;
/** Events re-sent before the requested one on a resume (at-least-once delivery). */
const RESUME_OVERLAP = 2;
const HEARTBEAT_MS = 10_000;
const PROMO_MS = 120_000;
const PROMO_BREAK_MS = 8_000;

async function bundle() {
  const result = await build({
    entryPoints: [join(here, 'app.ts')],
    outfile: join(here, 'app.js'), // names the output: nothing is written
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [scopedTransport],
  });
  const text = (suffix) => result.outputFiles.find((file) => file.path.endsWith(suffix)).text;
  return { js: text('.js'), map: text('.js.map') };
}

const pick = (items) => items[Math.floor(Math.random() * items.length)];
const between = (min, max) => min + Math.random() * (max - min);

/** One SSE stream: a sequence of numbered events, a backlog, and the responses listening. */
class Stream {
  seq = 0;
  backlog = [];
  clients = new Set();

  constructor(name) {
    this.name = name;
  }

  /** Sends an event to everyone; `durable` events get an id and are kept for resuming. */
  emit(event, data, durable = true) {
    const id = durable ? String(++this.seq) : undefined;
    const frame = encode({ event, data, id });
    if (durable) {
      this.backlog.push({ id: this.seq, frame });
      if (this.backlog.length > BACKLOG) this.backlog.shift();
    }
    for (const res of this.clients) res.write(frame);
  }

  /** Events to send a client resuming after `lastId`, with a deliberate overlap. */
  since(lastId) {
    return this.backlog.filter((entry) => entry.id > lastId - RESUME_OVERLAP);
  }
}

function encode({ event, data, id }) {
  let out = `event: ${event}\n`;
  if (id !== undefined) out += `id: ${id}\n`;
  return `${out}data: ${JSON.stringify(data)}\n\n`;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      text += chunk;
      if (text.length > 10_000) req.destroy();
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const CAST = ['Mia', 'Leo', 'Ava', 'Kenji', 'Sofia', 'Omar', 'Ines', 'Noah'];
const LINES = [
  'Is everyone seeing the flash sale counter?',
  'The danmaku is wild today',
  'Just pressed the kill button. Nothing missing on my side.',
  'Same here, the counters did not move an inch',
  'How does it know where to resume?',
  'Last-Event-ID. The server replays whatever came after it.',
  'And the repeats are dropped on the client',
  'My token just rotated and the stream did not even blink',
  'Love the badge going amber and back to green',
  'Anyone tried it behind nginx?',
  'X-Accel-Buffering: no, or it all arrives at once',
  'Six connections per host on HTTP/1.1, keep that in mind',
  'That is why all our tabs share one connection per stream here',
  'Backoff with jitter is so much nicer for the server',
  'Typed events with zod, no more JSON.parse everywhere',
  'Unsubscribe and the socket is gone. Checked the server logs.',
  'brb, coffee',
  'Who else is watching from the office?',
  'Sales total just passed another thousand',
  'This is the demo I will show the team tomorrow',
];
const BULLETS = [
  'wow',
  'again!',
  'that transition',
  'first time here',
  'LOL',
  '10/10',
  'smooth',
  'replay that part',
  'who is watching in 2026?',
  'so clean',
  'the colors!',
  'this song though',
  'goosebumps',
  'hello from Lisbon',
  'hello from Osaka',
  'hi chat',
  'best part coming',
  'nice',
  'how is this live',
  '+1',
  'incredible',
  'encore!',
];
const BULLET_COLORS = ['#ffffff', '#ffd166', '#06d6a0', '#4cc9f0', '#f72585', '#cdb4db', '#ffadad'];
const PRODUCTS = [
  ['Wireless earbuds', 39],
  ['Mechanical keyboard', 89],
  ['USB-C hub', 24],
  ['Desk lamp', 32],
  ['Noise-cancelling headphones', 149],
  ['Webcam 4K', 79],
  ['Laptop stand', 29],
  ['Smart mug', 59],
];
const NOTIFICATIONS = [
  'Kenji liked your post',
  'New follower: Ava',
  'Sofia commented: "so smooth"',
  'Your order has shipped',
  'Omar mentioned you in #general',
  'Weekly report is ready',
  'Leo shared your post',
];

/** The simulated world: timers that emit on the streams. */
function simulate(streams, tokenTtl) {
  const { chat, danmaku, live, secure } = streams;
  const timers = [];
  const every = (ms, fn) => timers.push(setInterval(fn, ms));
  const loop = (min, max, fn) => {
    const next = () => timers.push(setTimeout(tick, between(min, max)));
    const tick = () => {
      fn();
      next();
    };
    next();
  };

  let line = Math.floor(Math.random() * LINES.length);
  const world = {
    online: 1200 + Math.floor(Math.random() * 200),
    likes: 2300 + Math.floor(Math.random() * 100),
    promo: {
      round: 1,
      state: 'on',
      endsAt: Date.now() + PROMO_MS,
      duration: PROMO_MS,
      total: 0,
      orders: 0,
    },
    metric: 0,
    tokens: new Map(),
    tokenCount: 0,
    stats: { connections: 0, resumes: 0, resent: 0, unauthorized: 0, tokensIssued: 0, killed: 0 },
    onlineHistory: [],
    notifications: [],
  };

  // The online count's recent past, for the sparkline of a newcomer.
  for (let i = 0, value = world.online; i < 60; i++) {
    world.onlineHistory.unshift(value);
    value = Math.max(800, value - Math.round(between(-9, 11)));
  }

  // A room with some history, so the first visitor does not land in an empty chat.
  for (let i = 10; i > 0; i--) {
    chat.emit('message', {
      user: pick(CAST),
      text: LINES[(line + 10 - i) % LINES.length],
      at: Date.now() - i * 17_000,
    });
  }
  line += 10;

  // Chat: someone starts typing, then posts.
  loop(1800, 3200, () => {
    const user = pick(CAST);
    chat.emit('typing', { user }, false);
    timers.push(
      setTimeout(
        () => {
          const message = { user, text: LINES[line++ % LINES.length], at: Date.now() };
          chat.emit('message', message);
        },
        between(900, 1500),
      ),
    );
  });

  // Danmaku: bullet comments.
  loop(250, 550, () =>
    danmaku.emit('comment', {
      text: pick(BULLETS),
      color: pick(BULLET_COLORS),
      lane: Math.floor(Math.random() * 6),
    }),
  );

  // Live: online count, flash sale, likes, notifications.
  every(1000, () => {
    world.online = Math.max(800, world.online + Math.round(between(-9, 11)));
    world.onlineHistory = [...world.onlineHistory, world.online].slice(-60);
    live.emit('online', { count: world.online });
  });
  loop(300, 900, () => {
    const promo = world.promo;
    if (promo.state !== 'on') return;
    const [item, price] = pick(PRODUCTS);
    const quantity = Math.random() < 0.2 ? 2 : 1;
    const amount = Math.round(price * quantity * 0.7 * 100) / 100; // 30 % off
    promo.total = Math.round((promo.total + amount) * 100) / 100;
    promo.orders += 1;
    live.emit('sale', {
      item,
      amount,
      total: promo.total,
      orders: promo.orders,
      round: promo.round,
    });
  });
  // The sale's state, also every 3 s: a tab that joins a shared connection late (rx-sse's
  // crossTab) does not see what the server sends when a connection opens.
  every(3000, () => live.emit('promo', world.promo));
  every(1000, () => {
    const promo = world.promo;
    if (promo.state === 'on' && Date.now() >= promo.endsAt) {
      world.promo = {
        ...promo,
        state: 'off',
        endsAt: Date.now() + PROMO_BREAK_MS,
        duration: PROMO_BREAK_MS,
      };
      live.emit('promo', world.promo);
    } else if (promo.state === 'off' && Date.now() >= promo.endsAt) {
      const round = promo.round + 1;
      world.promo = {
        round,
        state: 'on',
        endsAt: Date.now() + PROMO_MS,
        duration: PROMO_MS,
        total: 0,
        orders: 0,
      };
      live.emit('promo', world.promo);
    }
  });
  loop(250, 1200, () => {
    world.likes += Math.random() < 0.3 ? 2 : 1;
    live.emit('like', { total: world.likes });
  });
  loop(2500, 5000, () => {
    const notification = { title: pick(NOTIFICATIONS), at: Date.now() };
    world.notifications = [...world.notifications, notification].slice(-3);
    live.emit('notification', notification);
  });

  // Secure: private metrics, one a second, for token holders only.
  every(1000, () => {
    world.metric = Math.max(0, Math.round(world.metric * 0.6 + between(180, 260)));
    secure.emit('metric', { requestsPerSecond: world.metric, at: Date.now() });
  });

  world.issueToken = () => {
    const number = ++world.tokenCount;
    const token = {
      number,
      value: randomBytes(16).toString('hex'),
      expiresAt: Date.now() + tokenTtl,
    };
    world.tokens.set(token.value, token);
    world.stats.tokensIssued += 1;
    // Forget long-expired tokens.
    for (const [value, old] of world.tokens) {
      if (old.expiresAt < Date.now() - 10 * tokenTtl) world.tokens.delete(value);
    }
    return token;
  };
  world.stop = () => {
    for (const timer of timers) {
      clearTimeout(timer);
      clearInterval(timer);
    }
  };
  return world;
}

export async function startDemo({ port = 0, tokenTtl = 30_000 } = {}) {
  const [html, css, app] = await Promise.all([
    readFile(join(here, 'index.html'), 'utf8'),
    readFile(join(here, 'style.css'), 'utf8'),
    bundle(),
  ]);
  const streams = {
    chat: new Stream('chat'),
    danmaku: new Stream('danmaku'),
    live: new Stream('live'),
    secure: new Stream('secure'),
  };
  const world = simulate(streams, tokenTtl);
  const sseSockets = new Set();

  /** Opens an event stream on `res` for `stream`, resuming after Last-Event-ID. */
  function openStream(req, res, stream, snapshot = []) {
    const header = req.headers['last-event-id'];
    const lastId = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined;
    world.stats.connections += 1;
    if (lastId !== undefined) world.stats.resumes += 1;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    for (const frame of snapshot) res.write(frame);
    if (lastId !== undefined) {
      for (const entry of stream.since(lastId)) {
        if (entry.id <= lastId) world.stats.resent += 1; // the client has it already
        res.write(entry.frame);
      }
    }
    stream.clients.add(res);
    sseSockets.add(res.socket);
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    const socket = res.socket;
    res.on('close', () => {
      clearInterval(heartbeat);
      stream.clients.delete(res);
      sseSockets.delete(socket);
    });
  }

  const routes = {
    'GET /': (req, res) => {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(html);
    },
    'GET /style.css': (req, res) => {
      res.writeHead(200, {
        'content-type': 'text/css; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(css);
    },
    'GET /app.js.map': (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(app.map);
    },
    'GET /app.js': (req, res) => {
      res.writeHead(200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(app.js);
    },
    'GET /favicon.ico': (req, res) => {
      res.writeHead(204).end();
    },
    'GET /sse/chat': (req, res) => {
      // A newcomer sees the last messages; a resuming client gets what it missed.
      const fresh = req.headers['last-event-id'] === undefined;
      const recent = fresh ? streams.chat.backlog.slice(-12).map((entry) => entry.frame) : [];
      openStream(req, res, streams.chat, recent);
    },
    'GET /sse/danmaku': (req, res) => openStream(req, res, streams.danmaku),
    'GET /sse/live': (req, res) => {
      // Snapshots without ids: the current values, outside the numbered sequence. A newcomer
      // also gets the latest notifications; a resuming client gets what it missed instead.
      const fresh = req.headers['last-event-id'] === undefined;
      openStream(req, res, streams.live, [
        encode({ event: 'online', data: { count: world.online, history: world.onlineHistory } }),
        encode({ event: 'like', data: { total: world.likes } }),
        encode({ event: 'promo', data: world.promo }),
        ...(fresh
          ? world.notifications.map((data) => encode({ event: 'notification', data }))
          : []),
      ]);
    },
    'GET /sse/secure': (req, res) => {
      const auth = req.headers.authorization ?? '';
      const token = world.tokens.get(auth.replace(/^Bearer /, ''));
      if (token === undefined || token.expiresAt <= Date.now()) {
        world.stats.unauthorized += 1;
        json(res, 401, {
          error: token === undefined ? 'unknown token' : `token #${token.number} expired`,
        });
        return;
      }
      const session = encode({
        event: 'session',
        data: { token: token.number, expiresAt: token.expiresAt, ttl: tokenTtl },
      });
      openStream(req, res, streams.secure, [session]);
      // Repeated every 5 s, for tabs that join the shared connection late.
      const reminder = setInterval(() => res.write(session), 5000);
      res.on('close', () => clearInterval(reminder));
      // The server stops serving a stream when its token expires: the client must come back
      // with a fresh one.
      const expiry = setTimeout(() => res.end(), token.expiresAt - Date.now());
      res.on('close', () => clearTimeout(expiry));
    },
    'POST /api/token': (req, res) => {
      const token = world.issueToken();
      json(res, 200, { token: token.value, number: token.number, expiresAt: token.expiresAt });
    },
    'POST /api/chat': async (req, res) => {
      let text = '';
      try {
        text = String(JSON.parse(await readBody(req)).text ?? '')
          .trim()
          .slice(0, 200);
      } catch {
        // fall through: empty
      }
      if (text === '') {
        json(res, 400, { error: 'text required' });
        return;
      }
      streams.chat.emit('message', { user: 'You', text, at: Date.now() });
      json(res, 200, { ok: true });
    },
    'POST /api/kill': (req, res) => {
      const count = sseSockets.size;
      for (const socket of sseSockets) socket.destroy();
      world.stats.killed += count;
      json(res, 200, { killed: count });
    },
    'GET /api/stats': (req, res) => {
      const open = Object.fromEntries(
        Object.entries(streams).map(([name, s]) => [name, s.clients.size]),
      );
      json(res, 200, {
        ...world.stats,
        open,
        lastIds: Object.fromEntries(Object.entries(streams).map(([n, s]) => [n, s.seq])),
      });
    },
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const route = routes[`${req.method} ${path}`];
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    Promise.resolve(route(req, res)).catch((error) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;

  return {
    url,
    async close() {
      world.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ttl = Number(process.env.DEMO_TOKEN_TTL ?? 30_000);
  const demo = await startDemo({
    port: Number(process.env.PORT ?? 0),
    tokenTtl: ttl > 0 ? ttl : 30_000,
  });
  console.log(`Demo running at ${demo.url}`);
  const stop = () => {
    demo.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
