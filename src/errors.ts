/**
 * The errors rx-sse delivers to subscribers. Every failure of the transport, the server or a payload
 * reaches you as one of these classes, normalised in one place (see `normalizeError`), with the data
 * you need to act on it as fields.
 *
 * @module
 */

/**
 * Discriminant of every {@link SseError}. Switch on `error.code`, or narrow with {@link isSseError}.
 *
 * @category Errors
 */
export type SseErrorCode =
  | 'http'
  | 'content-type'
  | 'network'
  | 'closed'
  | 'idle-timeout'
  | 'event-too-large'
  | 'validation'
  | 'unknown-event'
  | 'buffer-overflow';

/**
 * One issue reported by a schema, in the Standard Schema shape (zod, valibot and arktype all
 * produce it).
 *
 * @category Errors
 */
export interface SseIssue {
  /** What is wrong, in the validator's words. */
  readonly message: string;
  /** Where in the value it is wrong, when the validator says. */
  readonly path?:
    | ReadonlyArray<
        | PropertyKey
        | {
            /** The property name or array index of this path segment. */
            readonly key: PropertyKey;
          }
      >
    | undefined;
}

/**
 * Base class of every error rx-sse produces. Never thrown directly: look at {@link SseError.code}
 * or the subclass.
 *
 * @example
 * ```ts
 * import { fromSse, isSseError } from 'rx-sse';
 *
 * fromSse('/feed').subscribe({
 *   error: (error) => {
 *     if (isSseError(error, 'http') && error.status === 401) location.assign('/login');
 *   },
 * });
 * ```
 * @category Errors
 */
export abstract class SseError extends Error {
  /** Which kind of failure this is. */
  abstract readonly code: SseErrorCode;
}

/**
 * The server answered with a status other than 2xx. 204 is not an error: it ends the stream (the
 * server's way of saying "no more events", as in the EventSource spec).
 *
 * @category Errors
 */
export class SseHttpError extends SseError {
  /** Always `'SseHttpError'`. */
  override readonly name = 'SseHttpError';
  readonly code = 'http';
  /** The HTTP status, e.g. 401. */
  readonly status: number;
  /** The status text the server sent, possibly empty. */
  readonly statusText: string;
  /** The response headers, lower-cased. `set-cookie` is redacted. */
  readonly headers: Readonly<Record<string, string>>;
  /** The start of the response body (at most 2 KiB, decoded as UTF-8), for diagnostics. */
  readonly body: string;
  /** The request URL, with credentials and secret-looking query parameters redacted. */
  readonly url: string;
  /**
   * How long the server asked us to wait before trying again, in milliseconds, from `retry-after-ms`
   * or `Retry-After` (seconds or an HTTP date). `undefined` when it did not say.
   */
  readonly retryAfter: number | undefined;

  /** @internal */
  constructor(init: {
    status: number;
    statusText: string;
    headers: Record<string, string>;
    body: string;
    url: string;
    method: string;
    retryAfter: number | undefined;
  }) {
    super(
      `HTTP ${init.status}${init.statusText ? ` ${init.statusText}` : ''} from ${init.method} ${init.url}`,
    );
    this.status = init.status;
    this.statusText = init.statusText;
    this.headers = init.headers;
    this.body = init.body;
    this.url = init.url;
    this.retryAfter = init.retryAfter;
  }
}

/**
 * The response was 2xx but not `text/event-stream` (compared case-insensitively, parameters such as
 * `charset` allowed). Typical causes: a login page served by a proxy, a JSON error body, a wrong URL.
 *
 * @category Errors
 */
export class SseContentTypeError extends SseError {
  /** Always `'SseContentTypeError'`. */
  override readonly name = 'SseContentTypeError';
  readonly code = 'content-type';
  /** The `content-type` the server sent, or `null` when it sent none. */
  readonly contentType: string | null;
  /** The HTTP status of the response. */
  readonly status: number;
  /** The request URL, redacted like {@link SseHttpError.url}. */
  readonly url: string;

  /** @internal */
  constructor(init: { contentType: string | null; status: number; url: string }) {
    super(
      `Expected content-type text/event-stream from ${init.url}, got ${init.contentType ?? 'none'}`,
    );
    this.contentType = init.contentType;
    this.status = init.status;
    this.url = init.url;
  }
}

/**
 * The connection failed: DNS, refused, reset, TLS, or the body stopped with an error mid-stream.
 * `cause` holds what `fetch` threw.
 *
 * @category Errors
 */
export class SseNetworkError extends SseError {
  /** Always `'SseNetworkError'`. */
  override readonly name = 'SseNetworkError';
  readonly code = 'network';
  /** `'connect'` when no response arrived, `'read'` when the body failed after the response. */
  readonly phase: 'connect' | 'read';
  /** The request URL, redacted like {@link SseHttpError.url}. */
  readonly url: string;

