/**
 * Calling user callbacks from inside the stream machinery without letting them break it.
 *
 * @internal
 * @module
 */
import { config } from 'rxjs';

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
