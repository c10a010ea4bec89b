/**
 * Waiting for a condition in tests, instead of sleeping: polls `condition` until it holds and
 * fails with what it waited for when it does not in time.
 */

/** Options of {@link until}. */
export interface UntilOptions {
  /** Longest wait, ms. */
  readonly timeout?: number;
  /** Pause between checks, ms; without it, one turn of the event loop (`setImmediate`). */
  readonly interval?: number;
}

/** Resolves once `condition()` (sync or async) holds; rejects after `timeout` ms naming `what`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  { timeout = 5000, interval }: UntilOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise<void>((resolve) => {
      // jsdom environments have no setImmediate.
      if (interval === undefined && typeof setImmediate === 'function') setImmediate(resolve);
      else setTimeout(resolve, interval ?? 1);
    });
  }
}
