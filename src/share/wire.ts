/**
 * Connection states and errors as plain data, so they cross a `BroadcastChannel` (structured
 * clone keeps neither an error's class nor its fields) and come back as the same rx-sse classes.
 *
 * @internal
 * @module
 */
import {
  SseClosedError,
  SseContentTypeError,
  SseEventTooLargeError,
  SseHttpError,
  SseIdleTimeoutError,
  SseNetworkError,
  SseUnknownEventError,
  SseValidationError,
  isSseError,
  type SseIssue,
} from '../errors.js';
import type { SseConnectionState } from '../types.js';

/** An error as data: its name, message, `code` when it is an rx-sse error, and its fields. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly cause?: WireError;
}

/** A connection state as data: `error` (of `reconnecting` and `closed`) as a {@link WireError}. */
export type WireState =
  | Exclude<SseConnectionState, { readonly error?: unknown }>
  | { readonly status: 'reconnecting'; attempt: number; delay: number; error: WireError }
  | { readonly status: 'closed'; readonly error?: WireError };

/** The fields each rx-sse error is rebuilt from (besides its message). */
const FIELDS: Readonly<Record<string, readonly string[]>> = {
  http: ['status', 'statusText', 'headers', 'body', 'url', 'retryAfter'],
  'content-type': ['contentType', 'status', 'url'],
  network: ['phase', 'url'],
  closed: ['url'],
  'idle-timeout': ['timeout', 'url'],
  'event-too-large': ['limit', 'size', 'url'],
  validation: ['target', 'issues', 'event', 'id', 'raw'],
  'unknown-event': ['event', 'known', 'id'],
};

/** Issues with their symbol path segments as strings (symbols cannot be cloned). */
function plainIssues(issues: readonly SseIssue[]): SseIssue[] {
  const key = (k: PropertyKey): PropertyKey => (typeof k === 'symbol' ? String(k) : k);
  return issues.map((issue) => ({
    message: issue.message,
    ...(issue.path === undefined
      ? {}
      : {
          path: issue.path.map((segment) =>
            typeof segment === 'object' ? { key: key(segment.key) } : key(segment),
          ),
        }),
  }));
}

/** Any thrown value as data. */
export function errorToWire(error: unknown, depth = 0): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const cause =
    depth < 2 && error.cause !== undefined ? { cause: errorToWire(error.cause, depth + 1) } : {};
  if (!isSseError(error)) return { name: error.name, message: error.message, ...cause };
  const fields: Record<string, unknown> = {};
  const source = error as unknown as Record<string, unknown>;
  for (const field of FIELDS[error.code] ?? []) fields[field] = source[field];
  if (error.code === 'validation') fields['issues'] = plainIssues(error.issues);
  return { name: error.name, message: error.message, code: error.code, fields, ...cause };
}

/** Builds the rx-sse error of `code` from its fields. */
function build(code: string, f: Record<string, unknown>, cause: unknown): Error | undefined {
  const s = (key: string): string => String(f[key] ?? '');
  const n = (key: string): number => Number(f[key] ?? 0);
  const optional = (key: string): string | undefined =>
    f[key] === undefined ? undefined : String(f[key]);
  switch (code) {
    case 'http':
      return new SseHttpError({
        status: n('status'),
        statusText: s('statusText'),
        headers: (f['headers'] ?? {}) as Record<string, string>,
        body: s('body'),
        url: s('url'),
        method: 'GET',
        retryAfter: f['retryAfter'] === undefined ? undefined : n('retryAfter'),
      });
    case 'content-type':
      return new SseContentTypeError({
        contentType: f['contentType'] === null ? null : s('contentType'),
        status: n('status'),
        url: s('url'),
      });
    case 'network':
      return new SseNetworkError({
        phase: f['phase'] === 'read' ? 'read' : 'connect',
        url: s('url'),
        cause,
      });
    case 'closed':
      return new SseClosedError({ url: s('url') });
    case 'idle-timeout':
      return new SseIdleTimeoutError({ timeout: n('timeout'), url: s('url') });
    case 'event-too-large':
      return new SseEventTooLargeError({ limit: n('limit'), size: n('size'), url: s('url') });
    case 'validation':
      return new SseValidationError({
        target: f['target'] as 'data',
        issues: (f['issues'] ?? []) as SseIssue[],
        event: optional('event'),
        id: optional('id'),
        raw: optional('raw'),
        cause,
      });
    case 'unknown-event':
      return new SseUnknownEventError({
        event: s('event'),
        known: (f['known'] ?? []) as string[],
        id: optional('id'),
      });
    default:
      return undefined;
  }
}

/** The error `wire` describes: the same rx-sse class with the same fields and message. */
export function errorFromWire(wire: WireError): Error {
  const cause = wire.cause === undefined ? undefined : errorFromWire(wire.cause);
  const rebuilt = wire.code === undefined ? undefined : build(wire.code, { ...wire.fields }, cause);
  const error = rebuilt ?? new Error(wire.message, cause === undefined ? undefined : { cause });
  if (rebuilt === undefined) error.name = wire.name;
  // The holder's message, word for word (e.g. the method in an SseHttpError's message).
  Object.defineProperty(error, 'message', {
    value: wire.message,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  return error;
}

/** A connection state as data. */
export function stateToWire(state: SseConnectionState): WireState {
  if (state.status === 'reconnecting') return { ...state, error: errorToWire(state.error) };
  if (state.status === 'closed') {
    return state.error === undefined
      ? { status: 'closed' }
      : { status: 'closed', error: errorToWire(state.error) };
  }
  return { ...state };
}

/** The connection state `wire` describes, errors rebuilt. */
export function stateFromWire(wire: WireState): SseConnectionState {
  if (wire.status === 'reconnecting') return { ...wire, error: errorFromWire(wire.error) };
  if (wire.status === 'closed') {
    return wire.error === undefined
      ? { status: 'closed' }
      : { status: 'closed', error: errorFromWire(wire.error) };
  }
  return { ...wire };
}
