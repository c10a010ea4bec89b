// Runs an example app against a small in-memory chat server, for a person to try it:
//
//   node docs/examples/serve.mjs react      (or angular)   → open the printed URL
//
// It builds the app (development mode), serves it, and answers the endpoints the app uses:
// GET /api/online and GET /api/rooms/:room/events (event streams with ids, resumable with
// last-event-id), POST /api/rooms/:room/messages. Open two tabs to chat; the count is the number
// of open online streams. Ctrl-C stops it.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { buildExample } from './build.mjs';

const app = process.argv[2] ?? 'react';
const port = Number(process.env.PORT ?? 5173);
const dir = await buildExample(app);

const rooms = new Map(); // room → { messages: [], streams: Set }
const online = new Set();
const room = (name) => {
  if (!rooms.has(name)) rooms.set(name, { messages: [], streams: new Set() });
  return rooms.get(name);
};
const event = (name, id, data) =>
  `event: ${name}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
const stream = (res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write('retry: 2000\n\n');
};
const broadcastOnline = () => {
  for (const res of online) res.write(event('online', undefined, { count: online.size }));
};

createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const match = url.pathname.match(/^\/api\/rooms\/([^/]+)\/(events|messages)$/);
  if (url.pathname === '/api/online') {
    stream(res);
    online.add(res);
    res.on('close', () => {
      online.delete(res);
      broadcastOnline();
    });
    broadcastOnline();
  } else if (match?.[2] === 'events') {
    const r = room(decodeURIComponent(match[1]));
    stream(res);
    const last = Number(req.headers['last-event-id'] ?? 0);
    for (const m of r.messages) if (Number(m.id) > last) res.write(event('message', m.id, m));
    r.streams.add(res);
    res.on('close', () => r.streams.delete(res));
  } else if (match?.[2] === 'messages' && req.method === 'POST') {
    let body = '';
    for await (const chunk of req) body += chunk;
    const { user, text } = JSON.parse(body);
    const r = room(decodeURIComponent(match[1]));
    const message = { id: String(r.messages.length + 1), user: String(user), text: String(text) };
    r.messages.push(message);
    for (const s of r.streams) s.write(event('message', message.id, message));
    res.writeHead(204).end();
  } else {
    const file = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    try {
      const body = await readFile(join(dir, file.replace(/\.\.+/g, '')));
      const type = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };
      res.writeHead(200, { 'content-type': type[extname(file)] ?? 'text/plain' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  }
}).listen(port, '127.0.0.1', () => {
  console.log(`${app} example: http://127.0.0.1:${port}/`);
});
