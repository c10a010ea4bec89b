/**
 * The untracked timers without zone.js (Node, browsers without it, zoneless Angular): plain
 * `setTimeout`, and RxJS `timer` semantics on the scheduler (so `TestScheduler.run` virtualises
 * them, as it does `timer`). With zone.js: timers.zone.spec.ts.
 */
import { TestScheduler } from 'rxjs/testing';
import {
  inRootZone,
  untrackedTimeout,
  untrackedTimer,
  zoneBinder,
} from '../../src/internal/timers.js';

const marbles = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

it('runs without zone.js in this environment', () => {
  expect((globalThis as { Zone?: unknown }).Zone).toBeUndefined();
});

describe('untrackedTimeout', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('calls back once after the delay', () => {
    const callback = jest.fn();
    untrackedTimeout(callback, 100);
    jest.advanceTimersByTime(99);
    expect(callback).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(callback).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1000);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('never calls back once cancelled; cancelling twice or after it fired is harmless', () => {
    const callback = jest.fn();
    const cancel = untrackedTimeout(callback, 100);
    jest.advanceTimersByTime(50);
    cancel();
    cancel();
    jest.advanceTimersByTime(1000);
    expect(callback).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);

    const fired = jest.fn();
    const late = untrackedTimeout(fired, 10);
    jest.advanceTimersByTime(10);
    late();
    expect(fired).toHaveBeenCalledTimes(1);
  });
});

describe('untrackedTimer', () => {
  it('emits 0 after the delay and completes, on the default scheduler virtualised by run()', () => {
    marbles().run(({ expectObservable }) => {
      expectObservable(untrackedTimer(30)).toBe('30ms (a|)', { a: 0 });
    });
  });

  it('uses the scheduler it is given', () => {
    // Outside run(): only what is scheduled on it runs in its virtual time.
    const scheduler = marbles();
    const emittedAt: number[] = [];
    untrackedTimer(50, scheduler).subscribe(() => emittedAt.push(scheduler.now()));
    scheduler.flush();
    expect(emittedAt).toEqual([50]);
  });

  it('is cancelled by unsubscribing: nothing is emitted', () => {
    marbles().run(({ expectObservable }) => {
      expectObservable(untrackedTimer(30), '10ms !').toBe('');
    });
  });

  it('treats a negative delay as 0, as timer() does', () => {
    marbles().run(({ expectObservable }) => {
      expectObservable(untrackedTimer(-5)).toBe('(a|)', { a: 0 });
    });
  });

  it('works on real time too', async () => {
    const started = Date.now();
    const values = await new Promise<number[]>((resolve) => {
      const seen: number[] = [];
      untrackedTimer(20).subscribe({ next: (v) => seen.push(v), complete: () => resolve(seen) });
    });
    expect(values).toEqual([0]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });
});

it('zoneBinder hands callbacks back unchanged without zone.js; inRootZone just calls', () => {
  const callback = (): void => undefined;
  expect(zoneBinder()(callback)).toBe(callback);
  expect(inRootZone(() => 42)).toBe(42);
});
