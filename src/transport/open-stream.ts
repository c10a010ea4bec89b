/**
 * One connection attempt over fetch-event-source: spec-correct messages to callbacks, then one
 * `onEnd`. Callbacks rather than an Observable: this is the per-event path, and the stream above
 * ({@link fromSse}) is the one Observable.
 *
 * fetch-event-source sends the request and checks it through our `fetch` wrapper; it parses
 * nothing, and it is done with an attempt as soon as the response is accepted (it is given a body
 * that has already ended, and no signal of ours, so it keeps nothing per open stream). Everything
 * it gets wrong is handled here, at its boundary:
 * - its retry is never used (`onerror` rethrows), so it cannot loop on a 401 or leak connections;
 * - status and content type are checked before anything is read (non-2xx → {@link SseHttpError},
 *   204 → completion, wrong type → {@link SseContentTypeError});
 * - the body is read here: bytes feed the idle watchdog and the {@link EventScanner}, which parses
 *   them by the WHATWG rules (heartbeats and id-only blocks are not messages, NUL ids are ignored,
 *   the last event ID carries forward, empty data lines survive); fetch-event-source is given a
 *   response whose body carries no bytes and ends or fails when the real one does;
 * - whatever it or `fetch` throws is normalised to an rx-sse error in {@link normalizeError}.
 *
 * @internal
 * @module
 */
import {
  SseContentTypeError,
  SseError,
  SseEventTooLargeError,
  SseHttpError,
  SseIdleTimeoutError,
  SseNetworkError,
} from '../errors.js';
import { responseHeaders, scrub, scrubError } from '../internal/redact.js';
import { inRootZone, untrackedTimeout, zoneBinder } from '../internal/timers.js';
import type { SseMessage } from '../types.js';
import { isEventStream } from './content-type.js';
import { EventScanner } from './event-scanner.js';
import { fetchEventSource } from './fetch-event-source.js';
import type { PreparedRequest } from './request.js';

/** What {@link openStream} needs for one attempt, and where it reports. */
export interface StreamOptions {
  readonly request: PreparedRequest;
  readonly fetch: typeof fetch;
  readonly maxEventSize: number;
  readonly idleTimeout: number | undefined;
  /** The last event ID carried over from earlier connections. */
  readonly lastEventId: string;
  /** The server accepted the stream. */
  readonly onOpen: () => void;
  /** An event arrived. */
  readonly onMessage: (message: SseMessage) => void;
  /**
   * The attempt is over: without an error when the server ended the stream (or answered 204, after
   * `onNoContent`), else with an rx-sse error. Never called after the attempt was aborted.
   */
  readonly onEnd: (error?: Error) => void;
  /** A valid `retry:` field arrived. */
  readonly onRetry: (ms: number) => void;
  /** A block without data (e.g. id-only) set the last event ID. */
  readonly onLastEventId: (id: string) => void;
  /** The server answered 204 No Content: the stream is over for good. */
  readonly onNoContent: () => void;
  /** Bytes of the body arrived. */
  readonly onBytes?: (count: number) => void;
  /** The platform's `fetch` refused the `last-event-id` header: the request was sent without it. */
  readonly onLastEventIdOmitted?: (id: string) => void;
}

/** Whether `value` has a control character other than tab, which some `fetch`es refuse in a header. */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

/** Thrown inside the transport to stop it on a 204; never reaches a subscriber. */
class NoContent extends Error {}

/** How much of an error response's body we keep, and how long we wait for it. */
const SNIPPET_BYTES = 2048;
const SNIPPET_TIMEOUT = 1000;

const noop = (): void => undefined;

/** How late (ms) the idle timer must fire to show the event loop was blocked. */
const BLOCKED_LOOP = 10;

/**
 * A server's requested wait in ms, from `retry-after-ms` or `Retry-After` (seconds or HTTP date).
 */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The one place where anything thrown below rx-sse becomes an rx-sse error. `secrets` are
 * scrubbed from the cause (fetch quotes the request URL in some of its messages).
 */
export function normalizeError(
  error: unknown,
  phase: 'connect' | 'read',
  url: string,
  secrets: readonly string[] = [],
): Error {
  if (error instanceof SseError) return error;
  return new SseNetworkError({ phase, url, cause: scrubError(error, secrets) });
}

