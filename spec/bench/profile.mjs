// Where one row spends its time and its memory, for the analysis behind docs/benchmarks.md.
//
//   node --expose-gc spec/bench/profile.mjs cpu  [row] [size] [events]   (default fromSse small 400000)
//   node --expose-gc spec/bench/profile.mjs churn [row] [cycles]         (default fromSse 3000)
//   node --expose-gc spec/bench/profile.mjs heap [row] [streams]         (default fromSse 1000)
//
// cpu: a warm-up, then the throughput case (cases.mjs) under the V8 CPU profiler (only the
// measured run is profiled); prints the functions with the most self time, with file:line, and
// writes the .cpuprofile (open it in Chrome DevTools) to spec/bench/results/.
// churn: the same for subscribe → first event → unsubscribe cycles, one after the other.
// heap: a warm-up, a heap snapshot, `streams` idle open streams of the row (each has had its one
// event), a second snapshot; prints what the second holds more of, per stream, by constructor:
// count and self size. Measures the built package: run `npm run build` first.
import { fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFloor } from './floor.mjs';
import { hello, openSockets, throughput } from './cases.mjs';
import { diff, heapTable, snapshot, watchScripts } from './heap-snapshot.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const [mode = 'cpu', rowKey = 'fromSse', ...rest] = process.argv.slice(2);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

await buildFloor();
const { ROWS } = await import('./rows.mjs');
const row = ROWS.find((candidate) => candidate.key === rowKey);
if (row === undefined) throw new Error(`unknown row ${rowKey}`);

const server = fork(join(here, 'server.mjs'), [], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const { port } = await new Promise((resolve) => server.once('message', resolve));
const base = `http://127.0.0.1:${port}`;
const out = join(here, 'results');
await mkdir(out, { recursive: true });
let tags = 0;
const tag = () => `p${++tags}`;

function where(frame) {
  const { url, lineNumber } = frame;
  const file = url.startsWith('file:') ? relative(root, fileURLToPath(url)) : url || '(native)';
  return `${file}:${lineNumber + 1}`;
}

/** Runs `work` under the V8 CPU profiler (100 µs sampling); returns its result and the profile. */
async function profiled(work) {
  globalThis.gc();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const result = await work();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  return { result, profile };
}

/** Writes the profile and prints the 30 functions with the most self time. */
async function report(profile, name, headline) {
  const file = join(out, `${name}.cpuprofile`);
  await writeFile(file, JSON.stringify(profile));
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const byFunction = new Map();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = counts.get(node.id) ?? 0;
    total += hits;
    const frame = node.callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${where(frame)}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
  }
  console.log(`${headline}; profile: ${relative(process.cwd(), file)}\n`);
  console.log('| self % | function (file:line) |\n| --- | --- |');
  for (const [key, hits] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`| ${((hits / total) * 100).toFixed(1)} | ${key} |`);
  }
}

async function cpu(size = 'small', events = '400000') {
  const n = Number(events);
  for (let i = 0; i < 3; i++) {
    await throughput(row, { base, n: Math.min(n, 50_000), size, tag: tag() });
  }
  const { result, profile } = await profiled(() => throughput(row, { base, n, size, tag: tag() }));
  if (!result.ok) throw new Error(result.problem);
  await report(
    profile,
    `${rowKey}-${size}`,
    `${rowKey}, ${n} ${size} events: ${Math.round((n / result.ms) * 1000)} events/s, ` +
      `${((result.cpuMs * 1000) / n).toFixed(2)} µs CPU/event`,
  );
}

async function churn(cycles = '3000') {
  const n = Number(cycles);
  const warm = tag();
  for (let i = 0; i < 200; i++) (await hello(row, { base, tag: warm }))();
  await openSockets(base, warm, 5000);
  const t = tag();
  const cpuStart = process.cpuUsage();
  const { result: ms, profile } = await profiled(async () => {
    const start = performance.now();
    for (let i = 0; i < n; i++) (await hello(row, { base, tag: t }))();
    return performance.now() - start;
  });
  const { user, system } = process.cpuUsage(cpuStart);
  const left = await openSockets(base, t, 5000);
  await report(
    profile,
    `${rowKey}-churn`,
    `${rowKey}, ${n} cycles: ${((ms * 1000) / n).toFixed(0)} µs/cycle, ` +
      `${((user + system) / n).toFixed(0)} µs CPU/cycle, ${left} sockets left`,
  );
}

async function heap(streams = '1000') {
  const n = Number(streams);
  await watchScripts();
  const warm = tag();
  for (let i = 0; i < 20; i++) (await hello(row, { base, tag: warm }))();
  await openSockets(base, warm, 5000);
  const { groups: before, heapUsed: heapBefore } = await snapshot();
  const t = tag();
  const closes = await Promise.all(
    Array.from({ length: n }, () => hello(row, { base, tag: t, timeout: 60_000 })),
  );
  const { groups: after, heapUsed: heapAfter } = await snapshot();
  for (const close of closes) close();
  const left = await openSockets(base, t, 10_000);
  const rows = diff(before, after, n);
  const sum = rows.reduce((total, r) => total + r.size, 0);
  console.log(
    `${rowKey}: ${n} idle streams; heapUsed ${((heapAfter - heapBefore) / n / 1024).toFixed(1)} ` +
      `KiB/stream; snapshot self sizes ${(sum / 1024).toFixed(1)} KiB/stream; ${left} sockets ` +
      'left after closing\n',
  );
  console.log(heapTable(rows, Number(process.env.TOP ?? 45)));
}

try {
  if (mode === 'cpu') await cpu(...rest);
  else if (mode === 'churn') await churn(...rest);
  else if (mode === 'heap') await heap(...rest);
  else throw new Error(`unknown mode ${mode}: cpu, churn or heap`);
} finally {
  server.disconnect();
}
process.exit(0);
