/**
 * The `completeOn` option of `fromSse` and of endpoints, as one operator.
 *
 * @internal
 * @module
 */
import { identity, takeWhile, type MonoTypeOperatorFunction } from 'rxjs';

/** An event name, several, or a predicate: what ends a finite stream. */
export type CompleteOn<T> = string | readonly string[] | ((event: T) => boolean);

/**
 * Delivers events until one matches `completeOn`, delivers that one too, then completes. Events
 * for which `eligible` is false never end the stream (the typed client's invalid events).
 */
export function completeAfter<T extends { readonly event: string }>(
  completeOn: CompleteOn<T> | undefined,
  eligible: (event: T) => boolean = () => true,
): MonoTypeOperatorFunction<T> {
  if (completeOn === undefined) return identity;
  let matches: (event: T) => boolean;
  if (typeof completeOn === 'function') {
    matches = completeOn;
  } else {
    const names = new Set(typeof completeOn === 'string' ? [completeOn] : completeOn);
    matches = (event) => names.has(event.event);
  }
  return takeWhile((event) => !(eligible(event) && matches(event)), true);
}