/**
 * The start of an error response's body, decoded, secrets scrubbed, at most SNIPPET_BYTES bytes.
 * It reads a little further than it keeps, so that a secret crossing the cut is still recognised
 * and replaced rather than kept in part.
 */
async function readSnippet(response: Response, secrets: readonly string[]): Promise<string> {
  const encoder = new TextEncoder(); // Not at module load: some test environments lack it.
  const longest = Math.max(0, ...secrets.map((secret) => encoder.encode(secret).length));
  const text = scrub(await readText(response, SNIPPET_BYTES + longest), secrets);
  const bytes = encoder.encode(text);
  if (bytes.length <= SNIPPET_BYTES) return text;
  // Cut at a character boundary: a decoder in stream mode holds back an incomplete one.
  return new TextDecoder().decode(bytes.subarray(0, SNIPPET_BYTES), { stream: true });
}

/** Up to `limit` bytes of the body (as much as arrives within SNIPPET_TIMEOUT), decoded. */
async function readText(response: Response, limit: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let cancelTimeout = noop;
  const timeout = new Promise<undefined>((resolve) => {
    cancelTimeout = untrackedTimeout(() => resolve(undefined), SNIPPET_TIMEOUT);
  });
  try {
    while (total < limit) {
      const result = await Promise.race([reader.read(), timeout]);
      if (result === undefined || result.done) break;
      chunks.push(result.value);
      total += result.value.length;
    }
  } catch {
    // The body failed: keep what arrived.
  } finally {
    cancelTimeout();
    reader.cancel().catch(noop);
  }
  const bytes = new Uint8Array(Math.min(total, limit));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk.subarray(0, bytes.length - offset), offset);
    offset += Math.min(chunk.length, bytes.length - offset);
  }
  return new TextDecoder().decode(bytes, { stream: true });
}

/**
 * Reads `body` to its end: every chunk is counted, then scanned, then the events it completed are
 * delivered. Resolves when the body ends; rejects (after cancelling it) when reading fails.
 */
async function readBody(
  body: ReadableStream<Uint8Array>,
  scanner: EventScanner,
  onChunk: (count: number) => void,
  deliver: () => void,
): Promise<void> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onChunk(value.length);
      try {
        scanner.push(value);
      } finally {
        // Events completed before an oversized line are delivered before the error.
        deliver();
      }
    }
  } catch (error) {
    reader.cancel(error).catch(noop);
    throw error;
  }
}

/**
 * The response fetch-event-source is given once ours is accepted: a body that has already ended.
 * After our `onopen` it only ever calls `response.body.getReader().read()` until `done` (2.0.1,
 * bundled and pinned), so its promise settles at once and it holds nothing while we read.
 */
const ENDED = {
  body: { getReader: () => ({ read: () => Promise.resolve({ done: true, value: undefined }) }) },
} as unknown as Response;

/**
 * Opens one connection: reports each message, then the end, to `options`. Returns the abort, which
 * closes the connection at once and silences every callback.
 */
