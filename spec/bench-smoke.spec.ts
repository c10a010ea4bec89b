/**
 * The benchmark harness (`npm run bench`, spec/bench/) at a tiny scale: every case runs against
 * the built package and every row proves it received every event exactly once. This checks the
 * harness, not performance: the figures of a smoke run mean nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface Run {
  readonly ok: boolean;
  readonly problem?: string;
  readonly socketsLeft?: number;
}
interface Report {
  readonly results: {
    readonly throughput: Record<string, { rows: Record<string, Run[]> }>;
    readonly latency: { rows: Record<string, Run[]> };
    readonly big: { rows: Record<string, Run[]> };
    readonly many: { rows: Record<string, Run[]> };
    readonly tenk: { rows: Record<string, Run[]> };
    readonly churn: { rows: Record<string, Run[]> };
    readonly bundle: { label: string; gzip: number }[];
    readonly features: { kind: string; label: string; gzip?: number }[];
  };
}

/** Rows that read the raw stream (every parsing case) and rows that validate (throughput only). */
const READERS = ['fes', 'eventsource', 'esc', 'fromSse', 'typed', 'bare'];
const PARSERS = ['fes', 'eventsource', 'esc', 'fromSse', 'typed'];
const THROUGHPUT = [...READERS, 'typedAny', 'esZod', 'escZod', 'fromSseZod'];

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'rx-sse-bench-'));
});
afterAll(() => rm(out, { recursive: true, force: true }));

it('runs every case at smoke scale: every row valid, no socket left, both reports written', async () => {
  // Exits with 1 when a figure is void: then this rejects, with the runner's log in the error.
  await run(
    process.execPath,
    ['--expose-gc', join(__dirname, 'bench', 'run.mjs'), '--scale', 'smoke', '--out', out],
    { timeout: 90_000 },
  );
  const report = JSON.parse(await readFile(join(out, 'benchmarks.json'), 'utf8')) as Report;
  const { results } = report;
  const problems = (rows: Record<string, Run[]>, keys: string[]): Record<string, string[]> =>
    Object.fromEntries(
      keys.map((key) => [
        key,
        (rows[key] ?? [{ ok: false, problem: 'not run' }])
          .filter((one) => !one.ok)
          .map((one) => one.problem ?? ''),
      ]),
    );
  const none = (keys: string[]): Record<string, string[]> =>
    Object.fromEntries(keys.map((key) => [key, []]));

  expect(Object.keys(results.throughput)).toEqual(['small', 'large']);
  for (const { rows } of Object.values(results.throughput)) {
    expect(problems(rows, THROUGHPUT)).toEqual(none(THROUGHPUT));
  }
  expect(problems(results.latency.rows, READERS)).toEqual(none(READERS));
  expect(problems(results.big.rows, READERS)).toEqual(none(READERS));
  expect(problems(results.many.rows, PARSERS)).toEqual(none(PARSERS));
  expect(problems(results.tenk.rows, PARSERS)).toEqual(none(PARSERS));
  expect(problems(results.churn.rows, PARSERS)).toEqual(none(PARSERS));
  for (const key of PARSERS) {
    expect([key, results.churn.rows[key]?.[0]?.socketsLeft]).toEqual([key, 0]);
    expect([key, results.many.rows[key]?.[0]?.socketsLeft]).toEqual([key, 0]);
    expect([key, results.tenk.rows[key]?.[0]?.socketsLeft]).toEqual([key, 0]);
  }
  expect(results.bundle.map((row) => row.label)).toEqual(
    expect.arrayContaining(['rx-sse', 'rx-sse/testing']),
  );
  expect(results.bundle.every((row) => row.gzip > 0)).toBe(true);
  // The feature table: cumulative rows that only grow, the last one being the whole entry.
  const cumulative = results.features.filter((row) => row.kind === 'cumulative');
  const sizes = cumulative.map((row) => row.gzip ?? NaN);
  expect(sizes.every((size, i) => i === 0 || size >= (sizes[i - 1] ?? Infinity))).toBe(true);
  expect(sizes.at(-1)).toBe(results.bundle.find((row) => row.label === 'rx-sse')?.gzip);
  expect(results.features.filter((row) => row.kind === 'part').length).toBeGreaterThan(5);

  const markdown = await readFile(join(out, 'benchmarks.md'), 'utf8');
  for (const heading of [
    'Throughput',
    'Latency',
    'Big event',
    'Targets (issue 13)',
    'Many streams',
    'Ten thousand streams',
    'Churn',
    'Bundle size',
  ]) {
    expect(markdown).toContain(`## ${heading}`);
  }
  expect(markdown).not.toContain('**void**:');
}, 120_000);
