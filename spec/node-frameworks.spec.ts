import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, type SseServer } from './support/sse-server.js';

const run = promisify(execFile);

let server: SseServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe.each(['frameworks.mjs', 'frameworks.cjs'])(
  'the built rx-sse/react and rx-sse/angular in plain Node (%s)',
  (script) => {
    it('load, and a server render with useSse is idle and makes no request', async () => {
      const { stdout } = await run(process.execPath, [join(__dirname, 'node', script)], {
        env: { ...process.env, SSE_URL: `${server.url}/feed` },
        timeout: 20_000,
      });
      expect(JSON.parse(stdout)).toEqual({
        html: '<p>idle</p>',
        useSse: 'function',
        injectSse: 'function',
      });
      expect(server.requests).toEqual([]);
    });
  },
);
