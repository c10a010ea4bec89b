/**
 * `createSseClient`: one typed, cold Observable per endpoint.
 *
 * @module
 */
import {
  BehaviorSubject,
  Observable,
  catchError,
  defer,
  finalize,
  from,
  identity,
  switchMap,
  tap,
  throwError,
  type OperatorFunction,
} from 'rxjs';
import { SseValidationError, type SseIssue } from '../errors.js';
import { fromSse } from '../from-sse.js';
import { completeAfter, type CompleteOn } from '../internal/complete-after.js';
import { stateReporter } from '../internal/report.js';
import { stableKey, toText } from '../internal/stable-key.js';
import {
  DEFAULT_CONNECTION_BUDGET,
  connectionBudget,
  limitsConnections,
  originOf,
  type BudgetedConnection,
} from '../share/budget.js';
import { browserTabs, crossTabName, crossTabStream } from '../share/cross-tab.js';
import { shareLingering } from '../share/linger.js';
import type { SseSharing } from '../share/share-sse.js';
import { isResendable } from '../retry/reconnect.js';
import { resolveHeaders } from '../transport/request.js';
import type { SseConnectionState, SseMessage } from '../types.js';
import { decodeEvents, validate, type DecodePolicies } from './decode.js';
import type {
  SseCallArgs,
  SseCallOptions,
  SseConnectionOptions,
  AnySseEndpoint,
  SseEndpointEvent,
  SseInvalidPolicy,
  TypedSseEvent,
  SseInvalidEvent,
} from './endpoint.js';
import { fillPath } from './path.js';
import type { StandardSchema } from './standard-schema.js';

/**
 * Options of {@link createSseClient}: connection settings and policies for every endpoint (each
 * endpoint may override them), and the endpoints.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { createSseClient, defineEndpoint } from 'rx-sse';
 *
 * declare const session: { token(): string };
 *
 * const api = createSseClient({
 *   baseUrl: 'https://api.example.com/v1',
 *   headers: () => ({ authorization: `Bearer ${session.token()}` }), // called per attempt
 *   credentials: 'include',
 *   retry: { maxDelay: 15_000 },
 *   invalid: 'skip', // drop events that fail their schema instead of erroring…
 *   onInvalid: (error) => console.warn(error.message), // …and report them
 *   endpoints: {
 *     prices: defineEndpoint({
 *       path: '/prices',
 *       events: { price: z.object({ symbol: z.string(), value: z.number() }) },
 *     }),
 *   },
 * });
 *
 * api.prices().subscribe(({ data }) => console.log(data.symbol, data.value));
 * ```
 * @category Client
 */
export interface SseClientConfig<
  Endpoints extends Readonly<Record<string, AnySseEndpoint>>,
  Invalid extends SseInvalidPolicy | undefined = undefined,
> extends SseConnectionOptions {
  /** The endpoints, by name: each becomes a method of the client. */
  readonly endpoints: Endpoints;
  /**
   * What to do with invalid payloads (see {@link SseInvalidPolicy}), unless an endpoint says
   * otherwise.
   * @defaultValue `'error'`
   */
  readonly invalid?: Invalid;
  /**
   * How many SSE connections this tab keeps open per origin. Over HTTP/1.1 a browser opens at
   * most six per origin and queues every further request, API calls included, with no error.
   * When a new stream would exceed the budget, shared connections kept open only by their grace
   * period (see {@link SseSharing.gracePeriod}) are closed first, the one idle longest first;
   * connections somebody is subscribed to are never closed (the budget may then be exceeded).
   * Connections of every client in the tab count together.
   *
   * The budget is lifted for an origin known to speak HTTP/2 or HTTP/3 (an earlier request to it
   * reported so in its resource timing, `nextHopProtocol`): streams then share one connection.
   * @defaultValue `4` in browsers (the six of HTTP/1.1 minus room for other requests); no limit
   * in Node and other runtimes without a per-origin limit
   */
  readonly connectionBudget?: number;
}

