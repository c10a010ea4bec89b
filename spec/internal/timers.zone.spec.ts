/**
 * The untracked timers with zone.js loaded (`zone.js/node`, as Angular's server rendering loads
 * it): they are created in the root zone, so a zone that tracks tasks (Angular's) never sees them
 * pending, and their callbacks run back in the zone that scheduled them. Then rx-sse streams in
 * Angular's NgZone: open with the idle watchdog armed, waiting to retry, released with a grace
 * period — no pending macrotask, events in the zone.
 *
 * zone.js's browser bundle, as Angular apps load it: `zone.js/node` also patches Node's `process`,
 * which Jest shares between test files.
 */
import 'zone.js';
import { NgZone } from '@angular/core';
import { firstValueFrom, timer, type Observable, type Subscription } from 'rxjs';
import { createSseStore, fromSse, shareSse } from '../../src/index.js';
import {
  inRootZone,
  untrackedTimeout,
  untrackedTimer,
  zoneBinder,
} from '../../src/internal/timers.js';
import { createMockSseFetch, type MockSseFetch } from '../../src/testing/index.js';
import { until } from '../support/until.js';

/** The part of zone.js's API these tests use. */
interface TestZone {
  readonly name: string;
  run<T>(callback: () => T): T;
}
interface HasTaskState {
  readonly macroTask: boolean;
}
interface ZoneApi {
  readonly current: TestZone;
  readonly root: TestZone & {
    fork(spec: {
      name: string;
      onHasTask: (
        delegate: { hasTask(target: TestZone, state: HasTaskState): void },
        current: TestZone,
        target: TestZone,
        state: HasTaskState,
      ) => void;
    }): TestZone;
  };
}

// zone.js defined it: this file only reads it.
const Zone = (globalThis as unknown as { Zone: ZoneApi }).Zone;

/** A zone that records whether it has pending macrotasks, as Angular's zone does. */
function trackingZone(): { zone: TestZone; macroTaskStates: boolean[] } {
  const macroTaskStates: boolean[] = [];
  const zone = Zone.root.fork({
    name: 'tracking',
    onHasTask: (delegate, _current, target, state) => {
      macroTaskStates.push(state.macroTask);
      delegate.hasTask(target, state);
    },
  });
  return { zone, macroTaskStates };
}

it('has zone.js loaded by its own import', () => {
  expect(Zone.current.name).toBe('<root>');
});

describe('in a zone that tracks tasks', () => {
  it('control: a plain setTimeout and an RxJS timer are pending macrotasks there', async () => {
    const { zone, macroTaskStates } = trackingZone();
    await new Promise<void>((resolve) => zone.run(() => setTimeout(resolve, 5)));
    expect(macroTaskStates).toEqual([true, false]);
    const rx = trackingZone();
    await rx.zone.run(() => firstValueFrom(timer(5)));
    expect(rx.macroTaskStates).toEqual([true, false]);
  });

  it('untrackedTimeout is never pending there, and calls back in it', async () => {
    const { zone, macroTaskStates } = trackingZone();
    const calledIn = await new Promise<string>((resolve) =>
      zone.run(() => untrackedTimeout(() => resolve(Zone.current.name), 5)),
    );
    expect(calledIn).toBe('tracking');
    expect(macroTaskStates).toEqual([]);
  });

  it('untrackedTimeout cancels from any zone', async () => {
    const { zone } = trackingZone();
    const callback = jest.fn();
    const cancel = zone.run(() => untrackedTimeout(callback, 5));
    cancel();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(callback).not.toHaveBeenCalled();
  });

  it('untrackedTimer is never pending there, and emits and completes in it', async () => {
    const { zone, macroTaskStates } = trackingZone();
    const seen: string[] = [];
    await new Promise<void>((resolve) =>
      zone.run(() =>
        untrackedTimer(5).subscribe({
          next: (value) => seen.push(`${value} in ${Zone.current.name}`),
          complete: () => {
            seen.push(`complete in ${Zone.current.name}`);
            resolve();
          },
        }),
      ),
    );
    expect(seen).toEqual(['0 in tracking', 'complete in tracking']);
    expect(macroTaskStates).toEqual([]);
  });

  it('inRootZone starts work in the root zone: what it schedules is not pending there', async () => {
    const { zone, macroTaskStates } = trackingZone();
    let ranIn = '';
    await zone.run(() =>
      inRootZone(() => {
        ranIn = Zone.current.name;
        return new Promise((resolve) => setTimeout(resolve, 5));
      }),
    );
    expect(ranIn).toBe('<root>');
    expect(macroTaskStates).toEqual([]);
  });

  it('zoneBinder runs a callback in the zone it was created in, wherever it is called', () => {
    const { zone } = trackingZone();
    const bind = zone.run(() => zoneBinder());
    let calledIn = '';
    Zone.root.run(bind(() => (calledIn = Zone.current.name)));
    expect(calledIn).toBe('tracking');
  });
});

