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