  /** @internal */
  constructor(init: { phase: 'connect' | 'read'; url: string; cause: unknown }) {
    const reason = init.cause instanceof Error ? init.cause.message : String(init.cause);
    super(
      `${init.phase === 'connect' ? 'Could not connect to' : 'Connection lost while reading'} ${init.url}: ${reason}`,
      { cause: init.cause },
    );
    this.phase = init.phase;
    this.url = init.url;
  }
}

/**
 * The server ended the stream cleanly. With retry on (the default) this is what a reconnect
 * follows, and you only see it when the retry budget ran out.
 *
 * @category Errors
 */
export class SseClosedError extends SseError {
  /** Always `'SseClosedError'`. */
  override readonly name = 'SseClosedError';
  readonly code = 'closed';
  /** The request URL, redacted like {@link SseHttpError.url}. */
  readonly url: string;

  /** @internal */
  constructor(init: { url: string }) {
    super(`The server closed the stream ${init.url}`);
    this.url = init.url;
  }
}

/**
 * No byte at all (heartbeat comments count) arrived for `idleTimeout` milliseconds, so the
 * connection was presumed dead and closed.
 *
 * @category Errors
 */
export class SseIdleTimeoutError extends SseError {
  /** Always `'SseIdleTimeoutError'`. */
  override readonly name = 'SseIdleTimeoutError';
  readonly code = 'idle-timeout';
  /** The `idleTimeout` that elapsed, in milliseconds. */
  readonly timeout: number;
  /** The request URL, redacted like {@link SseHttpError.url}. */
  readonly url: string;

  /** @internal */
  constructor(init: { timeout: number; url: string }) {
    super(`No data from ${init.url} for ${init.timeout} ms`);
    this.timeout = init.timeout;
    this.url = init.url;
  }
}

/**
 * A line or an event grew past `maxEventSize` bytes. The connection is closed at that point, so a
 * server sending an endless line cannot make the client buffer without bound.
 *
 * @category Errors
 */
export class SseEventTooLargeError extends SseError {
  /** Always `'SseEventTooLargeError'`. */
  override readonly name = 'SseEventTooLargeError';
  readonly code = 'event-too-large';
  /** The configured `maxEventSize`, in bytes. */
  readonly limit: number;
  /** How many bytes of the event had arrived when the limit was crossed. */
  readonly size: number;
  /** The request URL, redacted like {@link SseHttpError.url}. */
  readonly url: string;

  /** @internal */
  constructor(init: { limit: number; size: number; url: string }) {
    super(`An event from ${init.url} exceeded maxEventSize (${init.size} > ${init.limit} bytes)`);
    this.limit = init.limit;
    this.size = init.size;
    this.url = init.url;
  }
}

/**
 * A value did not match its schema: an event's payload (invalid JSON or a schema mismatch), or the
 * `params`, `query` or `body` you passed to an endpoint (then no request was made).
 *
 * @category Errors
 */
export class SseValidationError extends SseError {
  /** Always `'SseValidationError'`. */
  override readonly name = 'SseValidationError';
  readonly code = 'validation';
  /** What failed: an event's `data`, or one of the endpoint call's arguments. */
  readonly target: 'data' | 'params' | 'query' | 'body';
  /** The event name, when `target` is `'data'`. */
  readonly event: string | undefined;
  /** The event's own `id`, when it had one. */
  readonly id: string | undefined;
  /** The raw `data` as received, truncated to 1 KiB (only when `target` is `'data'`). */
  readonly raw: string | undefined;
  /** What the schema (or the JSON parser) reported. */
  readonly issues: readonly SseIssue[];

