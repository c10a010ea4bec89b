/**
 * Leaks and teardown: however a subscription ends — unsubscribe in any phase, completion, error,
 * the caller's signal — nothing stays open: no response on the server, no SDK timer, no listener
 * on the caller's AbortSignal. Then 5,000 subscribe/unsubscribe cycles, cut during connect,
 * during the response headers, during a backoff wait and during a body read.
 */
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import type { SseConnectionState } from '../../src/index.js';
import { encodeEvent, openSse } from '../support/sse-server.js';
import { settle, spiedSignal, sse, until, useReliabilityServer } from './support/harness.js';

/** 5,000 in the long run (`RX_SSE_LONG=1`, CI); fewer by default: a cycle costs a connection. */
const CYCLES = process.env.RX_SSE_LONG === '1' ? 5_000 : 1_200;

const { server, timers } = useReliabilityServer();

/** An endless stream: one event now, then one every 10 ms. */
function feed(path: string): void {
  server.route(path, (_req, res) => {
    openSse(res);
    let n = 0;
    res.write(encodeEvent({ id: String(++n), data: 'x' }));
    const timer = setInterval(() => res.write(encodeEvent({ id: String(++n), data: 'x' })), 10);
    res.on('close', () => clearInterval(timer));
  });
}

describe('the leak detectors see what they look for', () => {
  it('an open subscription has an SDK timer (idle watchdog) and one signal listener', async () => {
    feed('/detect');
    const { controller, listeners } = spiedSignal();
    const subscription = sse(`${server.url}/detect`, {
      idleTimeout: 5000,
      signal: controller.signal,
    }).subscribe();
    await server.waitFor(() => server.openResponses() === 1, 'the connection');
    expect(timers.pending().length).toBeGreaterThan(0);
    expect(listeners()).toBe(1);
    subscription.unsubscribe();
    expect(timers.pending()).toEqual([]);
    expect(listeners()).toBe(0);
  });
});

describe('every way a subscription ends leaves nothing behind', () => {
  it('unsubscribe while streaming', async () => {
    feed('/unsubscribe');
    const messages = await lastValueFrom(
      sse(`${server.url}/unsubscribe`, { idleTimeout: 1000 }).pipe(take(3), toArray()),
    );
    expect(messages).toHaveLength(3);
  });

  it('completion on completeOn', async () => {
    server.route('/complete', (_req, res) => {
      openSse(res);
      res.write(encodeEvent({ event: 'done', data: '' }));
    });
    const { completed } = await settle(sse(`${server.url}/complete`, { completeOn: 'done' }));
    expect(completed).toBe(true);
  });

  it('completion on a clean close with retry off, and on 204', async () => {
    server.route('/closes', (_req, res) => openSse(res).end(encodeEvent({ data: 'bye' })));
    server.route('/no-content', (_req, res) => res.writeHead(204).end());
    expect((await settle(sse(`${server.url}/closes`, { retry: false }))).completed).toBe(true);
    expect((await settle(sse(`${server.url}/no-content`))).completed).toBe(true);
  });

  it('a fatal error (404), a fatal error after retries (503 x3), an idle timeout', async () => {
    server.route('/missing', (_req, res) => res.writeHead(404).end());
    server.route('/down', (_req, res) => res.writeHead(503).end('try later'));
    server.route('/silent', (_req, res) => void openSse(res));
    const outcomes = await Promise.all([
      settle(sse(`${server.url}/missing`)),
      settle(sse(`${server.url}/down`, { retry: { initialDelay: 1, maxAttempts: 2 } })),
      settle(sse(`${server.url}/silent`, { retry: false, idleTimeout: 50 })),
    ]);
    expect(outcomes.map((o) => (o.error as { code?: string }).code)).toEqual([
      'http',
      'http',
      'idle-timeout',
    ]);
    expect(server.requestsTo('/down')).toHaveLength(3);
  });

  it("the caller's signal aborts: completes, closes, removes its listener", async () => {
    feed('/abort');
    const { controller, listeners } = spiedSignal();
    const first = await firstValueFrom(sse(`${server.url}/abort`, { signal: controller.signal }));
    expect(first.id).toBe('1');
    const outcome = settle(sse(`${server.url}/abort`, { signal: controller.signal }));
    await server.waitFor(() => server.openResponses() === 1, 'the second connection');
    controller.abort();
    expect((await outcome).completed).toBe(true);
    expect(listeners()).toBe(0);
  });

  it('an already-aborted signal: completes without a request or a listener', async () => {
    const { controller, listeners } = spiedSignal();
    controller.abort();
    const outcome = await settle(sse(`${server.url}/never`, { signal: controller.signal }));
    expect(outcome.completed).toBe(true);
    expect(server.requestsTo('/never')).toHaveLength(0);
    expect(listeners()).toBe(0);
  });
});