/**
 * One endpoint as a client method: takes the call's arguments (optional when nothing is required)
 * and returns a cold Observable of the endpoint's events.
 *
 * @category Client
 */
export type SseEndpointCall<
  E extends AnySseEndpoint,
  ClientInvalid extends SseInvalidPolicy | undefined = undefined,
> =
  // `infer` makes editors show the resolved argument object and event union, not alias names.
  [Resolved<SseCallArgs<E>>, Distributed<SseEndpointEvent<E, ClientInvalid>>] extends [
    infer Args,
    infer Event,
  ]
    ? Partial<Args> extends Args
      ? (args?: Args) => Observable<Event>
      : (args: Args) => Observable<Event>
    : never;

/** Rebuilds an object type so that editors print its members instead of an alias name. */
type Resolved<T> = T extends unknown ? { [K in keyof T]: T[K] } : never;

/** Rebuilds a union member by member, for the same reason. */
type Distributed<T> = (T extends unknown ? [T] : never)[0];

/**
 * The client {@link createSseClient} returns: one method per endpoint.
 *
 * @category Client
 */
export type SseClient<
  Endpoints extends Readonly<Record<string, AnySseEndpoint>>,
  Invalid extends SseInvalidPolicy | undefined = undefined,
> = { readonly [Name in keyof Endpoints]: SseEndpointCall<Endpoints[Name], Invalid> };

type AnyCallArgs = SseCallOptions & {
  readonly params?: Readonly<Record<string, unknown>>;
  readonly query?: unknown;
  readonly body?: unknown;
};

type Decoded = TypedSseEvent | SseInvalidEvent;

/** A call whose arguments passed validation: what to request. */
interface PreparedCall {
  readonly url: string;
  readonly body: unknown;
}

