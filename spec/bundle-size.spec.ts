/**
 * The one budget worth having: what each public entry adds to a browser bundle (esbuild bundle +
 * minify, gzip; rxjs, zod, React and Angular external), measured like `npm run bench` does, on the
 * built package. Raise a budget only with a reason in the commit message.
 *
 * Cross-tab sharing and the connection budget are reachable only from `createSseClient`: the
 * `fromSse`-only budget proves they are tree-shaken out of apps that do not use the client.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const BUDGET: Record<string, number> = {
  'rx-sse': 14_500,
  'rx-sse/testing': 1_600,
  'rx-sse/react': 600,
  'rx-sse/angular': 700,
  'rx-sse: `fromSse` only': 9_000,
};

it('keeps every public entry within its min+gzip budget', async () => {
  // The measuring module is ESM: run it in a child process rather than inside Jest's CJS runtime.
  const url = pathToFileURL(join(__dirname, 'bench', 'bundle.mjs')).href;
  const script = `import(${JSON.stringify(url)}).then((m) => m.bundleSizes()).then((rows) => console.log(JSON.stringify(rows)))`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
  const rows = JSON.parse(stdout) as { label: string; gzip: number }[];
  const sizes = Object.fromEntries(rows.map((row) => [row.label, row.gzip]));
  const overBudget = Object.entries(BUDGET).filter(
    ([label, budget]) => !((sizes[label] ?? Infinity) <= budget),
  );
  expect(
    overBudget.map(([label, budget]) => `${label}: ${sizes[label] ?? 'missing'} B > ${budget} B`),
  ).toEqual([]);
});