export function openStream(options: StreamOptions): () => void {
  const { request, idleTimeout } = options;
  // Called as a plain function: a browser's `fetch` throws "Illegal invocation" as a method.
  const fetchFn = options.fetch;
  const controller = new AbortController();
  const inCallerZone = zoneBinder();
  let failure: { error: unknown } | undefined;
  let opened = false;
  let done = false;
  let lastActivity = Date.now();
  let cancelIdle = noop;

  const fail = (error: unknown): void => {
    failure ??= { error };
    controller.abort();
  };
  const idle = (): boolean => idleTimeout !== undefined && Date.now() - lastActivity >= idleTimeout;
  const watchIdle = (): void => {
    if (idleTimeout === undefined) return;
    const delay = Math.max(lastActivity + idleTimeout - Date.now(), 1);
    const due = Date.now() + delay;
    cancelIdle = untrackedTimeout(() => {
      if (!idle()) return watchIdle();
      const timeOut = (): void =>
        fail(new SseIdleTimeoutError({ timeout: idleTimeout, url: request.displayUrl }));
      if (Date.now() - due < BLOCKED_LOOP) return timeOut();
      // Fired late: this thread was blocked (a GC pause, a long task), and bytes that arrived
      // meanwhile are only read after timers run. A busy event loop is not a dead connection:
      // decide after one more turn, once they are read.
      cancelIdle = untrackedTimeout(() => (idle() ? timeOut() : watchIdle()), 0);
    }, delay);
  };
  const activity = (count: number): void => {
    lastActivity = Date.now();
    if (count > 0) options.onBytes?.(count);
  };

  /** The end of the attempt, reported once (in the caller's zone: after native awaits). */
  const settle = inCallerZone((outcome?: unknown): void => {
    cancelIdle();
    if (done) return;
    done = true;
    // Our own abort (the idle watchdog) is the reason, not the AbortError it caused.
    const error = failure === undefined ? outcome : failure.error;
    if (error instanceof NoContent) {
      options.onNoContent();
      options.onEnd();
    } else if (error !== undefined) {
      const phase = opened ? 'read' : 'connect';
      options.onEnd(normalizeError(error, phase, request.displayUrl, request.secrets));
    } else {
      options.onEnd();
    }
  });

  /**
   * Reads the accepted response's body to its end. Its own function, so that nothing of the
   * request (fetch-event-source's init, our `send`) stays reachable while the stream is open.
   */
  const read = (body: ReadableStream<Uint8Array>): void => {
    const scanner = new EventScanner({
      maxEventSize: options.maxEventSize,
      lastEventId: options.lastEventId,
      onRetry: options.onRetry,
      tooLarge: (size) =>
        new SseEventTooLargeError({ limit: options.maxEventSize, size, url: request.displayUrl }),
    });
    // Called after `await reader.read()`, which zone.js cannot follow: in the caller's zone.
    const deliver = inCallerZone((): void => {
      for (let record = scanner.shift(); record !== undefined; record = scanner.shift()) {
        // Aborted (or failed) while delivering this chunk: the rest is not wanted.
        if (done || failure !== undefined) return;
        if (typeof record === 'string') options.onLastEventId(record);
        else options.onMessage(record);
      }
    });
    // Open before the first byte is read, so that no event precedes the `open` state.
    opened = true;
    inCallerZone(options.onOpen)();
    readBody(body, scanner, activity, deliver).then(() => settle(), settle);
  };

  const checkedFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    // Outside every zone: Node's fetch keeps timers of its own while the body streams. Our signal,
    // not fetch-event-source's: the body outlives its part.
    const send = (headers?: Record<string, string>): Promise<Response> =>
      inRootZone(() =>
        fetchFn(input, { ...init, ...(headers && { headers }), signal: controller.signal }),
      );
    const response = await send().catch((error: unknown) => {
      // The Fetch standard lets a header carry control characters other than NUL, CR and LF,
      // and browsers send them; Node's fetch refuses them. A last event ID the platform cannot
      // send must not end the stream: send the request again without it (as undici's own
      // EventSource does), and say so once.
      const { 'last-event-id': id, ...headers } = request.headers;
      if (id === undefined || !hasControl(id) || controller.signal.aborted) throw error;
      options.onLastEventIdOmitted?.(options.lastEventId);
      return send(headers);
    });
    activity(0);
    if (response.status === 204) {
      response.body?.cancel().catch(noop);
      throw new NoContent();
    }
    if (!response.ok) {
      const body = await readSnippet(response, request.secrets);
      throw new SseHttpError({
        status: response.status,
        statusText: response.statusText,
        headers: responseHeaders(response.headers, request.secrets),
        body,
        url: request.displayUrl,
        method: request.method,
        retryAfter: parseRetryAfter(response.headers),
      });
    }
    const contentType = response.headers.get('content-type');
    if (!isEventStream(contentType) || response.body === null || response.status === 205) {
      response.body?.cancel().catch(noop);
      throw new SseContentTypeError({
        contentType,
        status: response.status,
        url: request.displayUrl,
      });
    }
    read(response.body);
    return ENDED;
  };

  watchIdle();
  fetchEventSource(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.credentials === undefined ? {} : { credentials: request.credentials }),
    openWhenHidden: true,
    fetch: checkedFetch,
    onopen: () => Promise.resolve(),
    onerror: (error: unknown) => {
      throw error;
    },
  }).then(
    // Resolved: the response was accepted and the body is ours (`settle` follows its read), or
    // it was aborted before a response.
    () => (opened ? undefined : settle()),
    (error: unknown) => settle(error),
  );

  return () => {
    done = true;
    cancelIdle();
    controller.abort();
  };
}
