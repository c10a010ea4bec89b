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
  'rx-sse': 15_100,
  'rx-sse/testing': 1_600,
  'rx-sse/react': 600,
  'rx-sse/angular': 700,
  'rx-sse: `fromSse` only': 9_050,
};

/**
 * Budgets of the cumulative feature rows (spec/bench/bundle.mjs `FEATURES`, by label: `fromSse`
 * alone, + typed client, + retryBackoff, + sharing, + store, the whole entry), min+gzip bytes:
 * the figures of the lean-core round (`fromSse` as one state machine, fetch-event-source from its
 * ES modules) plus about 1 %, so they cannot creep back.
 */
const FEATURE_BUDGET: Record<string, number> = {
  '`fromSse` alone': 9_050,
  '+ typed client': 14_100,
  '+ `retryBackoff`, `sseRetryPolicy`': 14_350,
  '+ sharing (`shareSse`)': 14_350,
  '+ store (`createSseStore`)': 14_650,
  '+ `ofEvent`, the error classes: the whole entry': 15_100,
};

interface Measured {
  readonly label: string;
  readonly gzip: number;
}

/** Calls an export of bundle.mjs in a child process (ESM, outside Jest's CJS runtime). */
async function measured(call: string): Promise<Measured[]> {
  const url = pathToFileURL(join(__dirname, 'bench', 'bundle.mjs')).href;
  const script = `import(${JSON.stringify(url)}).then((m) => m.${call}).then((rows) => console.log(JSON.stringify(rows)))`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
  return JSON.parse(stdout) as Measured[];
}

function overBudget(rows: readonly Measured[], budgets: Record<string, number>): string[] {
  const sizes = Object.fromEntries(rows.map((row) => [row.label, row.gzip]));
  return Object.entries(budgets)
    .filter(([label, budget]) => !((sizes[label] ?? Infinity) <= budget))
    .map(([label, budget]) => `${label}: ${sizes[label] ?? 'missing'} B > ${budget} B`);
}

it('keeps every public entry within its min+gzip budget', async () => {
  expect(overBudget(await measured('bundleSizes()'), BUDGET)).toEqual([]);
});

it('measures what each feature adds: from `fromSse` alone up to the whole entry, within budgets', async () => {
  const [features, entries] = await Promise.all([
    measured('featureSizes({ parts: false })'),
    measured('bundleSizes()'),
  ]);
  const gzip = (label: string): number | undefined =>
    entries.find((row) => row.label === label)?.gzip;
  // The table starts at the `fromSse`-only row, only grows, and ends at the whole entry.
  expect(features[0]?.gzip).toBe(gzip('rx-sse: `fromSse` only'));
  expect(features.at(-1)?.gzip).toBe(gzip('rx-sse'));
  expect(features.every((row, i) => i === 0 || row.gzip >= (features[i - 1]?.gzip ?? 0))).toBe(
    true,
  );
  expect(overBudget(features, FEATURE_BUDGET)).toEqual([]);
});
