// The benchmark's SSE server. It runs in its own process (forked by run.mjs), so that producing
// events never competes with the client for the same event loop.
//
// Every stream is deterministic: ids 1..n, so each client can check it received every event
// exactly once and in order. Bodies are written in chunks of up to 64 KiB with backpressure. A
// stream never ends on its own: the client closes it once it has event n, which is also how every
// row is timed. Routes (all GET):
//   /events?n&size       n events `id: i` + one pre-encoded JSON data line (size 'small' | 'large')
//   /paced?n&rate        n events at `rate` per second, each stamped with process.hrtime.bigint()
//   /big?bytes           one event whose data line is `bytes` long
//   /hello               one small event, then silence (many streams, churn)
// Each stream carries `tag`; `GET /stats?tag=…&settle=ms` answers how many sockets that have
// served a stream with this tag are still open, waiting up to `settle` ms for the count to be 0.
//
// Protocol with the parent over IPC: the server sends `{ port }` once listening; it exits when the
// parent disconnects.
import { createServer } from 'node:http';
import { BIG_HEAD, BIG_TAIL, payload } from './payloads.mjs';

const CHUNK = 64 * 1024;

/** Open sockets that served a stream, by tag. */
const openByTag = new Map();
/** Callbacks waiting for a tag's count to change. */
const watchers = new Set();

function track(tag, res) {
  openByTag.set(tag, (openByTag.get(tag) ?? 0) + 1);
  res.once('close', () => {
    openByTag.set(tag, openByTag.get(tag) - 1);
    for (const watcher of watchers) watcher();
  });
}

function openStream(res, tag) {
  res.socket.setNoDelay(true);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  track(tag, res);
}

/** Writes `chunk`; resolves when the socket can take more, false once the client has gone. */
function write(res, chunk) {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

async function events(res, n, size) {
  // Each event: `id: <i>\n` + `data: <json>\n\n` (dataLine holds the latter, pre-encoded).
  const dataLine = dataLines.get(size);
  openStream(res, res.tag);
  let buffer = Buffer.allocUnsafe(CHUNK + dataLine.length + 32);
  let used = 0;
  for (let i = 1; i <= n; i++) {
    used += buffer.write(`id: ${i}\n`, used, 'latin1');
    used += dataLine.copy(buffer, used);
    if (used >= CHUNK || i === n) {
      if (!(await write(res, buffer.subarray(0, used)))) return;
      buffer = Buffer.allocUnsafe(CHUNK + dataLine.length + 32);
      used = 0;
    }
  }
}

async function paced(res, n, rate) {
  openStream(res, res.tag);
  const fields = payload('small').json.slice(1); // `"user":…}`: the stamp goes first
  const start = performance.now();
  let i = 1;
  while (i <= n && !res.destroyed) {
    const due = start + ((i - 1) * 1000) / rate;
    const now = performance.now();
    if (now < due) {
      await new Promise((resolve) => setTimeout(resolve, due - now));
      continue;
    }
    // Stamp at the moment of writing: the client subtracts it from its own clock on `next`.
    res.write(`id: ${i}\ndata: {"t":"${process.hrtime.bigint()}",${fields}\n\n`);
    i++;
  }
}

async function big(res, bytes) {
  openStream(res, res.tag);
  const body = Buffer.alloc(bytes - BIG_HEAD.length - BIG_TAIL.length, 'x');
  await write(res, `id: 1\ndata: ${BIG_HEAD}`);
  await write(res, body);
  await write(res, `${BIG_TAIL}\n\n`);
}

function stats(res, tag, settle) {
  const count = () => openByTag.get(tag) ?? 0;
  const answer = () => {
    watchers.delete(check);
    clearTimeout(timer);
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify({ open: count() }));
  };
  const check = () => {
    if (count() === 0) answer();
  };
  const timer = setTimeout(answer, settle);
  watchers.add(check);
  check();
}

/** The pre-encoded `data: <json>\n\n` of each size class. */
const dataLines = new Map(
  ['small', 'large'].map((size) => [size, Buffer.from(`data: ${payload(size).json}\n\n`)]),
);

const server = createServer({ keepAlive: true }, (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const q = (name, fallback) => url.searchParams.get(name) ?? fallback;
  res.tag = q('tag', '');
  switch (url.pathname) {
    case '/events':
      void events(res, Number(q('n', '1')), q('size', 'small'));
      break;
    case '/paced':
      void paced(res, Number(q('n', '1')), Number(q('rate', '1000')));
      break;
    case '/big':
      void big(res, Number(q('bytes', '1024')));
      break;
    case '/hello':
      openStream(res, res.tag);
      res.write(`id: 1\ndata: ${payload('small').json}\n\n`);
      break;
    case '/stats':
      stats(res, res.tag, Number(q('settle', '0')));
      break;
    default:
      res.writeHead(404).end();
  }
});
server.maxConnections = 20_000;
server.keepAliveTimeout = 60_000;
server.headersTimeout = 0;
server.requestTimeout = 0;

server.listen(0, '127.0.0.1', () => {
  process.send({ port: server.address().port });
});
process.on('disconnect', () => process.exit(0));