type Phase = 'sync' | 'connect' | 'headers' | 'backoff' | 'read' | 'signal';
const PHASES: readonly Phase[] = ['sync', 'connect', 'headers', 'backoff', 'read', 'signal'];

describe(`${CYCLES} subscribe/unsubscribe cycles`, () => {
  it('cut in every phase: nothing left open, no request after an unsubscribe', async () => {
    /** Called by the server when cycle `i`'s request arrives. */
    const arrived = new Map<string, () => void>();
    const onArrival = (seen: { url: URL }): void =>
      arrived.get(seen.url.searchParams.get('i') ?? '')?.();
    // Connect: the server never answers. Headers: it answers, sends nothing.
    server.route('/cycle/connect', (_req, _res, seen) => onArrival(seen));
    server.route('/cycle/signal', (_req, _res, seen) => onArrival(seen));
    server.route('/cycle/headers', (_req, res) => void openSse(res));
    server.route('/cycle/backoff', (_req, res) => res.writeHead(503).end('later'));
    feed('/cycle/read');

    const counts: Record<Phase, number> = {
      sync: 0,
      connect: 0,
      headers: 0,
      backoff: 0,
      read: 0,
      signal: 0,
    };
    /** Each cycle's cut: the listeners left on its signal right after it, or what it threw. */
    const cuts: Array<{ cycle: number; phase: Phase; listeners: number; threw?: string }> = [];
    const cycle = (i: number): Promise<void> =>
      new Promise<void>((resolve) => {
        const phase = PHASES[i % PHASES.length] as Phase;
        counts[phase]++;
        const { controller, listeners } = spiedSignal();
        let ended = false;
        const cut = (): void => {
          if (ended) return;
          ended = true;
          // Recorded here, asserted once every cycle ended: a throw in a server handler, a state
          // callback or a next would be swallowed or uncaught, and the run would hang.
          try {
            if (phase === 'signal') controller.abort();
            else subscription.unsubscribe();
            cuts.push({ cycle: i, phase, listeners: listeners() });
          } catch (error) {
            cuts.push({ cycle: i, phase, listeners: listeners(), threw: String(error) });
          } finally {
            arrived.delete(String(i));
            resolve();
          }
        };
        arrived.set(String(i), cut);
        // `cut` runs later (never during this call): the server, a state or a message calls it.
        const subscription = sse(`${server.url}/cycle/${phase}?i=${i}`, {
          signal: controller.signal,
          retry: { initialDelay: 200, jitter: 'none' },
          state: (state: SseConnectionState) => {
            if (phase === 'headers' && state.status === 'open') cut();
            if (phase === 'backoff' && state.status === 'reconnecting') queueMicrotask(cut);
          },
        }).subscribe({
          next: () => {
            if (phase === 'read') cut();
          },
        });
        if (phase === 'sync') cut();
      });

    const started = Date.now();
    const parallel = 40;
    let next = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < CYCLES) await cycle(next++);
      }),
    );
    expect(cuts).toHaveLength(CYCLES);
    expect(cuts.filter((cut) => cut.listeners !== 0 || cut.threw !== undefined)).toEqual([]);
    await server.waitFor(() => server.openResponses() === 0, 'every response closed', 10_000);
    await until(() => timers.pending().length === 0, 'no SDK timer', { timeout: 2000 });
    const requests = server.requests.filter((r) => r.path.startsWith('/cycle/')).length;
    console.log(
      `teardown: ${CYCLES} subscribe/unsubscribe cycles in ${Date.now() - started} ms ` +
        `(${Object.entries(counts)
          .map(([phase, n]) => `${phase} ${n}`)
          .join(', ')}), ${requests} requests, 0 left open`,
    );
    // One request per cycle that got that far; none for a cycle cut before it could send one,
    // and none after a cut (a cancelled backoff does not reconnect).
    expect(requests).toBe(CYCLES - counts.sync);
    expect(server.requestsTo('/cycle/sync')).toHaveLength(0);
  }, 180_000);
});