  /** @internal */
  constructor(init: {
    target: 'data' | 'params' | 'query' | 'body';
    issues: readonly SseIssue[];
    event?: string | undefined;
    id?: string | undefined;
    raw?: string | undefined;
    cause?: unknown;
  }) {
    const where =
      init.target === 'data'
        ? `event "${init.event ?? 'message'}"${init.id === undefined ? '' : ` (id ${init.id})`}`
        : init.target;
    const first = init.issues[0];
    const detail = first ? `: ${formatIssue(first)}` : '';
    const more = init.issues.length > 1 ? ` (+${init.issues.length - 1} more)` : '';
    super(
      `Invalid ${where}${detail}${more}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.target = init.target;
    this.event = init.event;
    this.id = init.id;
    this.raw = init.raw === undefined ? undefined : truncate(init.raw, 1024);
    this.issues = init.issues;
  }
}

/**
 * The stream sent an event name the endpoint does not declare, and the endpoint's
 * `unknownEvents` policy is `'error'`.
 *
 * @category Errors
 */
export class SseUnknownEventError extends SseError {
  /** Always `'SseUnknownEventError'`. */
  override readonly name = 'SseUnknownEventError';
  readonly code = 'unknown-event';
  /** The undeclared event name. */
  readonly event: string;
  /** The event names the endpoint declares. */
  readonly known: readonly string[];
  /** The event's own `id`, when it had one. */
  readonly id: string | undefined;

  /** @internal */
  constructor(init: { event: string; known: readonly string[]; id: string | undefined }) {
    super(`Unknown event "${init.event}" (expected one of: ${init.known.join(', ')})`);
    this.event = init.event;
    this.known = init.known;
    this.id = init.id;
  }
}

/**
 * Maps each {@link SseErrorCode} to its class, for {@link isSseError}.
 *
 * @category Errors
 */
export interface SseErrorByCode {
  /** A non-2xx response. */
  http: SseHttpError;
  /** A 2xx response that is not `text/event-stream`. */
  'content-type': SseContentTypeError;
  /** The connection failed or broke. */
  network: SseNetworkError;
  /** The server ended the stream (retried unless the budget ran out). */
  closed: SseClosedError;
  /** No bytes for `idleTimeout`. */
  'idle-timeout': SseIdleTimeoutError;
  /** A line or event exceeded `maxEventSize`. */
  'event-too-large': SseEventTooLargeError;
  /** A payload or a call argument failed its schema. */
  validation: SseValidationError;
  /** An event name the endpoint does not declare. */
  'unknown-event': SseUnknownEventError;
  /** A `for await` loop over {@link toAsyncIterable} fell more than `bufferSize` events behind. */
  'buffer-overflow': SseBufferOverflowError;
}

/**
 * The union of every rx-sse error class: `switch (error.code)` narrows it.
 *
 * @category Errors
 */
export type AnySseError = SseErrorByCode[SseErrorCode];

/**
 * Whether `value` is an rx-sse error, optionally of one kind. Works across bundles and realms
 * (it checks the `code`, not only the prototype chain).
 *
 * @example
 * ```ts
 * import { isSseError } from 'rx-sse';
 *
 * function describe(error: unknown): string {
 *   if (isSseError(error, 'http')) return `server said ${error.status}`;
 *   if (isSseError(error, 'validation')) return `bad ${error.event}: ${error.issues[0]?.message}`;
 *   if (isSseError(error)) return error.message;
 *   return 'unexpected error';
 * }
 * ```
 * @category Errors
 */
export function isSseError(value: unknown): value is AnySseError;
export function isSseError<C extends SseErrorCode>(
  value: unknown,
  code: C,
): value is SseErrorByCode[C];
export function isSseError(value: unknown, code?: SseErrorCode): boolean {
  if (value instanceof SseError) return code === undefined || value.code === code;
  if (!(value instanceof Error) || !value.name.startsWith('Sse')) return false;
  const actual = (value as { code?: unknown }).code;
  if (typeof actual !== 'string' || !(actual in ERROR_NAMES)) return false;
  return (
    ERROR_NAMES[actual as SseErrorCode] === value.name && (code === undefined || actual === code)
  );
}

const ERROR_NAMES: Record<SseErrorCode, string> = {
  http: 'SseHttpError',
  'content-type': 'SseContentTypeError',
  network: 'SseNetworkError',
  closed: 'SseClosedError',
  'idle-timeout': 'SseIdleTimeoutError',
  'event-too-large': 'SseEventTooLargeError',
  validation: 'SseValidationError',
  'unknown-event': 'SseUnknownEventError',
  'buffer-overflow': 'SseBufferOverflowError',
};

function formatIssue(issue: SseIssue): string {
  const path = issue.path
    ?.map((segment) => String(typeof segment === 'object' ? segment.key : segment))
    .join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

/**
 * A `for await` loop over {@link toAsyncIterable} fell behind: more than `bufferSize` events
 * arrived that the loop had not taken yet. The subscription (the connection) is closed when the
 * limit is crossed, so a flood cannot grow memory without bound; the loop still receives the
 * events buffered before that, in order, then throws this error. The event that did not fit and
 * everything after it are not delivered.
 *
 * @category Errors
 */
export class SseBufferOverflowError extends SseError {
  /** Always `'SseBufferOverflowError'`. */
  override readonly name = 'SseBufferOverflowError';
  readonly code = 'buffer-overflow';
  /** The `bufferSize` that was exceeded, in events. */
  readonly limit: number;

  /** @internal */
  constructor(init: { limit: number }) {
    super(
      `A for-await loop fell more than ${init.limit} events behind its stream (bufferSize); the stream was closed`,
    );
    this.limit = init.limit;
  }
}