function joinUrl(baseUrl: string | undefined, path: string): string {
  if (!baseUrl) return path;
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function queryString(value: unknown): string {
  if (value === undefined || value === null) return '';
  const search = new URLSearchParams();
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    for (const one of Array.isArray(item) ? (item as unknown[]) : [item]) {
      if (one === undefined || one === null) continue;
      search.append(key, toText(one));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function check(
  target: 'query' | 'body',
  schema: StandardSchema | undefined,
  value: unknown,
): Promise<unknown> {
  if (schema === undefined) return value;
  const result = await validate(schema, value);
  if (result.issues !== undefined) throw new SseValidationError({ target, issues: result.issues });
  return result.value;
}

/** Validates the call's arguments: the URL and body to send, or an SseValidationError. */
async function prepareCall(
  endpoint: AnySseEndpoint,
  baseUrl: string | undefined,
  args: AnyCallArgs,
): Promise<PreparedCall> {
  const { path, missing } = fillPath(endpoint.path, args.params);
  if (missing.length > 0) {
    const issues: SseIssue[] = missing.map((name) => ({
      message: `Missing path parameter "${name}"`,
      path: [name],
    }));
    throw new SseValidationError({ target: 'params', issues });
  }
  const [query, body] = await Promise.all([
    // An omitted query is an empty one: a schema whose fields are all optional accepts it.
    check('query', endpoint.query, args.query ?? {}),
    check('body', endpoint.body, args.body),
  ]);
  return { url: joinUrl(baseUrl, path) + queryString(query), body };
}

/** Completes the subscriber when `signal` aborts (at once if it already has). */
function untilAborted<T>(signal: AbortSignal | undefined): OperatorFunction<T, T> {
  if (signal === undefined) return identity;
  return (source) =>
    new Observable<T>((subscriber) => {
      if (signal.aborted) {
        subscriber.complete();
        return undefined;
      }
      const onAbort = (): void => subscriber.complete();
      signal.addEventListener('abort', onAbort);
      const subscription = source.subscribe(subscriber);
      return () => {
        signal.removeEventListener('abort', onAbort);
        subscription.unsubscribe();
      };
    });
}

interface SharedConnection {
  readonly events: Observable<Decoded>;
  readonly observers: Set<(state: SseConnectionState) => void>;
  last: SseConnectionState | undefined;
}

/** A connection that never waits out a grace period: counted, never evicted. */
const IN_USE: BudgetedConnection = { lingeringSince: () => undefined, evict: () => undefined };

/** `url` resolved against the page, so that tabs on different paths agree on it. */
function absoluteUrl(url: string): string {
  try {
    return new URL(url, (globalThis as { location?: { href: string } }).location?.href).href;
  } catch {
    return url;
  }
}

/** How one connection is opened. */
interface ConnectOptions {
  readonly signal?: AbortSignal | undefined;
  /** Resume after this id instead of the call's `lastEventId` (a cross-tab handover). */
  readonly lastEventId?: string | undefined;
  /** What the connection budget may evict. */
  readonly owner?: BudgetedConnection;
  /** The connection serves other tabs: `pauseWhenHidden` does not apply. */
  readonly acrossTabs?: boolean;
}

function endpointCall(
  name: string,
  endpoint: AnySseEndpoint,
  client: SseClientConfig<Readonly<Record<string, AnySseEndpoint>>, SseInvalidPolicy | undefined>,
): (args?: AnyCallArgs) => Observable<Decoded> {
  const policies: DecodePolicies = {
    decode: endpoint.decode ?? client.decode ?? 'json',
    invalid: endpoint.invalid ?? client.invalid ?? 'error',
    unknownEvents: endpoint.unknownEvents ?? client.unknownEvents ?? 'skip',
    onInvalid: endpoint.onInvalid ?? client.onInvalid,
  };
  const pick = <K extends keyof SseConnectionOptions>(key: K): SseConnectionOptions[K] =>
    endpoint[key] ?? client[key];
  const baseUrl = pick('baseUrl');
  // pauseWhenHidden and openWhenHidden are one switch: the endpoint's replaces the client's whole.
  const hidden = [endpoint, client].find(
    (layer) => layer.pauseWhenHidden !== undefined || layer.openWhenHidden !== undefined,
  );
  const method = endpoint.method ?? (endpoint.body === undefined ? undefined : 'POST');
  const until = completeAfter<Decoded>(
    endpoint.completeOn as CompleteOn<Decoded> | undefined,
    (event) => !('invalid' in event),
  );
  const budget =
    client.connectionBudget ?? (limitsConnections() ? DEFAULT_CONNECTION_BUDGET : Infinity);

  /** Validates the call's arguments; on failure reports `closed` and errors. */
  const prepare = (
    args: AnyCallArgs,
    report: (state: SseConnectionState) => void,
  ): Observable<PreparedCall> =>
    from(prepareCall(endpoint, baseUrl, args)).pipe(
      catchError((error: unknown) => {
        report({ status: 'closed', error });
        return throwError(() => error);
      }),
    );

  /** One connection for a prepared call: its raw messages, counted by the connection budget. */
  const connect = (
    call: PreparedCall,
    args: AnyCallArgs,
    report: (state: SseConnectionState) => void,
    options: ConnectOptions = {},
  ): Observable<SseMessage> => {
    const layers = [client.headers, endpoint.headers, args.headers].filter(
      (layer) => layer !== undefined,
    );
    const messages = fromSse(call.url, {
      ...(method === undefined ? {} : { method }),
      ...(call.body === undefined ? {} : { body: call.body as Record<string, unknown> }),
      ...(layers.length === 0 ? {} : { headers: () => resolveHeaders(layers) }),
      ...defined({
        credentials: pick('credentials'),
        fetch: pick('fetch'),
        onUnauthorized: pick('onUnauthorized'),
        dedupe: pick('dedupe'),
        idleTimeout: pick('idleTimeout'),
        maxEventSize: pick('maxEventSize'),
        pauseWhenHidden: options.acrossTabs === true ? undefined : hidden?.pauseWhenHidden,
        openWhenHidden: options.acrossTabs === true ? undefined : hidden?.openWhenHidden,
        onBytes: pick('onBytes'),
        onWarning: pick('onWarning'),
        idempotent: pick('idempotent'),
        retry: pick('retry'),
        lastEventId: options.lastEventId ?? args.lastEventId,
        signal: options.signal,
      }),
      state: report,
    });
    return new Observable<SseMessage>((subscriber) => {
      const done = connectionBudget().add(originOf(call.url), budget, options.owner ?? IN_USE);
      const subscription = messages.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        done();
      };
    });
  };

  /**
   * Decodes and validates the messages of `source`. A decoding error ends the stream below
   * the connection, whose teardown then reports `closed`: it must carry that error, like any
   * other failure.
   */
  const decoded = (
    source: (report: (state: SseConnectionState) => void) => Observable<SseMessage>,
    report: (state: SseConnectionState) => void,
  ): Observable<Decoded> =>
    defer(() => {
      let failure: { error: unknown } | undefined;
      return source((state) =>
        report(
          state.status === 'closed' && failure !== undefined
            ? { status: 'closed', error: failure.error }
            : state,
        ),
      ).pipe(
        decodeEvents(endpoint.events, policies) as OperatorFunction<SseMessage, Decoded>,
        tap({ error: (error: unknown) => (failure = { error }) }),
        until,
      );
    });

  const sharing: SseSharing | undefined =
    endpoint.share === true ? {} : endpoint.share === false ? undefined : endpoint.share;
  if (sharing === undefined) {
    return (args = {}) =>
      defer(() => {
        const report = stateReporter(args.state);
        return prepare(args, report).pipe(
          switchMap((call) =>
            decoded((r) => connect(call, args, r, { signal: args.signal }), report),
          ),
        );
      });
  }

  // Shared: one connection per key — by default the request itself (method, URL, body); across
  // tabs, the endpoint, the request and the app's key.
  // A handover connects again from another tab: only for requests that may be sent again (a POST
  // answer is never re-sent on its own), so a non-idempotent endpoint shares within its tab.
  const resendable = pick('idempotent') ?? isResendable(method ?? 'GET');
  const tabs = sharing.crossTab === true && resendable ? browserTabs() : undefined;
  const connections = new Map<string, SharedConnection>();
  const keyOf = (args: AnyCallArgs, call: PreparedCall): string => {
    const { key } = sharing;
    const chosen =
      typeof key === 'function'
        ? key(args as Readonly<Record<string, unknown>>)
        : typeof key === 'string'
          ? key
          : undefined;
    if (sharing.crossTab === true) {
      const request = [name, method ?? 'GET', absoluteUrl(call.url), stableKey(call.body)];
      return JSON.stringify(chosen === undefined ? request : [...request, chosen]);
    }
    return chosen ?? `${method ?? 'GET'} ${call.url} ${stableKey(call.body)}`;
  };
  const connectionFor = (key: string, call: PreparedCall, args: AnyCallArgs): SharedConnection => {
    const existing = connections.get(key);
    if (existing !== undefined) return existing;
    let lingering: { readonly since: number; readonly evict: () => void } | undefined;
    const idle = new BehaviorSubject(false);
    const owner: BudgetedConnection = {
      lingeringSince: () => lingering?.since,
      evict: () => lingering?.evict(),
    };
    const messages = (report: (state: SseConnectionState) => void): Observable<SseMessage> =>
      tabs === undefined
        ? connect(call, args, report, { owner })
        : crossTabStream({
            name: crossTabName(key),
            tabs,
            replay: sharing.replay ?? 0,
            report,
            lingering: idle,
            connect: (lastEventId, holderReport) =>
              connect(call, args, holderReport, { owner, lastEventId, acrossTabs: true }),
          });
    const observers = new Set<(state: SseConnectionState) => void>();
    const created: SharedConnection = {
      observers,
      last: undefined,
      events: decoded(messages, (state) => {
        created.last = state;
        for (const observer of observers) observer(state);
      }).pipe(
        finalize(() => {
          if (connections.get(key) === created) connections.delete(key);
        }),
        shareLingering<Decoded>(sharing, {
          linger: (evict) => {
            lingering = { since: Date.now(), evict };
            idle.next(true);
          },
          resume: () => {
            lingering = undefined;
            idle.next(false);
          },
        }),
      ),
    };
    connections.set(key, created);
    return created;
  };
  return (args = {}) =>
    defer(() => {
      const report = stateReporter(args.state);
      return prepare(args, report).pipe(
        switchMap((call) => {
          const connection = connectionFor(keyOf(args, call), call, args);
          // This call's view of the shared connection: it ends with `closed` when the call
          // leaves, even though the connection may live on for others (or its grace period).
          let seen: SseConnectionState | undefined;
          const observe = (state: SseConnectionState): void => {
            seen = state;
            report(state);
          };
          if (connection.last !== undefined) observe(connection.last);
          connection.observers.add(observe);
          return connection.events.pipe(
            untilAborted(args.signal),
            finalize(() => {
              connection.observers.delete(observe);
              if (seen?.status !== 'closed') report({ status: 'closed' });
            }),
          );
        }),
      );
    });
}

/** Keeps the entries whose value is defined (for `exactOptionalPropertyTypes`). */
function defined<T extends Record<string, unknown>>(
  record: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/**
 * Creates a client from endpoint descriptions: every endpoint becomes a method returning a **cold**
 * Observable of its events, typed as a union discriminated by `event` and validated against the
 * endpoint's schemas (any Standard Schema validator; zod 4 is the documented choice).
 *
 * Path parameters, query and body are checked before connecting: a bad argument errors the
 * Observable with {@link SseValidationError} and no request is made. Client-level `baseUrl`,
 * `headers`, `fetch`, `credentials`, `retry` and the policies apply to every endpoint unless the
 * endpoint overrides them. Under the hood every call is a {@link fromSse} stream: retry, resume,
 * idle watchdog and teardown all apply.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { createSseClient, defineEndpoint, ofEvent } from 'rx-sse';
 *
 * declare const auth: { token(): Promise<string> };
 * declare function render(text: string): void;
 *
 * const api = createSseClient({
 *   baseUrl: 'https://api.example.com',
 *   headers: async () => ({ authorization: `Bearer ${await auth.token()}` }),
 *   endpoints: {
 *     room: defineEndpoint({
 *       path: '/rooms/:roomId/events',
 *       query: z.object({ since: z.string().optional() }),
 *       events: {
 *         message: z.object({ id: z.string(), user: z.string(), text: z.string() }),
 *         typing: z.object({ user: z.string() }),
 *         presence: z.object({ online: z.number().int() }),
 *       },
 *     }),
 *     ask: defineEndpoint({
 *       path: '/ask',
 *       method: 'POST',
 *       body: z.object({ q: z.string() }),
 *       events: { token: { schema: z.string(), decode: 'text' }, done: z.object({ usage: z.number() }) },
 *       completeOn: 'done',
 *     }),
 *   },
 * });
 *
 * api.room({ params: { roomId: '42' } })
 *   .pipe(ofEvent('message'))
 *   .subscribe(({ data }) => render(data.text));
 *
 * api.ask({ body: { q: 'What is SSE?' } }).subscribe((event) => {
 *   if (event.event === 'token') render(event.data);
 *   else console.log('tokens used:', event.data.usage);
 * });
 * ```
 * @category Client
 */
export function createSseClient<
  const Endpoints extends Readonly<Record<string, AnySseEndpoint>>,
  Invalid extends SseInvalidPolicy | undefined = undefined,
>(config: SseClientConfig<Endpoints, Invalid>): SseClient<Endpoints, Invalid> {
  const client: Record<string, (args?: AnyCallArgs) => Observable<Decoded>> = {};
  for (const [name, endpoint] of Object.entries(config.endpoints)) {
    client[name] = endpointCall(name, endpoint, config);
  }
  return client as unknown as SseClient<Endpoints, Invalid>;
}
