/**
 * Connection states and errors as plain data, so they cross a `BroadcastChannel` (structured
 * clone keeps neither an error's class nor its fields) and come back as the same rx-sse classes.
 *
 * @internal
 * @module
 */
import {
  SseClosedError,
  SseBufferOverflowError,
  SseContentTypeError,
  SseEventTooLargeError,
  SseHttpError,
  SseIdleTimeoutError,
  SseNetworkError,
  SseUnknownEventError,
  SseValidationError,
  isSseError,
  type SseErrorCode,
} from '../errors.js';
import type { SseConnectionState } from '../types.js';

/** An error as data: its name, message, cause, and for an rx-sse error its `code` and fields. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly cause?: WireError;
}

/** A connection state as data: `error` (of `reconnecting` and `closed`) as a {@link WireError}. */
export type WireState =
  | Exclude<SseConnectionState, { readonly error?: unknown }>
  | { readonly status: 'reconnecting'; attempt: number; delay: number; error: WireError }
  | { readonly status: 'closed'; readonly error?: WireError };

const CLASSES: Readonly<Record<SseErrorCode, abstract new (...args: never[]) => Error>> = {
  http: SseHttpError,
  'content-type': SseContentTypeError,
  network: SseNetworkError,
  closed: SseClosedError,
  'idle-timeout': SseIdleTimeoutError,
  'event-too-large': SseEventTooLargeError,
  validation: SseValidationError,
  'unknown-event': SseUnknownEventError,
  'buffer-overflow': SseBufferOverflowError,
};

/** A copy that survives structured clone: symbols become text, functions are left out. */
function cloneable(value: unknown): unknown {
  if (typeof value === 'symbol') return String(value);
  if (typeof value === 'function') return undefined;
  if (Array.isArray(value)) return value.map(cloneable);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = cloneable(item);
  return copy;
}

/** Any thrown value as data. */
export function errorToWire(error: unknown, depth = 0): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  return {
    name: error.name,
    message: error.message,
    // An rx-sse error's fields (`code`, `status`, `issues`…) are its own enumerable properties.
    ...(isSseError(error) ? { fields: cloneable({ ...error }) as Record<string, unknown> } : {}),
    ...(depth < 2 && error.cause !== undefined
      ? { cause: errorToWire(error.cause, depth + 1) }
      : {}),
  };
}

/** The error `wire` describes: the same class, message, fields and cause. */
export function errorFromWire(wire: WireError): Error {
  const cause = wire.cause === undefined ? {} : { cause: errorFromWire(wire.cause) };
  const code = wire.fields?.['code'] as SseErrorCode | undefined;
  // A real Error (with a stack) whose prototype is the rx-sse class, fields copied over.
  const error = Reflect.construct(
    Error,
    [wire.message, cause],
    (code === undefined ? undefined : CLASSES[code]) ?? Error,
  ) as Error;
  error.name = wire.name;
  return Object.assign(error, wire.fields);
}

/** A connection state as data. */
export function stateToWire(state: SseConnectionState): WireState {
  return 'error' in state && state.error !== undefined
    ? { ...state, error: errorToWire(state.error) }
    : (state as WireState);
}

/** The connection state `wire` describes, errors rebuilt. */
export function stateFromWire(wire: WireState): SseConnectionState {
  return 'error' in wire && wire.error !== undefined
    ? { ...wire, error: errorFromWire(wire.error) }
    : wire;
}
