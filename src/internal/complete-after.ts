/**
 * The `completeOn` option of `fromSse` and of endpoints, as one operator.
 *
 * @internal
 * @module
 */
import { identity, takeWhile, type MonoTypeOperatorFunction } from 'rxjs';

/** An event name, several, or a predicate: what ends a finite stream. */
export type CompleteOn<T> = string | readonly string[] | ((event: T) => boolean);

/** The predicate of a `completeOn`, or `undefined` when there is none. */
export function completeMatcher<T extends { readonly event: string }>(
  completeOn: CompleteOn<T> | undefined,
): ((event: T) => boolean) | undefined {
  if (completeOn === undefined || typeof completeOn === 'function') return completeOn;
  const names = new Set(typeof completeOn === 'string' ? [completeOn] : completeOn);
  return (event) => names.has(event.event);
}

/**
 * Delivers events until one matches `completeOn`, delivers that one too, then completes. Events
 * for which `eligible` is false never end the stream (the typed client's invalid events).
 */
export function completeAfter<T extends { readonly event: string }>(
  completeOn: CompleteOn<T> | undefined,
  eligible: (event: T) => boolean = () => true,
): MonoTypeOperatorFunction<T> {
  const matches = completeMatcher(completeOn);
  if (matches === undefined) return identity;
  return takeWhile((event) => !(eligible(event) && matches(event)), true);
}
