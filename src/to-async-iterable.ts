/**
 * `toAsyncIterable`: any stream as an `AsyncIterable`, for `for await` loops.
 *
 * @module
 */
import type { Observable, Subscription } from 'rxjs';
import { SseBufferOverflowError } from './errors.js';

/**
 * Options of {@link toAsyncIterable}. Both are optional.
 *
 * @example
 * ```ts
 * import { fromSse, isSseError, toAsyncIterable } from 'rx-sse';
 *
 * declare function save(data: string): Promise<void>; // slower than the feed, at times
 *
 * // Stop after ten minutes; let at most 50,000 events wait for `save` before giving up.
 * const events = toAsyncIterable(fromSse('https://feed.example.com/events'), {
 *   signal: AbortSignal.timeout(600_000),
 *   bufferSize: 50_000,
 * });
 * try {
 *   for await (const { data } of events) await save(data);
 * } catch (error) {
 *   if (isSseError(error, 'buffer-overflow')) console.error(`fell ${error.limit} events behind`);
 *   else throw error;
 * }
 * ```
 * @category Client
 */
export interface ToAsyncIterableOptions {
  /**
   * Ends the loop when aborted: its next step finishes normally (no throw), the events it has not
   * taken yet are discarded, and the connection closes. An already-aborted signal ends the loop
   * before anything connects. Pass the signal a framework hands you (TanStack Query's `streamFn`
   * context, an Angular resource's `abortSignal`) and cancelling there closes the connection.
   * @defaultValue none
   */
  readonly signal?: AbortSignal;
  /**
   * How many events may wait for a loop body that is slower than the stream. Events are never
   * dropped to make room: when one more arrives while `bufferSize` are waiting, the connection is
   * closed at once, the loop receives the events that were waiting, in order, and then throws an
   * {@link SseBufferOverflowError} whose `limit` is this number. `Infinity` never overflows (memory
   * then follows the backlog).
   * @defaultValue `10_000` events
   */
  readonly bufferSize?: number;
}

/**
 * Turns a stream — any rx-sse Observable, or any RxJS Observable — into an `AsyncIterable`, for
 * `for await` loops (Node scripts, server code, LLM answers) and for APIs that take one, such as
 * TanStack Query's streamed queries.
 *
 * - **Lazy and cold.** Nothing connects until the loop asks for the first event; each loop over
 *   the result (each iterator) has its own subscription, so its own connection.
 * - **In order, nothing dropped.** Events that arrive while the loop body is busy wait in a buffer
 *   of at most `bufferSize` events (see {@link ToAsyncIterableOptions.bufferSize}).
 * - **Leaving the loop closes the connection.** `break`, `return` or a throw in the loop body
 *   unsubscribes at once; so does aborting `signal`, which ends the loop without an error.
 * - **Errors are thrown by the loop**, as the very error the stream failed with (an
 *   {@link SseHttpError} with its `status`, an {@link SseValidationError} …), after the events that
 *   arrived before it. The loop ends when the stream completes (`completeOn`, a 204, `signal`).
 *
 * @param source The stream to iterate. Its element type is the loop variable's type.
 * @param options `signal` and `bufferSize`.
 * @returns An `AsyncIterable` over the stream's events.
 * @throws RangeError when `bufferSize` is not at least 1.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { createSseClient, defineEndpoint, toAsyncIterable } from 'rx-sse';
 *
 * const api = createSseClient({
 *   baseUrl: 'https://llm.example.com/v1',
 *   endpoints: {
 *     answer: defineEndpoint({
 *       path: '/answers',
 *       body: z.object({ question: z.string() }), // POSTed as JSON
 *       events: {
 *         token: { schema: z.string(), decode: 'text' },
 *         done: z.object({ tokens: z.number() }),
 *       },
 *       completeOn: 'done', // the loop ends after `done`
 *     }),
 *   },
 * });
 *
 * const answer = api.answer({ body: { question: 'What is SSE?' } });
 * for await (const event of toAsyncIterable(answer, { signal: AbortSignal.timeout(60_000) })) {
 *   if (event.event === 'token') process.stdout.write(event.data);
 *   else console.log(`\n(${event.data.tokens} tokens)`);
 * }
 * ```
 * @category Client
 */
export function toAsyncIterable<T>(
  source: Observable<T>,
  options: ToAsyncIterableOptions = {},
): AsyncIterable<T> {
  const { signal, bufferSize = 10_000 } = options;
  if (!(bufferSize >= 1)) {
    throw new RangeError(`rx-sse: bufferSize must be at least 1, got ${String(bufferSize)}`);
  }
  return { [Symbol.asyncIterator]: () => iterate(source, signal, bufferSize) };
}

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: unknown): void;
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/** One iterator: one subscription, made on the first `next()`. */
function iterate<T>(
  source: Observable<T>,
  signal: AbortSignal | undefined,
  bufferSize: number,
): AsyncIterator<T, undefined> {
  const buffer: T[] = [];
  const waiting: Waiter<T>[] = [];
  let subscription: Subscription | undefined;
  let started = false;
  let closed = false;
  let failure: { error: unknown } | undefined;

  // Hands waiting events, then the end (the failure first, once), to the `next()` calls waiting.
  const settle = (): void => {
    while (waiting.length > 0 && (buffer.length > 0 || closed)) {
      const waiter = waiting.shift() as Waiter<T>;
      if (buffer.length > 0) waiter.resolve({ value: buffer.shift() as T, done: false });
      else if (failure === undefined) waiter.resolve(DONE);
      else {
        waiter.reject(failure.error);
        failure = undefined;
      }
    }
  };
  const close = (reason?: { error: unknown }): void => {
    if (closed) return;
    closed = true;
    failure = reason;
    signal?.removeEventListener('abort', stop);
    subscription?.unsubscribe();
    settle();
  };
  // `return()` and the signal: end now, without an error, discarding what was not taken.
  const stop = (): void => {
    buffer.length = 0;
    failure = undefined;
    close();
    settle();
  };

  return {
    next() {
      if (signal?.aborted) stop();
      if (!started && !closed) {
        started = true;
        signal?.addEventListener('abort', stop);
        subscription = source.subscribe({
          next: (value) => {
            if (closed) return;
            if (buffer.length >= bufferSize) {
              close({ error: new SseBufferOverflowError({ limit: bufferSize }) });
              return;
            }
            buffer.push(value);
            settle();
          },
          error: (error: unknown) => close({ error }),
          complete: () => close(),
        });
        // The source ended (or overflowed) while subscribing: close what `close` could not reach.
        if (closed) subscription.unsubscribe();
      }
      return new Promise<IteratorResult<T, undefined>>((resolve, reject) => {
        waiting.push({ resolve, reject });
        settle();
      });
    },
    return() {
      stop();
      return Promise.resolve(DONE);
    },
    // `gen.throw(error)` on a generator delegating here with `yield*`: close, and pass it on.
    throw(error?: unknown) {
      stop();
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrows the caller's value as it is
      return Promise.reject(error);
    },
  };
}
