/**
 * Type-level tests: compiled by `tsc` in `npm test` (npm run typecheck), never executed.
 * A wrong inference or a missing `@ts-expect-error` fails the build.
 */
import type { Observable, ObservedValueOf } from 'rxjs';
import { z } from 'zod';
import {
  createSseClient,
  defineEndpoint,
  fromSse,
  ofEvent,
  type SseInvalidEvent,
  type SseMessage,
  type TypedSseEvent,
} from '../../src/index.js';

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {
  return undefined;
}

const api = createSseClient({
  baseUrl: 'https://api.example.com',
  headers: async () => ({ authorization: 'Bearer x' }),
  endpoints: {
    room: defineEndpoint({
      path: '/rooms/:roomId/events',
      query: z.object({ since: z.string().optional() }),
      events: {
        message: z.object({ id: z.string(), user: z.string(), text: z.string() }),
        typing: z.object({ user: z.string() }),
        presence: z.object({ online: z.number().int() }),
      },
    }),
    ask: defineEndpoint({
      path: '/ask',
      method: 'POST',
      body: z.object({ q: z.string() }),
      events: {
        token: { schema: z.string(), decode: 'text' },
        done: z.object({ usage: z.number() }),
      },
    }),
    nested: defineEndpoint({
      path: '/orgs/:org/teams/:team',
      events: { stamp: z.string().transform((s) => new Date(s)) },
    }),
    open: defineEndpoint({ path: '/open', events: { tick: z.number().default(0) } }),
    lenient: defineEndpoint({
      path: '/lenient',
      invalid: 'emit',
      events: { tick: z.number() },
    }),
  },
});

type RoomEvent = ObservedValueOf<ReturnType<typeof api.room>>;

// The inferred union, discriminated by `event`.
assertType<
  Equal<
    RoomEvent,
    | TypedSseEvent<'message', { id: string; user: string; text: string }>
    | TypedSseEvent<'typing', { user: string }>
    | TypedSseEvent<'presence', { online: number }>
  >
>();

// `ofEvent` narrows.
const messages = api.room({ params: { roomId: '42' } }).pipe(ofEvent('message'));
assertType<
  Equal<
    typeof messages,
    Observable<TypedSseEvent<'message', { id: string; user: string; text: string }>>
  >
>();
const two = api.room({ params: { roomId: 1 } }).pipe(ofEvent('typing', 'presence'));
assertType<
  Equal<
    ObservedValueOf<typeof two>,
    TypedSseEvent<'typing', { user: string }> | TypedSseEvent<'presence', { online: number }>
  >
>();

// @ts-expect-error an event name the endpoint does not declare
api.room({ params: { roomId: '42' } }).pipe(ofEvent('nope'));

// Narrowing by `event` in plain code.
api.room({ params: { roomId: '42' }, query: { since: 'x' } }).subscribe((event) => {
  if (event.event === 'presence') assertType<Equal<typeof event.data, { online: number }>>();
});

// Required path params.
// @ts-expect-error params are required when the path has any
api.room();
// @ts-expect-error a missing param
api.room({ params: {} });
// @ts-expect-error a misspelled param
api.room({ params: { room: '42' } });
api.nested({ params: { org: 'acme', team: 7 } });

// Body: required, typed by its schema input.
api.ask({ body: { q: 'why' } });
// @ts-expect-error a wrong body
api.ask({ body: { q: 42 } });
// @ts-expect-error a missing body
api.ask({});

// Query: typed by its schema input.
// @ts-expect-error a wrong query
api.room({ params: { roomId: 1 }, query: { since: 5 } });

// Per-event decoder and schema output types (transforms and defaults apply).
type AskEvent = ObservedValueOf<ReturnType<typeof api.ask>>;
assertType<
  Equal<AskEvent, TypedSseEvent<'token', string> | TypedSseEvent<'done', { usage: number }>>
>();
type NestedEvent = ObservedValueOf<ReturnType<typeof api.nested>>;
assertType<Equal<NestedEvent, TypedSseEvent<'stamp', Date>>>();

// No argument needed when nothing is required.
api.open();
type OpenEvent = ObservedValueOf<ReturnType<typeof api.open>>;
assertType<Equal<OpenEvent, TypedSseEvent<'tick', number>>>();

// The 'emit' policy adds SseInvalidEvent to the union; ofEvent removes it again.
type LenientEvent = ObservedValueOf<ReturnType<typeof api.lenient>>;
assertType<Equal<LenientEvent, TypedSseEvent<'tick', number> | SseInvalidEvent>>();
const valid = api.lenient().pipe(ofEvent('tick'));
assertType<Equal<ObservedValueOf<typeof valid>, TypedSseEvent<'tick', number>>>();

// A client-wide 'emit' applies to endpoints that do not override it.
const emitting = createSseClient({
  invalid: 'emit',
  endpoints: {
    a: defineEndpoint({ path: '/a', events: { x: z.string() } }),
    b: defineEndpoint({ path: '/b', invalid: 'error', events: { y: z.string() } }),
  },
});
assertType<
  Equal<
    ObservedValueOf<ReturnType<typeof emitting.a>>,
    TypedSseEvent<'x', string> | SseInvalidEvent
  >
>();
assertType<Equal<ObservedValueOf<ReturnType<typeof emitting.b>>, TypedSseEvent<'y', string>>>();

// fromSse is untyped messages.
assertType<Equal<ObservedValueOf<ReturnType<typeof fromSse>>, SseMessage>>();
