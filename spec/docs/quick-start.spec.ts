/**
 * The README's quick start, pasted into a Node script as it is, prints events from a local server:
 * the block is run by plain Node against the built package (only the server's address changes).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { encodeEvent, openSse, useSseServer } from '../support/sse-server.js';

const ROOT = join(__dirname, '..', '..');
const server = useSseServer();

function quickStart(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('no ts block under "## Quick start" in README.md');
  return block;
}

it('prints the messages of a local server and closes the connection when it ends', async () => {
  server.route('/api/rooms/general/events', (req, res) => {
    openSse(res);
    const user = req.headers.authorization === 'Bearer demo-token' ? 'ada' : 'stranger';
    res.write(encodeEvent({ event: 'typing', data: JSON.stringify({ user }) }));
    res.write(encodeEvent({ event: 'message', data: JSON.stringify({ user, text: 'hello' }) }));
    res.write(encodeEvent({ event: 'message', data: JSON.stringify({ user, text: 'bye' }) }));
  });
  const code = quickStart().replace('http://127.0.0.1:8080', server.url);
  // An ES module evaluated inside the package, so that `rx-sse` is the built package.
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT });
  try {
    const lines: string[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      lines.push(line);
      if (lines.length === 2) break;
    }
    expect(lines).toEqual(['ada: hello', 'ada: bye']);
  } finally {
    child.kill();
  }
  await server.waitFor(() => server.openResponses() === 0, 'the connection closed');
});
