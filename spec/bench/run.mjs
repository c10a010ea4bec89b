// `npm run bench`: rx-sse against its peers, on loopback, in one run. See docs/benchmarks.md.
//
//   node --expose-gc spec/bench/run.mjs [--scale full|quick|smoke] [--out dir] [--only case,…]
//                                       [--rows row,…]
//
// cases: throughput, latency, big, many, tenk, churn, bundle; rows: see rows.mjs (fes,
// eventsource, esc, fromSse, typed, typedAny, esZod, escZod, fromSseZod, bare).
// `BENCH_QUICK=1` is `--scale quick`: the same cases with fewer events and runs, for development
// on a busy machine (its figures are indicative only). Only a full run of everything writes to
// docs/ by default; other runs write to spec/bench/results/ (git-ignored) unless --out says
// otherwise. The run ends with the issue's targets, each marked PASS or FAIL (also in the report).
//
// Measures the built package (dist/, imported as `rx-sse`), so run `npm run build` first (`npm run
// bench` does). The SSE server runs in a child process (server.mjs); many-streams and churn run
// each row in a fresh process (streams.mjs). Every case: a warm-up, then N runs with the rows in
// rotating order; the tables give the median and the spread (min–max). A row that did not receive
// every event exactly once is void: it is reported as such and the command exits with 1.
import { execFile, fork } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { buildFloor } from './floor.mjs';
import { bundleSizes, featureSizes } from './bundle.mjs';
import { bigEvent, latency, throughput } from './cases.mjs';
import { summary } from './stats.mjs';
import { machine, writeReport } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** What each scale runs. `full` is what the published tables use. */
const SCALES = {
  full: {
    throughput: [
      { size: 'small', n: 200_000, warmup: 20_000, runs: 7 },
      // 50k × 4 KiB = 205 MB per run: 200k would take most of the 5-minute budget alone.
      { size: 'large', n: 50_000, warmup: 5_000, runs: 5 },
    ],
    latency: { n: 2_000, rate: 1_000, warmup: 300, runs: 3 },
    many: { streams: 1_000, warmup: 20, runs: 3 },
    // One run per row: each holds 10,000 sockets in the client and in the server process.
    tenk: { streams: 10_000, warmup: 20, runs: 1 },
    churn: { cycles: 10_000, batch: 1_000, warmup: 200 },
    big: { bytes: 4 * 1024 * 1024, chunk: 1024, warmup: 256 * 1024, runs: 3 },
  },
  quick: {
    throughput: [
      { size: 'small', n: 50_000, warmup: 10_000, runs: 3 },
      { size: 'large', n: 10_000, warmup: 2_000, runs: 3 },
    ],
    latency: { n: 1_000, rate: 1_000, warmup: 100, runs: 1 },
    many: { streams: 1_000, warmup: 20, runs: 1 },
    tenk: { streams: 10_000, warmup: 20, runs: 1 },
    churn: { cycles: 2_000, batch: 500, warmup: 100 },
    big: { bytes: 1024 * 1024, chunk: 1024, warmup: 64 * 1024, runs: 1 },
  },
  smoke: {
    throughput: [
      { size: 'small', n: 300, warmup: 30, runs: 1 },
      { size: 'large', n: 50, warmup: 5, runs: 1 },
    ],
    latency: { n: 20, rate: 1_000, warmup: 5, runs: 1 },
    many: { streams: 10, warmup: 2, runs: 1 },
    tenk: { streams: 20, warmup: 2, runs: 1 },
    churn: { cycles: 20, batch: 10, warmup: 2 },
    big: { bytes: 64 * 1024, chunk: 1024, warmup: 4 * 1024, runs: 1 },
    // One process for all many-streams and churn jobs: fast, but its memory figures are mixed.
    sharedProcess: true,
  },
};
const CASES = ['throughput', 'latency', 'many', 'tenk', 'churn', 'big', 'bundle'];

const { values: cli } = parseArgs({
  options: {
    scale: { type: 'string', default: process.env.BENCH_QUICK === '1' ? 'quick' : 'full' },
    out: { type: 'string' },
    only: { type: 'string' },
    rows: { type: 'string' },
  },
});
const scale = SCALES[cli.scale];
if (scale === undefined) throw new Error(`--scale must be one of ${Object.keys(SCALES)}`);
const only = new Set(cli.only?.split(',') ?? CASES);
const complete = cli.scale === 'full' && cli.only === undefined && cli.rows === undefined;
const out = cli.out ?? (complete ? join(root, 'docs') : join(here, 'results'));
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

