// Scenarios run by plain Node (no Jest, no bundler) against the built package, once through its
// ESM entry (smoke.mjs) and once through its CJS entry (smoke.cjs). The parent test
// (spec/node-package.spec.ts) serves the routes and checks what the server saw.
//
// It covers every way a stream ends — clean close, unsubscribe, HTTP error, network error,
// unsubscribe while an error body is being read, unsubscribe during a backoff wait, idle timeout —
// and records any unhandled rejection or uncaught exception. The process must then exit by itself:
// a timer or socket left behind would keep it alive.
'use strict';

module.exports = async function run(sdk, rxjs, base) {
  const problems = [];
  process.on('unhandledRejection', (error) => problems.push(`unhandledRejection: ${error}`));
  process.on('uncaughtException', (error) => problems.push(`uncaughtException: ${error}`));
  const { fromSse, isSseError } = sdk;
  const { firstValueFrom, lastValueFrom, take, toArray } = rxjs;
  const outcome = (promise) =>
    promise.then(
      (value) => ({ ok: true, value }),
      (error) => ({
        ok: false,
        code: isSseError(error) ? error.code : String(error),
        status: error.status,
      }),
    );
  const results = {};

  results.stream = await outcome(
    lastValueFrom(fromSse(`${base}/ticks`).pipe(take(3), toArray())).then((ms) =>
      ms.map((m) => m.data),
    ),
  );
  results.cleanClose = await outcome(
    lastValueFrom(fromSse(`${base}/finite`, { retry: false }).pipe(toArray())).then(
      (ms) => ms.length,
    ),
  );
  results.httpError = await outcome(firstValueFrom(fromSse(`${base}/error500`, { retry: false })));
  results.networkError = await outcome(
    firstValueFrom(fromSse('http://127.0.0.1:1/nothing-listens', { retry: false })),
  );
  results.idle = await outcome(
    firstValueFrom(fromSse(`${base}/silent`, { retry: false, idleTimeout: 150 })),
  );
  results.unsubscribeDuringErrorBody = await new Promise((resolve) => {
    const subscription = fromSse(`${base}/stalled-error`, {
      retry: false,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        queueMicrotask(() => {
          subscription.unsubscribe();
          resolve({ ok: true, value: 'unsubscribed' });
        });
        return response;
      },
    }).subscribe({ error: (error) => resolve({ ok: false, code: String(error) }) });
  });
  results.unsubscribeDuringBackoff = await new Promise((resolve) => {
    const subscription = fromSse(`${base}/error503`, {
      retry: { initialDelay: 60_000, maxDelay: 60_000, jitter: 'none' },
      state: (state) => {
        if (state.status !== 'reconnecting') return;
        queueMicrotask(() => {
          subscription.unsubscribe();
          resolve({ ok: true, value: state.delay });
        });
      },
    }).subscribe({ error: (error) => resolve({ ok: false, code: String(error) }) });
  });
  results.unsubscribeMidStream = await new Promise((resolve) => {
    const subscription = fromSse(`${base}/ticks`).subscribe((message) => {
      if (message.id !== '2') return;
      subscription.unsubscribe();
      resolve({ ok: true, value: message.data });
    });
  });
  // Let any stray rejection surface before reporting.
  await new Promise((resolve) => setImmediate(resolve));
  return {
    globals: { window: typeof globalThis.window, document: typeof globalThis.document },
    results,
    problems,
  };
};
