// One run of each case for one row. Every run verifies what it received — every event exactly
// once, in order (ids 1..n), with data of the expected length or shape; the bare row, which parses
// nothing, every byte — and reports `ok: false` with a reason otherwise: such a figure is void.
// Timing starts before the request and stops on the last event.
import { BIG_HEAD, BIG_TAIL, bigStreamBytes, payload, streamBytes } from './payloads.mjs';

/** Runs `open` until `finish` is called or `timeout` ms pass. Resolves with `finish`'s value. */
function runStream(row, args, timeout, handlers) {
  return new Promise((resolve) => {
    let close = () => undefined;
    let settled = false;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish(handlers.result(`timed out after ${timeout} ms`)),
      timeout,
    );
    close = row.open({
      ...args,
      onEvent: (id, data) => handlers.onEvent?.(id, data, finish),
      onChunk: (bytes, text) => handlers.onChunk?.(bytes, text, finish),
      onError: (error) => finish(handlers.result(`error: ${error?.message ?? error}`)),
    });
  });
}

/** Throughput: n events of a size class as fast as the server can write and the row can read. */
export function throughput(row, { base, n, size, tag, timeout = 120_000 }) {
  const totalBytes = streamBytes(n, size);
  const dataLength = payload(size).bytes;
  let next = 1;
  let misordered = 0;
  let malformed = 0;
  let bytes = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const result = (failure) => {
    const ms = performance.now() - start;
    const { user, system } = process.cpuUsage(cpuStart);
    const received = row.key === 'bare' ? (bytes === totalBytes ? n : 0) : next - 1;
    const problem =
      failure ??
      (misordered > 0
        ? `${misordered} events out of order or repeated`
        : malformed > 0
          ? `${malformed} events with unexpected data`
          : received !== n
            ? `received ${received} of ${n} events (${bytes} of ${totalBytes} bytes)`
            : undefined);
    // CPU time of this (the client's) process: less sensitive than `ms` to other load.
    const cpuMs = (user + system) / 1000;
    return { ok: problem === undefined, problem, ms, cpuMs, events: n, bytes: totalBytes };
  };
  return runStream(row, { base, path: '/events', query: { n, size, tag } }, timeout, {
    result,
    onEvent(id, data, finish) {
      if (+id !== next) misordered++;
      // Raw rows deliver the JSON text, the typed client the validated object.
      if (typeof data === 'string' ? data.length !== dataLength : data.n !== 42) malformed++;
      if (next++ === n) finish(result());
    },
    onChunk(count, _text, finish) {
      bytes += count;
      if (bytes >= totalBytes) finish(result());
    },
  });
}