const began = performance.now();
const log = (line) =>
  process.stderr.write(
    `[${((performance.now() - began) / 1000).toFixed(1).padStart(5)} s] ${line}\n`,
  );

await buildFloor();
const { ROWS: ALL_ROWS, rechunkedFetch } = await import('./rows.mjs');
// `--rows a,b` measures a subset (for profiling); the published tables use every row.
const ROWS = cli.rows ? ALL_ROWS.filter((row) => cli.rows.split(',').includes(row.key)) : ALL_ROWS;
/** The rows that take part in a case. */
const rowsOf = (name) => ROWS.filter((row) => row.cases.includes(name));

const server = fork(join(here, 'server.mjs'), [], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const { port } = await new Promise((resolve, reject) => {
  server.once('message', resolve);
  server.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
});
const base = `http://127.0.0.1:${port}`;
let tags = 0;
const tag = () => `t${++tags}`;
const env = machine();
log(`server on ${base}; ${env.cpu}, ${env.cores} cores, load ${env.loadStart.join(' ')}`);

/** Collects garbage outside the measured time, so one run's garbage is not the next one's cost. */
function collect() {
  globalThis.gc();
  return new Promise((resolve) => setImmediate(resolve));
}

/** Warm-up, then `runs` rounds over `rows` in rotating order. Returns results by row key. */
async function compare(title, rows, runs, once, describe) {
  const results = Object.fromEntries(rows.map((row) => [row.key, []]));
  for (const row of rows) {
    await collect();
    const warm = await once(row, true);
    log(`${title} · ${row.key} warm-up: ${warm.ok ? describe(warm) : `VOID ${warm.problem}`}`);
  }
  for (let run = 0; run < runs; run++) {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[(i + run) % rows.length];
      await collect();
      const result = await once(row, false);
      results[row.key].push(result);
      const shown = result.ok ? describe(result) : `VOID ${result.problem}`;
      log(`${title} · ${row.key} run ${run + 1}/${runs}: ${shown}`);
    }
  }
  return results;
}

const rate = (result) =>
  `${Math.round((result.events / result.ms) * 1000).toLocaleString('en-US')} ev/s, ` +
  `CPU ${((result.cpuMs * 1000) / result.events).toFixed(2)} µs/event`;
const results = { throughput: {} };

if (only.has('throughput')) {
  for (const config of scale.throughput) {
    results.throughput[config.size] = {
      config,
      rows: await compare(
        `throughput ${config.size}`,
        rowsOf('throughput'),
        config.runs,
        (row, warm) =>
          throughput(row, {
            base,
            n: warm ? config.warmup : config.n,
            size: config.size,
            tag: tag(),
          }),
        rate,
      ),
    };
  }
}

if (only.has('latency')) {
  const config = scale.latency;
  results.latency = {
    config,
    rows: await compare(
      'latency',
      rowsOf('latency'),
      config.runs,
      (row, warm) =>
        latency(row, { base, n: warm ? config.warmup : config.n, rate: config.rate, tag: tag() }),
      (result) => `p50 ${result.p50.toFixed(3)} ms, p99 ${result.p99.toFixed(3)} ms`,
    ),
  };
}

if (only.has('big')) {
  const config = scale.big;
  const fetch = rechunkedFetch(config.chunk);
  results.big = {
    config,
    rows: await compare(
      'big event',
      rowsOf('big'),
      config.runs,
      (row, warm) =>
        bigEvent(row, { base, bytes: warm ? config.warmup : config.bytes, tag: tag(), fetch }),
      (result) => `${result.ms.toFixed(1)} ms`,
    ),
  };
}

