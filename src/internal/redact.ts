/**
 * Keeping secrets out of error messages and error fields.
 *
 * @internal
 * @module
 */

/** Request headers whose values are secrets. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

/** Query parameters whose values look like secrets (EventSource users put tokens in the URL). */
const SECRET_PARAM =
  /^(access[-_]?token|id[-_]?token|token|auth|authorization|api[-_]?key|apikey|key|secret|client[-_]?secret|password|passwd|signature|sig|jwt|session(?:[-_]?id)?)$/i;

const REDACTED = '[redacted]';

/** The URL with `user:password@` removed and secret-looking query values replaced. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/([?&][^=&#]+=)[^&#]*/g, (match, name: string) =>
      SECRET_PARAM.test(name.slice(1, -1)) ? `${name}${REDACTED}` : match,
    );
  }
  if (parsed.username || parsed.password) {
    parsed.username = '';
    parsed.password = '';
  }
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, REDACTED);
  }
  return parsed.href.replaceAll(encodeURIComponent(REDACTED), REDACTED);
}

/** The secret parts of a URL: its password and the values of secret-looking query parameters. */
export function urlSecrets(url: string): string[] {
  const values: string[] = [];
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    for (const [, name = '', value = ''] of url.matchAll(/[?&]([^=&#]+)=([^&#]*)/g)) {
      if (SECRET_PARAM.test(name)) values.push(value, safeDecode(value));
    }
  }
  if (parsed !== undefined) {
    values.push(parsed.password, safeDecode(parsed.password));
    for (const [name, value] of parsed.searchParams) {
      if (SECRET_PARAM.test(name)) {
        values.push(
          value,
          encodeURIComponent(value),
          new URLSearchParams({ v: value }).toString().slice(2),
        );
      }
    }
  }
  return [...new Set(values)].filter((value) => value.length >= 4);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The secret values among request headers (and the token inside `Bearer …`). */
export function secretsOf(headers: Readonly<Record<string, string>>): string[] {
  const secrets: string[] = [];
  for (const name of SECRET_HEADERS) {
    const value = headers[name];
    if (value === undefined || value.length < 4) continue;
    secrets.push(value);
    const space = value.indexOf(' ');
    if (space > 0 && value.length - space > 4) secrets.push(value.slice(space + 1));
    for (const cookie of name === 'cookie' ? value.split(';') : []) {
      const eq = cookie.indexOf('=');
      if (eq > 0 && cookie.length - eq > 4) secrets.push(cookie.slice(eq + 1).trim());
    }
  }
  return secrets;
}

/** Replaces every occurrence of a secret in `text`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * `error` (and its `cause` chain) with every secret replaced in messages and stacks: the same
 * object when it holds none, else a copy with the same prototype. `fetch` puts the request URL
 * in some messages (e.g. "Request cannot be constructed from a URL that includes credentials").
 * A cycle in the chain (a custom `fetch` may build one) is cut: the copy's last cause is left out.
 */
export function scrubError(
  error: unknown,
  secrets: readonly string[],
  seen = new Set<unknown>(),
): unknown {
  // Not `instanceof Error`: fetch's errors may come from another realm (Node's internals, frames).
  if (!isErrorLike(error) || secrets.length === 0) return error;
  if (seen.has(error)) return undefined;
  seen.add(error);
  const cause = scrubError(error.cause, secrets, seen);
  const message = scrub(error.message, secrets);
  const stack = error.stack === undefined ? undefined : scrub(error.stack, secrets);
  if (message === error.message && stack === error.stack && cause === error.cause) return error;
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  for (const [key, value] of Object.entries(error)) {
    (copy as unknown as Record<string, unknown>)[key] =
      typeof value === 'string' ? scrub(value, secrets) : value;
  }
  const field = (value: unknown): PropertyDescriptor => ({
    value,
    writable: true,
    configurable: true,
  });
  Object.defineProperties(copy, {
    message: field(message),
    stack: field(stack),
    ...(error.cause === undefined ? {} : { cause: field(cause) }),
  });
  return copy;
}

function isErrorLike(value: unknown): value is Error {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Response headers as a lower-cased record, with cookies redacted. */
export function responseHeaders(
  headers: Headers,
  secrets: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = name === 'set-cookie' || name === 'set-cookie2' ? REDACTED : scrub(value, secrets);
  });
  return out;
}
