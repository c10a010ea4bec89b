/**
 * `defineEndpoint`: describe an SSE endpoint once — path, method, query, body, and one schema per
 * event name.
 *
 * @module
 */
import type { SseValidationError } from '../errors.js';
import type { FromSseOptions, SseRetryConfig } from '../from-sse.js';
import type { SseSharing } from '../share/share-sse.js';
import type { Resolvable, SseHeaders, SseStateObserver } from '../types.js';
import type { PathParamNames } from './path.js';
import type { InferInput, InferOutput, StandardSchema } from './standard-schema.js';

/**
 * How an event's `data` becomes the value its schema validates:
 * `'json'` parses it as JSON, `'text'` passes the string as is, a function does its own decoding.
 *
 * @category Endpoints
 */
export type SseDecoder = 'json' | 'text' | ((data: string, event: string) => unknown);

/**
 * One event's schema, optionally with its own decoder, e.g.
 * `{ schema: z.string(), decode: 'text' }` for a token stream of plain text.
 *
 * @category Endpoints
 */
export type SseEventSchema =
  | StandardSchema
  | {
      /** Validates the decoded `data`. */
      readonly schema: StandardSchema;
      /**
       * How to decode `data` before validating it; overrides the endpoint's (or the client's)
       * `decode`.
       * @defaultValue the endpoint's or client's `decode`, else `'json'`
       */
      readonly decode?: SseDecoder;
    };

/**
 * The events an endpoint sends: event name → schema of its `data`. Events the stream sends without
 * an `event:` field are named `message`.
 *
 * @category Endpoints
 */
export type SseEventMap = Readonly<Record<string, SseEventSchema>>;

/**
 * What to do with an event whose `data` is not valid JSON or does not match its schema:
 * - `'error'`: the Observable errors with {@link SseValidationError} and the connection closes;
 * - `'skip'`: drop the event and report it to `onInvalid`;
 * - `'emit'`: deliver it as an {@link SseInvalidEvent} (and report it to `onInvalid`).
 *
 * @category Endpoints
 */
export type SseInvalidPolicy = 'error' | 'skip' | 'emit';

/**
 * A validated event: `event` is the name, `data` the schema's output.
 *
 * @category Endpoints
 */
export interface TypedSseEvent<Name extends string = string, Data = unknown> {
  /** The event name, the union's discriminant. */
  readonly event: Name;
  /** The payload, parsed and validated: the schema's output type. */
  readonly data: Data;
  /** The event's own `id`, if it had one. */
  readonly id: string | undefined;
  /** The last event ID in effect (see `SseMessage.lastEventId`). */
  readonly lastEventId: string;
}

/**
 * An event that failed validation, delivered when the policy is `'emit'`. Tell it apart with
 * `'invalid' in event`.
 *
 * @category Endpoints
 */
export interface SseInvalidEvent {
  /** The event name as received. */
  readonly event: string;
  /** Why it is invalid. */
  readonly invalid: SseValidationError;
  /** The raw `data` as received. */
  readonly raw: string;
  /** The event's own `id`, if it had one. */
  readonly id: string | undefined;
  /** The last event ID in effect. */
  readonly lastEventId: string;
}

type SchemaOf<S extends SseEventSchema> = S extends StandardSchema
  ? S
  : S extends { readonly schema: infer Inner extends StandardSchema }
    ? Inner
    : never;

/**
 * The union of validated events of an event map, discriminated by `event`.
 *
 * @category Endpoints
 */
export type SseEventUnion<Events extends SseEventMap> = {
  [Name in keyof Events & string]: TypedSseEvent<Name, InferOutput<SchemaOf<Events[Name]>>>;
}[keyof Events & string];

/**
 * A predicate on an endpoint's events. Declared as a method so that endpoints with different
 * events still fit one client (method parameters are checked bivariantly).
 */
type CompletePredicate<Event> = { check(event: Event): boolean }['check'];

