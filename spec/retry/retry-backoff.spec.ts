import { defer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { retryBackoff, type RetryInfo } from '../../src/index.js';
import { backoffDelay } from '../../src/retry/retry-backoff.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

const fixed = { jitter: 'none' as const, initialDelay: 10, factor: 2, maxDelay: 1000 };

describe('retryBackoff (marbles)', () => {
  it('waits initialDelay × factor^(n-1) between resubscriptions, then gives up', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#');
      // Subscribed at 0; fails at 1; waits 10 → 11; fails at 12; waits 20 → 32; fails 33; 40 → 73.
      expectObservable(source.pipe(retryBackoff({ ...fixed, maxAttempts: 3 }))).toBe('74ms #');
      expectSubscriptions(source.subscriptions).toBe(['^!', '11ms ^!', '32ms ^!', '73ms ^!']);
    });
  });

  it('caps the delay at maxDelay', () => {
    scheduler().run(({ cold, expectSubscriptions, expectObservable }) => {
      const source = cold('#');
      expectObservable(source.pipe(retryBackoff({ ...fixed, maxDelay: 15, maxAttempts: 3 }))).toBe(
        '40ms #',
      );
      expectSubscriptions(source.subscriptions).toBe([
        '(^!)',
        '10ms (^!)',
        '25ms (^!)',
        '40ms (^!)',
      ]);
    });
  });

  it('resets the attempt counter once the source emits (a healthy connection)', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      // Fails twice (delays 10, 20), then a subscription emits before failing: back to 10.
      let subscription = 0;
      const sources = [cold('#'), cold('#'), cold('a#'), cold('#'), cold('-')];
      const defer$ = defer(() => sources[Math.min(subscription++, sources.length - 1)]!);
      expectObservable(defer$.pipe(retryBackoff(fixed))).toBe('30ms a', { a: 'a' });
      // 'a' at 30, failure at 31, then 10 (reset, not 40) → 41; fails → 20 → 61.
      expectSubscriptions(sources[2]!.subscriptions).toBe(['30ms ^!']);
      expectSubscriptions(sources[3]!.subscriptions).toBe(['41ms (^!)']);
      expectSubscriptions(sources[4]!.subscriptions).toBe(['61ms ^']);
    });
  });

  it('gives up at once when shouldRetry says false, with that error', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#', undefined, new Error('fatal'));
      expectObservable(source.pipe(retryBackoff({ ...fixed, shouldRetry: () => false }))).toBe(
        '--#',
        undefined,
        new Error('fatal'),
      );
      expectSubscriptions(source.subscriptions).toBe(['^-!']);
    });
  });

  it('waits at least the floor shouldRetry returns', () => {
    scheduler().run(({ cold, expectSubscriptions }) => {
      const source = cold('#');
      source.pipe(retryBackoff({ ...fixed, maxAttempts: 1, shouldRetry: () => 500 })).subscribe({
        error: () => undefined,
      });
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '500ms (^!)']);
    });
  });

  it('gives up when the streak would last longer than maxElapsed', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('#');
      // Delays 10, 20, 40: the third retry would start at 70 > 50.
      expectObservable(source.pipe(retryBackoff({ ...fixed, maxElapsed: 50 }))).toBe('30ms #');
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '10ms (^!)', '30ms (^!)']);
    });
  });

  it('reports every retry to onRetry', () => {
    scheduler().run(({ cold, flush }) => {
      const seen: RetryInfo[] = [];
      const error = new Error('down');
      cold('#', undefined, error)
        .pipe(retryBackoff({ ...fixed, maxAttempts: 2, onRetry: (info) => seen.push(info) }))
        .subscribe({ error: () => undefined });
      flush();
      expect(seen).toEqual([
        { error, attempt: 1, delay: 10 },
        { error, attempt: 2, delay: 20 },
      ]);
    });
  });

  it('unsubscribing during a wait cancels the pending resubscription', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('#');
      expectObservable(source.pipe(retryBackoff(fixed)), '15ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '10ms (^!)']);
    });
  });

  it('passes values and completion through untouched', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-b-|').pipe(retryBackoff())).toBe('a-b-|');
    });
  });
});

describe('backoffDelay: full jitter', () => {
  it('is random() × the bound, floored, and never below the floor', () => {
    const config = { initialDelay: 1000, factor: 2, maxDelay: 30_000 };
    expect(backoffDelay(config, 1, 0, () => 0.5)).toBe(500);
    expect(backoffDelay(config, 3, 0, () => 0.999)).toBe(3996);
    expect(backoffDelay(config, 10, 0, () => 0.5)).toBe(15_000);
    expect(backoffDelay(config, 1, 0, () => 0)).toBe(0);
    expect(backoffDelay(config, 1, 700, () => 0)).toBe(700);
  });

  it('never exceeds what setTimeout can wait', () => {
    expect(backoffDelay({}, 1, 1e15)).toBe(2 ** 31 - 1);
  });
});
