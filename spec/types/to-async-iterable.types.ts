/**
 * Type-level tests of `toAsyncIterable`: compiled by `tsc` in `npm test` (npm run typecheck),
 * never executed.
 */
import { of } from 'rxjs';
import { z } from 'zod';
import {
  createSseClient,
  defineEndpoint,
  fromSse,
  ofEvent,
  toAsyncIterable,
  type SseMessage,
  type ToAsyncIterableOptions,
  type TypedSseEvent,
} from '../../src/index.js';

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {
  return undefined;
}
type ElementOf<I> = I extends AsyncIterable<infer T> ? T : never;

const api = createSseClient({
  endpoints: {
    answer: defineEndpoint({
      path: '/answers',
      body: z.object({ question: z.string() }),
      events: {
        token: { schema: z.string(), decode: 'text' },
        done: z.object({ tokens: z.number() }),
      },
    }),
  },
});

// The element type is the Observable's: a typed client keeps its event union.
const answer = toAsyncIterable(api.answer({ body: { question: 'why?' } }));
assertType<
  Equal<
    ElementOf<typeof answer>,
    TypedSseEvent<'token', string> | TypedSseEvent<'done', { tokens: number }>
  >
>();

// …which narrows by `event` inside the loop.
export async function collect(): Promise<string> {
  let text = '';
  for await (const event of answer) {
    if (event.event === 'token') {
      assertType<Equal<typeof event.data, string>>();
      text += event.data;
    } else {
      assertType<Equal<typeof event.data, { tokens: number }>>();
    }
  }
  return text;
}

// `ofEvent` first: only that event.
const tokens = toAsyncIterable(api.answer({ body: { question: 'why?' } }).pipe(ofEvent('token')));
assertType<Equal<ElementOf<typeof tokens>, TypedSseEvent<'token', string>>>();

// fromSse: SseMessage; any Observable: its element type.
assertType<Equal<ElementOf<ReturnType<typeof toAsyncIterable<SseMessage>>>, SseMessage>>();
const messages = toAsyncIterable(fromSse('/feed'), { signal: new AbortController().signal });
assertType<Equal<ElementOf<typeof messages>, SseMessage>>();
const numbers = toAsyncIterable(of(1, 2), { bufferSize: 100 });
assertType<Equal<ElementOf<typeof numbers>, number>>();

// Options are checked.
const options: ToAsyncIterableOptions = { bufferSize: Infinity };
void options;
// @ts-expect-error bufferSize is a number of events
toAsyncIterable(of(1), { bufferSize: '10' });
// @ts-expect-error signal is an AbortSignal, not an AbortController
toAsyncIterable(of(1), { signal: new AbortController() });
// @ts-expect-error a Promise is not a stream
toAsyncIterable(Promise.resolve(1));