/**
 * Connection settings an endpoint (or the client, for all endpoints) may set. An endpoint's
 * value replaces the client's; `headers` are merged instead (client, then endpoint, then call).
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { defineEndpoint } from 'rx-sse';
 *
 * // A log tail: plain-text lines, a heartbeat every 10 s, no reconnects, strict about events.
 * export const logs = defineEndpoint({
 *   path: '/jobs/:jobId/logs',
 *   decode: 'text',
 *   events: { line: z.string(), exit: z.string() },
 *   unknownEvents: 'error',
 *   idleTimeout: 30_000,
 *   retry: false,
 *   headers: { 'x-client': 'dashboard' },
 * });
 * ```
 * @category Endpoints
 */
export interface SseConnectionOptions extends Pick<
  FromSseOptions,
  | 'credentials'
  | 'fetch'
  | 'onUnauthorized'
  | 'dedupe'
  | 'idleTimeout'
  | 'maxEventSize'
  | 'pauseWhenHidden'
  | 'openWhenHidden'
  | 'onBytes'
  | 'onWarning'
  | 'idempotent'
> {
  /**
   * Prepended to the endpoint's path (`https://api.example.com/v1` + `/rooms/:id`).
   * @defaultValue `''`: the path is used as is (relative to the page in a browser)
   */
  readonly baseUrl?: string;
  /**
   * Headers, or a function returning them, resolved before every connection attempt. Client,
   * endpoint and call headers are merged in that order (later wins).
   * @defaultValue none
   */
  readonly headers?: Resolvable<SseHeaders>;
  /**
   * Reconnection settings, or `false`; see `FromSseOptions.retry`. An endpoint's value replaces
   * the client's.
   * @defaultValue `{}`: on, as `FromSseOptions.retry` (initialDelay 1 s, maxDelay 30 s, full
   * jitter, forever; what is retried decided by {@link sseRetryPolicy})
   */
  readonly retry?: false | SseRetryConfig;
  /**
   * Default decoder of the events' `data`.
   * @defaultValue `'json'`
   */
  readonly decode?: SseDecoder;
  /**
   * Called with every invalid event under the `'skip'` and `'emit'` policies.
   * @defaultValue none
   */
  readonly onInvalid?: (error: SseValidationError) => void;
  /**
   * What to do with event names the endpoint does not declare: drop them, or error with
   * {@link SseUnknownEventError}.
   * @defaultValue `'skip'`
   */
  readonly unknownEvents?: 'skip' | 'error';
}

/**
 * Everything {@link defineEndpoint} accepts: the request (path, method, query, body), the events,
 * the policies, and any {@link SseConnectionOptions} to override the client's.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { defineEndpoint } from 'rx-sse';
 *
 * export const search = defineEndpoint({
 *   path: '/indexes/:index/search',
 *   method: 'POST',
 *   query: z.object({ limit: z.number().int().max(100).optional() }),
 *   body: z.object({ text: z.string().min(1) }),
 *   events: {
 *     hit: z.object({ id: z.string(), score: z.number() }),
 *     progress: z.object({ percent: z.number() }),
 *     end: z.object({ total: z.number() }),
 *   },
 *   invalid: 'emit', // deliver bad payloads as SseInvalidEvent instead of failing
 *   completeOn: (event) => event.event === 'end',
 *   share: { gracePeriod: 2000 }, // equal calls share one connection
 * });
 * ```
 * @category Endpoints
 */
export interface SseEndpointConfig<
  Path extends string,
  Events extends SseEventMap,
  Query extends StandardSchema | undefined,
  Body extends StandardSchema | undefined,
  Invalid extends SseInvalidPolicy | undefined,
