/**
 * Keeping secrets out of error messages and error fields.
 *
 * @internal
 * @module
 */

/** Request headers whose values are secrets. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

/**
 * Query parameters whose values look like secrets (EventSource users put tokens in the URL):
 * access_token, id_token, token, auth, authorization, api_key, apikey, key, secret, client_secret,
 * password, passwd, signature, sig, jwt, session, session_id (`-` or `_` or nothing between words).
 */
const SECRET_PARAM =
  /^((access|id)[-_]?token|token|auth(orization)?|api[-_]?key|key|(client[-_]?)?secret|passw(or)?d|sig(nature)?|jwt|session([-_]?id)?)$/i;

/** `?name=value` / `&name=value` in a URL that does not parse. */
const PARAM = /([?&])([^=&#]+)=([^&#]*)/g;

const REDACTED = '[redacted]';

/** The URL with `user:password@` removed and secret-looking query values replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = parsed.password = '';
    for (const name of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, REDACTED);
    }
    return parsed.href.replaceAll(encodeURIComponent(REDACTED), REDACTED);
  } catch {
    return url.replace(PARAM, (match, at: string, name: string) =>
      SECRET_PARAM.test(name) ? `${at}${name}=${REDACTED}` : match,
    );
  }
}

/** The secret parts of a URL: its password and the values of secret-looking query parameters. */
export function urlSecrets(url: string): string[] {
  const values: string[] = [];
  try {
    const { password, searchParams } = new URL(url);
    values.push(password, safeDecode(password));
    for (const [name, value] of searchParams) {
      if (SECRET_PARAM.test(name)) {
        // As it may be quoted: raw, percent-encoded, form-encoded.
        values.push(
          value,
          encodeURIComponent(value),
          new URLSearchParams({ v: value }).toString().slice(2),
        );
      }
    }
  } catch {
    for (const [, , name = '', value = ''] of url.matchAll(PARAM)) {
      if (SECRET_PARAM.test(name)) values.push(value, safeDecode(value));
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

/**
 * The secret values among request headers: each whole value first, then the token after a scheme
 * (`Bearer …`) and each cookie's value (scrubbed in that order, a whole value is replaced whole).
 */
export function secretsOf(headers: Readonly<Record<string, string>>): string[] {
  const secrets: string[] = [];
  for (const name of SECRET_HEADERS) {
    const value = headers[name] ?? '';
    if (value.length < 4) continue;
    secrets.push(value, value.slice(value.indexOf(' ') + 1));
    if (name === 'cookie') {
      for (const cookie of value.split(';')) {
        const eq = cookie.indexOf('=');
        if (eq > 0) secrets.push(cookie.slice(eq + 1).trim());
      }
    }
  }
  return secrets.filter((secret) => secret.length >= 4);
}

/** Replaces every occurrence of a secret in `text`. */
export function scrub(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => (secret ? out.replaceAll(secret, REDACTED) : out), text);
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
  if (typeof (error as Error | null)?.message !== 'string' || secrets.length === 0) return error;
  const { message, stack, cause } = error as Error;
  if (seen.has(error)) return undefined;
  seen.add(error);
  const fields = {
    message: scrub(message, secrets),
    stack: stack && scrub(stack, secrets),
    cause: scrubError(cause, secrets, seen),
  };
  if (fields.message === message && fields.stack === stack && fields.cause === cause) return error;
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Record<string, unknown>;
  for (const [key, value] of Object.entries(error as object)) {
    copy[key] = typeof value === 'string' ? scrub(value, secrets) : value;
  }
  for (const [key, value] of Object.entries(fields)) {
    if (key !== 'cause' || cause !== undefined) {
      Object.defineProperty(copy, key, { value, writable: true, configurable: true });
    }
  }
  return copy;
}

/** Response headers as a lower-cased record, with cookies redacted. */
export function responseHeaders(
  headers: Headers,
  secrets: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = /^set-cookie2?$/.test(name) ? REDACTED : scrub(value, secrets);
  });
  return out;
}