/*
 * Through Angular's NgZone. The streams use rx-sse's mock fetch (`rx-sse/testing`): Node's real
 * fetch would make zone.js patch the Promise of Jest's own realm (zone.js patches the `then` of
 * whatever promise `fetch` returns), which leaks into Jest itself. The same scenarios run against
 * a real server in Chromium: spec/browser/zone-stability.spec.ts.
 */
describe("rx-sse streams in Angular's NgZone", () => {
  let ngZone: NgZone;
  let mock: MockSseFetch;
  beforeEach(() => {
    ngZone = new NgZone({ enableLongStackTrace: false });
    mock = createMockSseFetch();
  });

  /** Subscribes in Angular's zone; each value records whether it arrived there. */
  function subscribeInAngular(stream: Observable<unknown>): {
    inZone: boolean[];
    subscription: Subscription;
  } {
    const inZone: boolean[] = [];
    const subscription = ngZone.run(() =>
      stream.subscribe(() => inZone.push(NgZone.isInAngularZone())),
    );
    return { inZone, subscription };
  }

  it('open with idleTimeout: nothing pending in the zone, events delivered in it', async () => {
    const { inZone, subscription } = subscribeInAngular(
      fromSse('https://x.test/ticks', { fetch: mock.fetch, idleTimeout: 2000 }),
    );
    const connection = await mock.connection();
    for (const data of ['1', '2', '3']) await connection.send({ data });
    await until(() => inZone.length === 3, 'three events');
    expect(inZone).toEqual([true, true, true]);
    expect(ngZone.hasPendingMacrotasks).toBe(false);
    subscription.unsubscribe();
    expect(connection.aborted).toBe(true);
  });

  it('waiting to retry after a 503: nothing pending in the zone; the retry connects', async () => {
    mock.respondWith({ status: 503 });
    const states: string[] = [];
    const { inZone, subscription } = subscribeInAngular(
      fromSse('https://x.test/flaky', {
        fetch: mock.fetch,
        idleTimeout: 2000,
        retry: { initialDelay: 300, maxDelay: 300, jitter: 'none' },
        state: (state) => states.push(state.status),
      }),
    );
    await until(() => states.includes('reconnecting'), 'the backoff wait');
    expect(ngZone.hasPendingMacrotasks).toBe(false);
    expect(mock.requests).toHaveLength(1);
    const connection = await mock.connection();
    await connection.send({ data: 'back' });
    await until(() => inZone.length === 1, 'the event after the retry');
    expect(inZone).toEqual([true]);
    expect(mock.requests).toHaveLength(2);
    subscription.unsubscribe();
  });

  it('a shared stream and a store released with a grace period: nothing pending meanwhile', async () => {
    const shared = fromSse('https://x.test/shared', { fetch: mock.fetch }).pipe(
      shareSse({ gracePeriod: 300 }),
    );
    const store = createSseStore(fromSse('https://x.test/stored', { fetch: mock.fetch }), {
      gracePeriod: 300,
    });
    const { subscription } = subscribeInAngular(shared);
    const stop = ngZone.run(() => store.subscribe(() => undefined));
    const connections = [await mock.connection(), await mock.connection()];
    ngZone.run(() => {
      subscription.unsubscribe();
      stop();
    });
    // Both grace periods run: the connections are open, and Angular's zone has nothing pending.
    expect(connections.map((c) => c.closed || c.aborted)).toEqual([false, false]);
    expect(ngZone.hasPendingMacrotasks).toBe(false);
    await until(() => connections.every((c) => c.aborted), 'both closes after grace', {
      timeout: 2000,
    });
  });
});