> extends SseConnectionOptions {
  /** The path, with `:name` segments for path parameters, e.g. `/rooms/:roomId/events`. */
  readonly path: Path;
  /**
   * HTTP method.
   * @defaultValue `'POST'` when a `body` schema is given, else `'GET'`
   */
  readonly method?: string;
  /**
   * Schema of the query string. The call's `query` is validated before connecting and its output
   * serialised (arrays repeat the key, `undefined` is left out).
   * @defaultValue no query
   */
  readonly query?: Query;
  /**
   * Schema of the request body. The call's `body` is validated before connecting and its output
   * sent as JSON.
   * @defaultValue no body
   */
  readonly body?: Body;
  /** Event name → schema of its `data`. */
  readonly events: Events;
  /**
   * What to do with invalid payloads (see {@link SseInvalidPolicy}). Overrides the client's.
   * @defaultValue the client's, which defaults to `'error'`
   */
  readonly invalid?: Invalid;
  /**
   * Ends the stream after delivering a matching event (no reconnect): an event name, several, or a
   * predicate on the validated event. For finite streams such as an LLM answer.
   * @defaultValue never
   */
  readonly completeOn?:
    | (keyof Events & string)
    | readonly (keyof Events & string)[]
    | CompletePredicate<SseEventUnion<Events>>;
  /**
   * Share one connection between the subscribers of the same call (same endpoint, params, query
   * and body). See {@link SseSharing}.
   * @defaultValue false: cold, one connection per subscriber
   */
  readonly share?: boolean | SseSharing;
}

/**
 * An endpoint description, as returned by {@link defineEndpoint}.
 *
 * @category Endpoints
 */
export interface SseEndpoint<
  Path extends string = string,
  Events extends SseEventMap = SseEventMap,
  Query extends StandardSchema | undefined = StandardSchema | undefined,
  Body extends StandardSchema | undefined = StandardSchema | undefined,
  Invalid extends SseInvalidPolicy | undefined = SseInvalidPolicy | undefined,
> extends SseEndpointConfig<Path, Events, Query, Body, Invalid> {
  /** Marks the object as an endpoint description. */
  readonly kind: 'sse-endpoint';
}

/**
 * What every endpoint description has in common: the constraint of `createSseClient`'s
 * `endpoints`, whatever their events.
 *
 * @category Endpoints
 */
export interface AnySseEndpoint extends SseConnectionOptions {
  /** Marks the object as an endpoint description. */
  readonly kind: 'sse-endpoint';
  /** See {@link SseEndpointConfig.path}. */
  readonly path: string;
  /** See {@link SseEndpointConfig.method}. */
  readonly method?: string;
  /** See {@link SseEndpointConfig.query}. */
  readonly query?: StandardSchema | undefined;
  /** See {@link SseEndpointConfig.body}. */
  readonly body?: StandardSchema | undefined;
  /** See {@link SseEndpointConfig.events}. */
  readonly events: SseEventMap;
  /** See {@link SseEndpointConfig.invalid}. */
  readonly invalid?: SseInvalidPolicy | undefined;
  /** See {@link SseEndpointConfig.completeOn}. */
  readonly completeOn?: unknown;
  /** See {@link SseEndpointConfig.share}. */
  readonly share?: boolean | SseSharing;
}

/**
 * Options of one call, besides `params`, `query` and `body`.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { createSseClient, defineEndpoint, type SseConnectionState } from 'rx-sse';
 *
 * const api = createSseClient({
 *   endpoints: {
 *     room: defineEndpoint({
 *       path: '/rooms/:roomId/events',
 *       events: { message: z.object({ text: z.string() }) },
 *     }),
 *   },
 * });
 *
 * const leave = new AbortController();
 * api
 *   .room({
 *     params: { roomId: 7 },
 *     signal: leave.signal, // aborting closes the connection and completes
 *     state: (state: SseConnectionState) => console.log(state.status),
 *     lastEventId: sessionStorage.getItem('room-7') ?? '', // resume after a page reload
 *     headers: { 'x-request-id': crypto.randomUUID() },
 *   })
 *   .subscribe((event) => sessionStorage.setItem('room-7', event.lastEventId));
 * ```
 * @category Endpoints
 */
