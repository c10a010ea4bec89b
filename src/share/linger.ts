/**
 * The share behind `shareSse` and shared endpoints, which tells its owner when the connection only
 * waits out its grace period and lets it end that period early (the connection budget).
 *
 * @internal
 * @module
 */
import {
  Observable,
  ReplaySubject,
  Subject,
  share,
  type MonoTypeOperatorFunction,
  type SubjectLike,
} from 'rxjs';
import { untrackedTimeout } from '../internal/timers.js';
import type { SseSharing } from './share-sse.js';

/** What the share tells its owner about its grace period. */
export interface LingerHooks {
  /** The last subscriber left; calling `evict` ends the grace period at once. */
  linger(evict: () => void): void;
  /** A subscriber came back, or the grace period ended. */
  resume(): void;
}

/**
 * `shareSse`, telling `hooks` when the connection only waits out its grace period, and letting
 * them end it early.
 */
export function shareLingering<T>(
  options: Pick<SseSharing, 'gracePeriod' | 'replay'>,
  hooks?: LingerHooks,
): MonoTypeOperatorFunction<T> {
  const { gracePeriod = 1000, replay = 0 } = options;
  return share<T>({
    connector: (): SubjectLike<T> => (replay > 0 ? new ReplaySubject<T>(replay) : new Subject<T>()),
    resetOnError: true,
    resetOnComplete: true,
    resetOnRefCountZero: () =>
      new Observable<void>((reset) => {
        // Not a zone task: a grace period must not hold a zone.js app's stability.
        const cancel = untrackedTimeout(() => reset.next(), Math.max(0, gracePeriod));
        hooks?.linger(() => reset.next());
        return () => {
          cancel();
          hooks?.resume();
        };
      }),
  });
}
