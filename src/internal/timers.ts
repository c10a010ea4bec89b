/**
 * Timers that no zone tracks (the idle watchdog, the backoff wait, the grace periods), and
 * callbacks that run in their subscriber's zone.
 *
 * In an app running zone.js (most Angular apps before zoneless), every timer scheduled inside
 * Angular's zone is a pending macrotask, and the app is not stable while one is pending:
 * `ApplicationRef.whenStable()`, hydration, server-side rendering and the service worker's default
 * registration wait. rx-sse keeps timers alive for as long as a stream lives, so they are created
 * in the root zone, which nothing observes; their callbacks re-enter the zone that scheduled them,
 * so what they start (a reconnect, events, change detection) runs where it would have run anyway.
 *
 * zone.js cannot follow a native `await` either: the body is read with `await reader.read()`, so
 * events would reach subscribers in the root zone, where a zone app does not see them (a plain
 * `subscribe` writing a field would not re-render). {@link zoneBinder} brings them back. The
 * request is started with {@link inRootZone} too: Node's `fetch` keeps timers of its own (zone
 * tasks once zone.js patched the timers) for as long as a body streams.
 *
 * zone.js is found at run time as the global `Zone` it defines; nothing here imports it or
 * Angular. Without it, these are plain timers and plain callbacks.
 *
 * @internal
 * @module
 */
import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs';

/** The part of a zone.js zone used here. */
interface ZoneLike {
  run<T>(callback: () => T): T;
}

/** zone.js's global `Zone`, when it is loaded. */
function zones(): { readonly current: ZoneLike; readonly root: ZoneLike } | undefined {
  return (globalThis as { Zone?: { current: ZoneLike; root: ZoneLike } }).Zone;
}

/**
 * A function that binds callbacks to the zone that is current now: wherever a bound callback is
 * called from later, it runs in that zone. Without zone.js, callbacks are returned as they are.
 */
export function zoneBinder(): <A extends unknown[]>(
  callback: (...args: A) => void,
) => (...args: A) => void {
  const zone = zones()?.current;
  return (callback) =>
    zone === undefined ? callback : (...args) => zone.run(() => callback(...args));
}

/** Calls `start` in zone.js's root zone, where no zone tracks what it schedules. */
export function inRootZone<T>(start: () => T): T {
  const root = zones()?.root;
  return root === undefined ? start() : root.run(start);
}

/**
 * Calls `callback` once after `ms` milliseconds (`setTimeout`), on a timer that no zone tracks, in
 * the zone that was current when it was scheduled. Returns the function that cancels it.
 */
export function untrackedTimeout(callback: () => void, ms: number): () => void {
  const run = zoneBinder()(callback);
  const id = inRootZone(() => setTimeout(run, ms));
  return () => clearTimeout(id);
}

/**
 * RxJS `timer(ms, scheduler)` on a timer that no zone tracks: emits `0` after `ms` milliseconds
 * (in the zone of the subscription), then completes; unsubscribing cancels it. On the default
 * `asyncScheduler`, so `TestScheduler.run` virtualises it as it does `timer(ms)`.
 */
export function untrackedTimer(
  ms: number,
  scheduler: SchedulerLike = asyncScheduler,
): Observable<0> {
  return new Observable<0>((subscriber) => {
    const emit = zoneBinder()(() => {
      subscriber.next(0);
      subscriber.complete();
    });
    return inRootZone(() => scheduler.schedule(emit, Math.max(0, ms)));
  });
}