export interface SseCallOptions {
  /**
   * Closes the connection and completes the Observable when aborted.
   * @defaultValue none
   */
  readonly signal?: AbortSignal;
  /**
   * Receives this call's connection states (a function or a `Subject`).
   * @defaultValue none
   */
  readonly state?: SseStateObserver;
  /**
   * Sent as `last-event-id` on the first connection, to resume. On a shared endpoint only the
   * call that opens the connection sends it.
   * @defaultValue `''` (no header)
   */
  readonly lastEventId?: string;
  /**
   * Extra headers for this call (merged over the client's and endpoint's). On a shared endpoint
   * only the call that opens the connection sends them: give `share.key` when calls differ in
   * what they send (e.g. per-user authorization).
   * @defaultValue none
   */
  readonly headers?: Resolvable<SseHeaders>;
}

type Simplify<T> = { [K in keyof T]: T[K] };

type ParamsArg<Path extends string> = [PathParamNames<Path>] extends [never]
  ? unknown
  : { readonly params: { readonly [Name in PathParamNames<Path>]: string | number } };

type QueryArg<Query> = [Query] extends [never]
  ? unknown
  : [Query] extends [StandardSchema]
    ? Partial<InferInput<Query>> extends InferInput<Query>
      ? { readonly query?: InferInput<Query> }
      : { readonly query: InferInput<Query> }
    : unknown;

type BodyArg<Body> = [Body] extends [never]
  ? unknown
  : [Body] extends [StandardSchema]
    ? undefined extends InferInput<Body>
      ? { readonly body?: InferInput<Body> }
      : { readonly body: InferInput<Body> }
    : unknown;

/**
 * The argument of an endpoint call: `params` (required when the path has any), `query`, `body`,
 * plus {@link SseCallOptions}.
 *
 * @category Endpoints
 */
export type SseCallArgs<E extends AnySseEndpoint> = Simplify<
  ParamsArg<E['path']> &
    QueryArg<Exclude<E['query'], undefined>> &
    BodyArg<Exclude<E['body'], undefined>> &
    SseCallOptions
>;

/**
 * The events an endpoint call emits: the validated union, plus {@link SseInvalidEvent} when the
 * invalid policy in effect is `'emit'`.
 *
 * @category Endpoints
 */
export type SseEndpointEvent<
  E extends AnySseEndpoint,
  ClientInvalid extends SseInvalidPolicy | undefined = undefined,
> =
  | SseEventUnion<E['events']>
  | ((
      [Exclude<E['invalid'], undefined>] extends [never]
        ? ClientInvalid
        : Exclude<E['invalid'], undefined>
    ) extends 'emit'
      ? SseInvalidEvent
      : never);

/**
 * Describes an SSE endpoint: its path (with `:params`), method, query and body schemas, and one
 * schema per event name. Pass it to {@link createSseClient}, which turns it into a function
 * returning a cold, typed Observable. Everything is inferred: write no generics.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { defineEndpoint } from 'rx-sse';
 *
 * export const room = defineEndpoint({
 *   path: '/rooms/:roomId/events',
 *   query: z.object({ since: z.string().optional() }),
 *   events: {
 *     message: z.object({ id: z.string(), user: z.string(), text: z.string() }),
 *     typing: z.object({ user: z.string() }),
 *     presence: z.object({ online: z.number().int() }),
 *   },
 * });
 *
 * export const ask = defineEndpoint({
 *   path: '/ask',
 *   method: 'POST',
 *   body: z.object({ q: z.string() }),
 *   events: {
 *     token: { schema: z.string(), decode: 'text' },
 *     done: z.object({ usage: z.number() }),
 *   },
 *   completeOn: 'done',
 * });
 * ```
 * @category Endpoints
 */
export function defineEndpoint<
  const Path extends string,
  const Events extends SseEventMap,
  Query extends StandardSchema | undefined = undefined,
  Body extends StandardSchema | undefined = undefined,
  Invalid extends SseInvalidPolicy | undefined = undefined,
>(
  config: SseEndpointConfig<Path, Events, Query, Body, Invalid>,
): SseEndpoint<Path, Events, NoInfer<Query>, NoInfer<Body>, NoInfer<Invalid>> {
  return { ...config, kind: 'sse-endpoint' };
}
