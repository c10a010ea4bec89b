// Many streams and churn: memory figures are only meaningful in a process that measured nothing
// else, so run.mjs starts `node --expose-gc streams.mjs '<json jobs>'` — one job per process at
// full scale — and reads one JSON line (an array of results, one per job) from stdout.
//
//   { case: 'many',  row, base, tag, streams, warmup } → heap/RSS/CPU per stream, time to open all
//     (the 1,000-stream and the 10,000-stream cases are both this job)
//   { case: 'churn', row, base, tag, cycles, batch, warmup } → µs per cycle per batch, heap growth
// Both report the sockets the server still has open after the last close (it must be 0).
import { hello, openSockets } from './cases.mjs';
import { ROWS } from './rows.mjs';

const jobs = JSON.parse(process.argv[2]);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

/** Collects until the heap stops shrinking (finalizers can free more on a second pass). */
async function settleHeap() {
  let last = Infinity;
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
    const used = process.memoryUsage().heapUsed;
    if (used >= last - 16 * 1024) break;
    last = used;
  }
  return process.memoryUsage();
}

/** Least-squares slope of `values` against their index (per batch); NaN for fewer than 2. */
function slope(values) {
  const n = values.length;
  if (n < 2) return NaN;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, value) => sum + value, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((value, x) => {
    num += (x - meanX) * (value - meanY);
    den += (x - meanX) ** 2;
  });
  return num / den;
}

async function warmUp(row, args) {
  const tag = `${args.tag}-warm`;
  for (let i = 0; i < args.warmup; i++) (await hello(row, { base: args.base, tag }))();
  await openSockets(args.base, tag, 5000);
}

async function many(row, args) {
  await warmUp(row, args);
  const before = await settleHeap();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  // Opening 10,000 at once takes seconds on 2 cores: each stream waits for its event that long.
  const timeout = Math.max(30_000, args.streams * 10);
  const results = await Promise.allSettled(
    Array.from({ length: args.streams }, () =>
      hello(row, { base: args.base, tag: args.tag, timeout }),
    ),
  );
  const openMs = performance.now() - start;
  const { user, system } = process.cpuUsage(cpuStart);
  const failed = results.filter((result) => result.status === 'rejected');
  const during = await openSockets(args.base, args.tag, 0);
  const after = await settleHeap();
  const closeCpuStart = process.cpuUsage();
  const closeStart = performance.now();
  for (const result of results) if (result.status === 'fulfilled') result.value();
  const left = await openSockets(args.base, args.tag, 5000 + args.streams);
  const closeMs = performance.now() - closeStart;
  const closeCpu = process.cpuUsage(closeCpuStart);
  const problem =
    failed.length > 0
      ? `${failed.length} streams failed: ${failed[0].reason?.message}`
      : during !== args.streams
        ? `the server saw ${during} open streams, not ${args.streams}`
        : left !== 0
          ? `${left} sockets left open after closing`
          : undefined;
  return {
    ok: problem === undefined,
    problem,
    streams: args.streams,
    openMs,
    openCpuMs: (user + system) / 1000,
    // Until the server saw every socket closed (or gave up waiting).
    closeMs,
    closeCpuMs: (closeCpu.user + closeCpu.system) / 1000,
    heapPerStream: (after.heapUsed - before.heapUsed) / args.streams,
    rssPerStream: (after.rss - before.rss) / args.streams,
    socketsLeft: left,
  };
}

async function churn(row, args) {
  await warmUp(row, args);
  const before = await settleHeap();
  const batches = [];
  const cpuBatches = [];
  // Heap after each batch: growth that continues in the second half would be a leak.
  const heapByBatch = [];
  let failure;
  for (let done = 0; done < args.cycles && failure === undefined;) {
    const size = Math.min(args.batch, args.cycles - done);
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    try {
      for (let i = 0; i < size; i++) (await hello(row, { base: args.base, tag: args.tag }))();
    } catch (error) {
      failure = `cycle ${done + 1}…: ${error.message}`;
    }
    batches.push(((performance.now() - start) * 1000) / size);
    const { user, system } = process.cpuUsage(cpuStart);
    cpuBatches.push((user + system) / size);
    done += size;
    heapByBatch.push((await settleHeap()).heapUsed - before.heapUsed);
  }
  const after = await settleHeap();
  const left = await openSockets(args.base, args.tag, 5000);
  const problem = failure ?? (left !== 0 ? `${left} sockets left open` : undefined);
  return {
    ok: problem === undefined,
    problem,
    cycles: args.cycles,
    usPerCycle: batches,
    cpuUsPerCycle: cpuBatches,
    heapGrowth: after.heapUsed - before.heapUsed,
    heapByBatch,
    heapPerCycleSecondHalf: slope(heapByBatch.slice(heapByBatch.length >> 1)) / args.batch,
    rssGrowth: after.rss - before.rss,
    socketsLeft: left,
  };
}

const results = [];
for (const job of jobs) {
  const row = ROWS.find((candidate) => candidate.key === job.row);
  results.push(job.case === 'many' ? await many(row, job) : await churn(row, job));
}
// Exit at once: a row may keep timers (e.g. a reconnect) that are not what is measured.
process.stdout.write(`${JSON.stringify(results)}\n`, () => process.exit(0));