const STAMP = /"t":"(\d+)"/;
const EVENT = /id: (\d+)\ndata: \{"t":"(\d+)"/g;

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Latency: server write → the row's delivery, at `rate` events/s. The server stamps each event
 * with `process.hrtime.bigint()` (a monotonic clock shared by all processes of the machine); the
 * row's callback takes its own stamp first and leaves the parsing of the payload for afterwards.
 */
export function latency(row, { base, n, rate, tag, timeout = 30_000 + (n / rate) * 2000 }) {
  const arrivals = [];
  const ids = [];
  const payloads = [];
  const chunks = [];
  let bare = '';
  let bareEvents = 0;
  const start = performance.now();
  const result = (failure) => {
    const ms = performance.now() - start;
    const latencies = [];
    const stamps = [];
    let problem = failure;
    if (row.key === 'bare') {
      let next = 1;
      for (const [at, text] of chunks) {
        for (const [, id, stamp] of text.matchAll(EVENT)) {
          if (+id !== next++) problem ??= `event ${id} out of order`;
          stamps.push(BigInt(stamp));
          latencies.push(Number(at - BigInt(stamp)) / 1e6);
        }
      }
      if (next - 1 !== n) problem ??= `received ${next - 1} of ${n} events`;
    } else {
      for (let i = 0; i < ids.length; i++) {
        if (+ids[i] !== i + 1) problem ??= `event ${ids[i]} out of order or repeated`;
        const data = payloads[i];
        const stamp = typeof data === 'string' ? STAMP.exec(data)?.[1] : data?.t;
        if (stamp === undefined) {
          problem ??= `event ${ids[i]} has no stamp`;
        } else {
          stamps.push(BigInt(stamp));
          latencies.push(Number(arrivals[i] - BigInt(stamp)) / 1e6);
        }
      }
      if (ids.length !== n) problem ??= `received ${ids.length} of ${n} events`;
    }
    latencies.sort((a, b) => a - b);
    // The pace the server kept, from its stamps. The figure is "latency at `rate` events/s" only
    // if it kept it; a run shorter than a second is too short to judge (one late timer skews it).
    const pace =
      stamps.length > 1 ? ((stamps.length - 1) * 1e9) / Number(stamps.at(-1) - stamps[0]) : NaN;
    if (n >= rate && !(pace >= rate * 0.9)) {
      problem ??= `the server kept ${Math.round(pace)} events/s, not ${rate}`;
    }
    return {
      ok: problem === undefined,
      problem,
      ms,
      events: n,
      pace,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1),
    };
  };
  return runStream(row, { base, path: '/paced', query: { n, rate, tag } }, timeout, {
    result,
    onEvent(id, data, finish) {
      arrivals.push(process.hrtime.bigint());
      ids.push(id);
      payloads.push(data);
      if (ids.length === n) finish(result());
    },
    onChunk(_count, text, finish) {
      chunks.push([process.hrtime.bigint(), text]);
      // Counting blank lines is the least parsing that tells the stream is complete.
      bare += text;
      let at = bare.indexOf('\n\n');
      while (at !== -1) {
        bareEvents++;
        bare = bare.slice(at + 2);
        at = bare.indexOf('\n\n');
      }
      if (bareEvents === n) finish(result());
    },
  });
}

/** Big event: one event of `bytes` bytes, delivered through `fetch` (re-chunked to 1 KiB). */
export function bigEvent(row, { base, bytes, tag, fetch, timeout = 120_000 }) {
  const totalBytes = bigStreamBytes(bytes);
  const textLength = bytes - BIG_HEAD.length - BIG_TAIL.length;
  let received = 0;
  let bareBytes = 0;
  let problem;
  const start = performance.now();
  const result = (failure) => {
    const ms = performance.now() - start;
    const p = failure ?? problem ?? (received === 1 ? undefined : `received ${received} events`);
    return { ok: p === undefined, problem: p, ms, events: 1, bytes: totalBytes };
  };
  return runStream(row, { base, path: '/big', query: { bytes, tag }, fetch }, timeout, {
    result,
    onEvent(id, data, finish) {
      received++;
      const length = typeof data === 'string' ? data.length : data.text.length;
      const expected = typeof data === 'string' ? bytes : textLength;
      if (id !== '1' || length !== expected) problem = `wrong event: id ${id}, ${length} chars`;
      finish(result());
    },
    onChunk(count, _text, finish) {
      // The bare row parses nothing: the event is there when all of its bytes are.
      bareBytes += count;
      if (bareBytes >= totalBytes) {
        received = bareBytes === totalBytes ? 1 : 0;
        finish(result());
      }
    },
  });
}

/** Opens one `/hello` stream and resolves on its first (only) event, with a close function. */
export function hello(row, { base, tag, timeout = 30_000 }) {
  return new Promise((resolve, reject) => {
    let close = () => undefined;
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`no event within ${timeout} ms`)), timeout);
    const fail = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close();
      reject(error);
    };
    close = row.open({
      base,
      path: '/hello',
      query: { tag },
      onEvent: (id) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (id === '1') resolve(close);
        else fail(new Error(`unexpected id ${id}`));
      },
      onChunk: () => fail(new Error('the bare row does not take part in this case')),
      onError: fail,
    });
  });
}

/** Asks the server how many sockets of `tag` are still open, waiting up to `settle` ms for 0. */
export async function openSockets(base, tag, settle) {
  const response = await fetch(`${base}/stats?${new URLSearchParams({ tag, settle })}`);
  const { open } = await response.json();
  return open;
}