const execFileAsync = promisify(execFile);
/** Many-streams and churn jobs, in fresh processes: one per job, or all in one (`shared`). */
async function inProcesses(jobs, shared) {
  const groups = shared ? [jobs] : jobs.map((job) => [job]);
  const results = [];
  for (const group of groups) {
    const withTags = group.map((job) => ({ base, tag: tag(), ...job }));
    try {
      const { stdout } = await execFileAsync(
        process.execPath,
        ['--expose-gc', join(here, 'streams.mjs'), JSON.stringify(withTags)],
        { timeout: 300_000, maxBuffer: 1 << 20 },
      );
      results.push(...JSON.parse(stdout.trim().split('\n').at(-1)));
    } catch (error) {
      const problem = `the measuring process failed: ${error.message.split('\n')[0]}`;
      results.push(...group.map(() => ({ ok: false, problem })));
    }
    for (const [i, job] of group.entries()) logJob(job, results[results.length - group.length + i]);
  }
  return results;
}

function logJob(job, result) {
  let shown = `VOID ${result.problem}`;
  if (result.ok && job.case === 'many') {
    shown =
      `${result.streams} streams: open ${result.openMs.toFixed(0)} ms, ` +
      `CPU ${((result.openCpuMs * 1000) / result.streams).toFixed(0)} µs/stream, ` +
      `heap ${(result.heapPerStream / 1024).toFixed(1)} KiB/stream, ` +
      `RSS ${(result.rssPerStream / 1024).toFixed(1)} KiB/stream, ` +
      `${result.socketsLeft} sockets left`;
  } else if (result.ok) {
    shown =
      `${summary(result.usPerCycle).median.toFixed(0)} µs/cycle, ` +
      `heap +${(result.heapGrowth / 1024).toFixed(0)} KiB, ${result.socketsLeft} sockets left`;
  }
  log(`${job.name} · ${job.row} ${job.label}: ${shown}`);
}

// Many streams (1,000), ten thousand streams (the same job, 10,000) and churn.
const memoryJobs = [];
for (const name of ['many', 'tenk']) {
  if (!only.has(name)) continue;
  const { runs, ...config } = scale[name];
  const rows = rowsOf(name);
  for (let run = 0; run < runs; run++) {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[(i + run) % rows.length];
      memoryJobs.push({
        case: 'many',
        name,
        row: row.key,
        label: `run ${run + 1}/${runs}`,
        ...config,
      });
    }
  }
}
if (only.has('churn')) {
  for (const row of rowsOf('churn')) {
    memoryJobs.push({ case: 'churn', name: 'churn', row: row.key, label: '', ...scale.churn });
  }
}
const memoryResults = await inProcesses(memoryJobs, scale.sharedProcess === true);
for (const name of ['many', 'tenk', 'churn']) {
  if (!only.has(name)) continue;
  const rows = Object.fromEntries(rowsOf(name).map((row) => [row.key, []]));
  memoryJobs.forEach((job, i) => {
    if (job.name === name) rows[job.row].push(memoryResults[i]);
  });
  results[name] = { config: scale[name], rows };
}

if (only.has('bundle')) {
  results.bundle = await bundleSizes();
  log(`bundle sizes: ${results.bundle.map((row) => `${row.label} ${row.gzip} B`).join(', ')}`);
  results.features = await featureSizes();
  const shown = results.features.map(
    (row) => `${row.label} ${row.kind === 'part' ? row.inFromSse.gzip : row.gzip} B`,
  );
  log(`features (cumulative, then parts of \`fromSse\` alone): ${shown.join(', ')}`);
}

server.disconnect();
env.loadEnd = machine().loadStart;
env.seconds = (performance.now() - began) / 1000;
const flags = process.argv
  .slice(2)
  .filter((arg, i, all) => arg !== '--out' && all[i - 1] !== '--out');
env.command = `npm run bench${flags.length > 0 ? ` -- ${flags.join(' ')}` : ''}`;
env.scale = cli.scale;

await mkdir(out, { recursive: true });
const { void: voided, files, targets } = await writeReport({ results, env, rows: ALL_ROWS, out });
log(`wrote ${files.map((file) => relative(process.cwd(), file)).join(', ')}`);
for (const target of targets) {
  log(
    `target ${target.pass === undefined ? 'n/a ' : target.pass ? 'PASS' : 'FAIL'}: ${target.text}`,
  );
}
if (voided.length > 0) {
  log(`VOID figures: ${voided.join('; ')}`);
  process.exitCode = 1;
}
