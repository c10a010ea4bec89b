/**
 * Calling user callbacks from inside the stream machinery without letting them break it.
 *
 * @internal
 * @module
 */
import { config } from 'rxjs';
import type { SseConnectionState, SseStateObserver } from '../types.js';

/**
 * Calls `callback`; if it throws, reports the error the way RxJS reports errors thrown by
 * subscribers (`config.onUnhandledError`, else rethrown asynchronously) and carries on.
 */
export function callSafely<A extends unknown[]>(callback: (...args: A) => void, ...args: A): void {
  try {
    callback(...args);
  } catch (error) {
    const handler = config.onUnhandledError;
    if (handler) handler(error);
    else
      setTimeout(() => {
        throw error;
      });
  }
}

const ignore = (): void => undefined;

/** A safe `report(state)` for an optional state observer (a function or a Subject). */
export function stateReporter(
  observer: SseStateObserver | undefined,
): (state: SseConnectionState) => void {
  if (observer === undefined) return ignore;
  const next =
    typeof observer === 'function' ? observer : (s: SseConnectionState) => observer.next(s);
  return (state) => callSafely(next, state);
}
