import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { encodeEvent, openSse, startServer, type SseServer } from './support/sse-server.js';

const run = promisify(execFile);

let server: SseServer;
beforeAll(async () => {
  server = await startServer();
  server.route('/ticks', (_req, res) => {
    openSse(res);
    for (let i = 1; i <= 5; i++) res.write(encodeEvent({ id: String(i), data: `tick ${i}` }));
  });
  server.route('/finite', (_req, res) => {
    openSse(res);
    res.end(encodeEvent({ data: 'only' }));
  });
  server.route('/error500', (_req, res) => res.writeHead(500).end('server exploded'));
  server.route('/error503', (_req, res) => res.writeHead(503).end());
  server.route('/silent', (_req, res) => {
    openSse(res);
  });
  server.route('/stalled-error', (_req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.flushHeaders();
  });
});
afterAll(() => server.close());

describe.each(['smoke.mjs', 'smoke.cjs'])('the built package in plain Node (%s)', (script) => {
  it('streams, ends every way without unhandled errors, defines no global and exits', async () => {
    const { stdout } = await run(process.execPath, [join(__dirname, 'node', script)], {
      env: { ...process.env, SSE_URL: server.url },
      timeout: 20_000,
    });
    const report = JSON.parse(stdout) as {
      globals: Record<string, string>;
      results: Record<string, { ok: boolean; value?: unknown; code?: string; status?: number }>;
      problems: string[];
    };
    expect(report.problems).toEqual([]);
    expect(report.globals).toEqual({ window: 'undefined', document: 'undefined' });
    expect(report.results).toEqual({
      stream: { ok: true, value: ['tick 1', 'tick 2', 'tick 3'] },
      cleanClose: { ok: true, value: 1 },
      httpError: { ok: false, code: 'http', status: 500 },
      networkError: { ok: false, code: 'network' },
      idle: { ok: false, code: 'idle-timeout' },
      unsubscribeDuringErrorBody: { ok: true, value: 'unsubscribed' },
      unsubscribeDuringBackoff: { ok: true, value: 60_000 },
      unsubscribeMidStream: { ok: true, value: 'tick 2' },
    });
    await server.waitFor(() => server.openResponses() === 0, 'every response closed');
  });
});
