/**
 * Building the request of one connection attempt: URL, headers and body are resolved again for
 * every attempt, so a refreshed token or a new cursor reaches the reconnect.
 *
 * @internal
 * @module
 */
import { redactUrl, secretsOf } from '../internal/redact.js';
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
  /** Secret header values, to scrub from anything we report. */
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

/** Resolves a {@link Resolvable}: calls it if it is a function, awaits the result. */
export async function resolveValue<T>(value: Resolvable<T>): Promise<T> {
  return typeof value === 'function' ? (value as () => T | Promise<T>)() : value;
}

/** Normalises any {@link SseHeaders} to a plain record with lower-cased names. */
export function toHeaderRecord(headers: SseHeaders | undefined): Record<string, string> {
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

/** Resolves everything a connection attempt needs. Throws what the caller's functions throw. */
export async function prepareRequest(
  spec: RequestSpec,
  lastEventId: string,
): Promise<PreparedRequest> {
  const [url, body, ...headerParts] = await Promise.all([
    resolveValue(spec.url),
    spec.body === undefined ? undefined : resolveValue(spec.body),
    ...spec.headers.map((part) => (part === undefined ? undefined : resolveValue(part))),
  ]);
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  for (const part of headerParts) Object.assign(headers, toHeaderRecord(part));
  // Ours, lower-case, the only copy: a caller's `Last-Event-ID` in any case is replaced.
  delete headers['last-event-id'];
  if (lastEventId !== '') headers['last-event-id'] = lastEventId;

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
  return {
    url: href,
    displayUrl: redactUrl(href),
    method: (spec.method ?? (payload === undefined ? 'GET' : 'POST')).toUpperCase(),
    headers,
    body: payload,
    credentials: spec.credentials,
    secrets: secretsOf(headers),
  };
}
