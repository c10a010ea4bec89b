/**
 * Building the request of one connection attempt: URL, headers and body are resolved again for
 * every attempt, so a refreshed token or a new cursor reaches the reconnect.
 *
 * @internal
 * @module
 */
import { redactUrl, secretsOf, urlSecrets } from '../internal/redact.js';
import type { Resolvable, SseHeaders, SseRequestBody } from '../types.js';

/** What one attempt sends. */
export interface PreparedRequest {
  readonly url: string;
  /** The URL with secrets redacted, for error messages. */
  readonly displayUrl: string;
  readonly method: string;
  /** Lower-cased header names. Always a plain record: fetch-event-source spreads it. */
  readonly headers: Record<string, string>;
  readonly body: BodyInit | undefined;
  readonly credentials: RequestCredentials | undefined;
  /** Secret header values and URL parts, to scrub from anything we report. */
  readonly secrets: readonly string[];
}

/** The parts of a request that may be functions called per attempt. */
export interface RequestSpec {
  readonly url: Resolvable<string | URL>;
  readonly method: string | undefined;
  readonly headers: ReadonlyArray<Resolvable<SseHeaders | undefined> | undefined>;
  readonly body: Resolvable<SseRequestBody | undefined> | undefined;
  readonly credentials: RequestCredentials | undefined;
}

/**
 * The `last-event-id` header value for an id: its UTF-8 bytes, one Latin-1 character per byte.
 *
 * `fetch` takes header values as ByteStrings: a character above U+00FF makes it throw (so an id
 * such as `日本` or `€1`, or one with U+FFFD from invalid UTF-8, would break every reconnect), and
 * a character in U+0080–U+00FF is sent as that single byte (not UTF-8). EventSource sends the id
 * UTF-8 encoded (HTML spec, "reestablish the connection"); encoding the bytes this way puts
 * exactly those bytes on the wire. An id with a control character is passed on as is: browsers
 * send it, and where `fetch` refuses it the transport sends the request without it.
 */
export function lastEventIdHeader(id: string): string {
  let value = '';
  for (const byte of new TextEncoder().encode(id)) value += String.fromCharCode(byte);
  return value;
}

/** Resolves a {@link Resolvable}: calls it if it is a function, awaits the result. */
async function resolveValue<T>(value: Resolvable<T>): Promise<T> {
  return typeof value === 'function' ? (value as () => T | Promise<T>)() : value;
}

/**
 * Resolves header layers (each a value or a function) and merges them in order, later names
 * winning, into one record with lower-cased names.
 */
export async function resolveHeaders(
  layers: ReadonlyArray<Resolvable<SseHeaders | undefined> | undefined>,
): Promise<Record<string, string>> {
  const parts = await Promise.all(layers.map((layer) => resolveValue(layer)));
  return Object.assign({}, ...parts.map(toHeaderRecord)) as Record<string, string>;
}

/** Normalises any {@link SseHeaders} to a plain record with lower-cased names. */
function toHeaderRecord(headers: SseHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  const pairs: Iterable<readonly [string, string]> =
    isHeaders(headers) || Array.isArray(headers)
      ? (headers as Iterable<readonly [string, string]>)
      : Object.entries(headers as Record<string, string>);
  for (const [name, value] of pairs) out[name.toLowerCase()] = String(value);
  return out;
}

function isHeaders(value: unknown): value is Headers {
  return typeof Headers !== 'undefined' && value instanceof Headers;
}

function isJsonBody(body: unknown): body is object {
  if (Array.isArray(body)) return true;
  if (typeof body !== 'object' || body === null) return false;
  const proto: unknown = Object.getPrototypeOf(body);
  return proto === Object.prototype || proto === null;
}

/**
 * Refuses a URL `fetch` would refuse on every attempt — unparseable (e.g. relative outside a
 * page) or carrying credentials — with a `TypeError`, which the retry policy treats as fatal
 * instead of retrying it forever. The message shows the URL redacted.
 */
function checkUrl(href: string): void {
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  let parsed: URL;
  try {
    parsed = new URL(href, base);
  } catch {
    throw new TypeError(
      `rx-sse: invalid URL ${redactUrl(href)}${base === undefined ? ' (relative URLs need a page to resolve against: use an absolute URL outside browsers)' : ''}`,
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new TypeError(
      `rx-sse: ${redactUrl(href)} includes credentials, which fetch refuses: send them in a header`,
    );
  }
}

/**
 * Refuses, with a `TypeError` naming what is wrong, a request that `fetch` would refuse on every
 * attempt without sending anything — a header name or value it cannot carry (a value with a
 * character above U+00FF, such as a pasted `‐`), a GET or HEAD with a body — instead of reporting
 * a network error and retrying it forever. The platform's `Headers` judges the headers; a value is
 * never quoted (it may be a token).
 */
function checkRequest(method: string, headers: Record<string, string>, body: unknown): void {
  if ((method === 'GET' || method === 'HEAD') && body !== undefined) {
    throw new TypeError(`rx-sse: a ${method} request cannot have a body: use POST, or no body`);
  }
  if (typeof Headers !== 'function') return;
  for (const [name, value] of Object.entries(headers)) {
    try {
      new Headers([[name, value]]);
    } catch {
      throw new TypeError(
        /^[!#$%&'*+.^_`|~\w-]+$/.test(name)
          ? `rx-sse: fetch cannot send the request header "${name}": its value has a character no header can carry`
          : 'rx-sse: a request header name is not a valid HTTP token',
      );
    }
  }
}

/** Resolves everything a connection attempt needs. Throws what the caller's functions throw. */
export async function prepareRequest(
  spec: RequestSpec,
  lastEventId: string,
): Promise<PreparedRequest> {
  const [url, body, resolved] = await Promise.all([
    resolveValue(spec.url),
    spec.body === undefined ? undefined : resolveValue(spec.body),
    resolveHeaders(spec.headers),
  ]);
  const headers: Record<string, string> = { accept: 'text/event-stream', ...resolved };
  // Ours, lower-case, the only copy: a caller's `Last-Event-ID` in any case is replaced.
  delete headers['last-event-id'];
  if (lastEventId !== '') headers['last-event-id'] = lastEventIdHeader(lastEventId);

  let payload: BodyInit | undefined;
  if (body !== undefined && body !== null) {
    if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) {
      throw new TypeError('rx-sse: a ReadableStream body cannot be sent again on reconnect');
    }
    if (isJsonBody(body)) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    } else {
      payload = body as BodyInit;
    }
  }
  const href = String(url);
  checkUrl(href);
  const method = (spec.method ?? (payload === undefined ? 'GET' : 'POST')).toUpperCase();
  checkRequest(method, headers, payload);
  return {
    url: href,
    displayUrl: redactUrl(href),
    method,
    headers,
    body: payload,
    credentials: spec.credentials,
    secrets: [...secretsOf(headers), ...urlSecrets(href)],
  };
}
