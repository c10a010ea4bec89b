// Heap per open stream, layer by layer: which part of a `fromSse` subscription holds how much.
// Each variant runs in a fresh process (a warm-up, a full GC, N streams opened to `/hello` and
// held open after their one event, a full GC, the difference per stream):
//
//   node --expose-gc spec/bench/layers.mjs [streams]      (default 1000)
//   node --expose-gc spec/bench/layers.mjs 1000 --no-build  (measure the bundle already in
//                                                          spec/bench/results/layers-src.mjs,
//                                                          e.g. built with a variant of a file)
//   DETAIL=openStream,fromSse node spec/bench/layers.mjs   (also: what those variants hold, per
//                                                          stream, from heap snapshots)
//
// Variants, from the floor up: undici's fetch with a pending read; fetch-event-source raw
// (scoped); eventsource; the transport of one connection (`openStream`: fetch-event-source, the
// status checks, the scanner, the idle watchdog off); `fromSse` with `retry: false`; `fromSse`
// default. Built from src/ (esbuild, the build's scoping plugin), so no `npm run build` needed.
import { build } from 'esbuild';
import { execFile, fork } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { scopedTransport } from '../../esbuild.config.mjs';
import { diff, heapTable, snapshot, watchScripts } from './heap-snapshot.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const BUNDLE = join(here, 'results', 'layers-src.mjs');

const VARIANTS = {
  fetch: 'fetch, reading the body (no parsing)',
  fes: 'fetchEventSource raw (scoped copy)',
  eventsource: 'eventsource 5',
  openStream: 'openStream: one connection (transport, checks, scanner)',
  fromSseNoRetry: 'fromSse, retry: false',
  fromSse: 'fromSse, default options',
};

/** The opener of a variant: `(url, onEvent) → close`. */
async function opener(variant) {
  const src = await import(pathToFileURL(BUNDLE).href);
  switch (variant) {
    case 'fetch':
      return (url, onEvent) => {
        const controller = new AbortController();
        fetch(url, { signal: controller.signal })
          .then(async (response) => {
            const reader = response.body.getReader();
            for (;;) {
              const { done } = await reader.read();
              if (done) return;
              onEvent();
            }
          })
          .catch(() => undefined);
        return () => controller.abort();
      };
    case 'fes':
      return (url, onEvent) => {
        const controller = new AbortController();
        src
          .fetchEventSource(url, {
            signal: controller.signal,
            openWhenHidden: true,
            onmessage: onEvent,
            onerror: (error) => {
              throw error;
            },
          })
          .catch(() => undefined);
        return () => controller.abort();
      };
    case 'eventsource': {
      const { EventSource } = await import('eventsource');
      return (url, onEvent) => {
        const source = new EventSource(url);
        source.onmessage = onEvent;
        return () => source.close();
      };
    }
    case 'openStream':
      return (url, onEvent) => {
        const abort = src.openStream({
          request: {
            url,
            displayUrl: url,
            method: 'GET',
            headers: { accept: 'text/event-stream' },
            body: undefined,
            credentials: undefined,
            secrets: [],
          },
          fetch: (input, init) => globalThis.fetch(input, init),
          maxEventSize: 8 << 20,
          idleTimeout: undefined,
          lastEventId: '',
          onOpen: () => undefined,
          onRetry: () => undefined,
          onLastEventId: () => undefined,
          onNoContent: () => undefined,
          onMessage: onEvent,
          onEnd: () => undefined,
        });
        return abort;
      };
    case 'fromSseNoRetry':
    case 'fromSse': {
      const options = variant === 'fromSse' ? {} : { retry: false };
      return (url, onEvent) => {
        const subscription = src
          .fromSse(url, options)
          .subscribe({ next: onEvent, error: () => undefined });
        return () => subscription.unsubscribe();
      };
    }
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

async function settleHeap() {
  let last = Infinity;
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
    const used = process.memoryUsage().heapUsed;
    if (used >= last - 16 * 1024) break;
    last = used;
  }
  return process.memoryUsage().heapUsed;
}

/** In the child: opens `streams` streams of `variant` and prints heap bytes per stream. */
async function child(variant, base, streams) {
  const detail = (process.env.DETAIL ?? '').split(',').includes(variant);
  if (detail) await watchScripts();
  const open = await opener(variant);
  const once = (tag) =>
    new Promise((resolve) => {
      let close;
      let done = false;
      close = open(`${base}/hello?tag=${tag}`, () => {
        if (done) return;
        done = true;
        resolve(close);
      });
    });
  for (let i = 0; i < 20; i++) (await once('warm'))();
  const before = await settleHeap();
  const groups = detail ? (await snapshot()).groups : undefined;
  const closes = await Promise.all(Array.from({ length: streams }, () => once('layers')));
  const after = await settleHeap();
  const table = detail ? heapTable(diff(groups, (await snapshot()).groups, streams), 60) : '';
  for (const close of closes) close();
  const result = JSON.stringify({ bytes: (after - before) / streams, table });
  process.stdout.write(`${result}\n`, () => process.exit(0));
}

async function buildLayers() {
  await build({
    stdin: {
      contents: [
        "export { fromSse } from './src/index.ts';",
        "export { openStream } from './src/transport/open-stream.ts';",
        "export { fetchEventSource } from '@microsoft/fetch-event-source';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    outfile: BUNDLE,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    external: ['rxjs', 'rxjs/*', 'zod'],
    logLevel: 'warning',
    plugins: [scopedTransport],
  });
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], Number(process.argv[5]));
} else {
  const streams = Number(process.argv[2] ?? 1000);
  await mkdir(dirname(BUNDLE), { recursive: true });
  if (!process.argv.includes('--no-build')) await buildLayers();
  const server = fork(join(here, 'server.mjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await new Promise((resolve) => server.once('message', resolve));
  const base = `http://127.0.0.1:${port}`;
  console.log(`| variant | heap / stream (${streams} streams) | over the one above |`);
  console.log('| --- | --- | --- |');
  let previous;
  const details = [];
  for (const [variant, label] of Object.entries(VARIANTS)) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', fileURLToPath(import.meta.url), '--child', variant, base, String(streams)],
      { timeout: 120_000, maxBuffer: 16 << 20 },
    );
    const { bytes, table } = JSON.parse(stdout.trim().split('\n').at(-1));
    if (table) details.push(`\n### ${label}\n\n${table}`);
    const delta = previous === undefined ? '' : `${((bytes - previous) / 1024).toFixed(1)} KiB`;
    console.log(`| ${label} | ${(bytes / 1024).toFixed(1)} KiB | ${delta} |`);
    previous = bytes;
  }
  console.log(details.join('\n'));
  server.disconnect();
}
