/**
 * Redaction, function by function (the end-to-end guarantee — no secret in any error, rendering
 * or log line — is spec/reliability/secrets.spec.ts).
 */
import {
  redactUrl,
  responseHeaders,
  scrub,
  scrubError,
  secretsOf,
  urlSecrets,
} from '../src/internal/redact.js';

const SECRET_NAMES = [
  'access_token',
  'access-token',
  'accesstoken',
  'id_token',
  'token',
  'TOKEN',
  'auth',
  'authorization',
  'api_key',
  'api-key',
  'apikey',
  'key',
  'secret',
  'client_secret',
  'clientsecret',
  'password',
  'passwd',
  'signature',
  'sig',
  'jwt',
  'session',
  'session_id',
  'sessionid',
];

describe('redactUrl', () => {
  it('removes user:password@ and replaces secret-looking query values, keeping the others', () => {
    expect(redactUrl('https://ada:hunter22@api.test/feed?access_token=abc123&page=2')).toBe(
      'https://api.test/feed?access_token=[redacted]&page=2',
    );
  });

  it.each(SECRET_NAMES)('treats %s as a secret parameter', (name) => {
    expect(redactUrl(`https://api.test/?${name}=value1234&room=7`)).toBe(
      `https://api.test/?${name}=[redacted]&room=7`,
    );
  });

  it.each(['tokens', 'monkey', 'keyboard', 'author', 'sessions', 'page'])(
    'leaves %s alone',
    (name) => {
      expect(redactUrl(`https://api.test/?${name}=value1234`)).toBe(
        `https://api.test/?${name}=value1234`,
      );
    },
  );

  it('redacts a URL that does not parse (a relative one outside a page) by its text', () => {
    expect(redactUrl('/feed?token=abc%20123&x=1&api-key=k1234')).toBe(
      '/feed?token=[redacted]&x=1&api-key=[redacted]',
    );
  });
});

describe('urlSecrets', () => {
  it('the password, raw and decoded, and each secret value as it may be quoted', () => {
    const url = new URL('https://api.test/');
    url.username = 'ada';
    url.password = 'p@ss/word';
    url.searchParams.set('token', 'a b+c€');
    url.searchParams.set('page', 'not-a-secret');
    expect(urlSecrets(url.href)).toEqual([
      'p%40ss%2Fword',
      'p@ss/word',
      'a b+c€',
      'a%20b%2Bc%E2%82%AC',
      'a+b%2Bc%E2%82%AC',
    ]);
  });

  it('from a URL that does not parse: each secret value, raw and decoded', () => {
    expect(urlSecrets('/feed?token=abc%2012&page=2&sig=%ZZbad')).toEqual([
      'abc%2012',
      'abc 12',
      '%ZZbad',
    ]);
  });

  it('leaves out values shorter than 4 characters (they would redact common words)', () => {
    expect(urlSecrets('https://api.test/?token=abc&key=')).toEqual([]);
  });
});

describe('secretsOf', () => {
  it('each secret header whole first, then the token after its scheme', () => {
    expect(
      secretsOf({ authorization: 'Bearer tok123456', 'x-api-key': 'k1234', accept: 'x/y' }),
    ).toEqual(expect.arrayContaining(['Bearer tok123456', 'tok123456', 'k1234']));
    const secrets = secretsOf({ authorization: 'Bearer tok123456' });
    // Whole before part: scrubbing the part first would leave "Bearer [redacted]" behind.
    expect(secrets.indexOf('Bearer tok123456')).toBeLessThan(secrets.indexOf('tok123456'));
  });

  it('each cookie value, and nothing shorter than 4 characters', () => {
    const secrets = secretsOf({ cookie: 'sid=abcd1234; theme=xy; flag' });
    expect(secrets).toEqual(expect.arrayContaining(['abcd1234']));
    expect(secrets).not.toContain('xy');
    expect(secrets.every((secret) => secret.length >= 4)).toBe(true);
    expect(secretsOf({ authorization: 'abc' })).toEqual([]);
  });
});

describe('scrub and scrubError', () => {
  const secrets = ['Bearer tok123456', 'tok123456'];

  it('scrub replaces every occurrence', () => {
    expect(scrub('a tok123456 b Bearer tok123456 c', secrets)).toBe('a [redacted] b [redacted] c');
  });

  it('returns an error that holds no secret as it is', () => {
    const error = new Error('nothing here');
    expect(scrubError(error, secrets)).toBe(error);
    expect(scrubError('a string', secrets)).toBe('a string');
  });

  it('copies an error that does: same prototype, fields and cause chain scrubbed', () => {
    const cause = new Error('cause tok123456');
    const error = Object.assign(new TypeError('failed with tok123456', { cause }), {
      detail: 'x tok123456',
      count: 3,
    });
    const clean = scrubError(error, secrets) as TypeError & { detail: string; count: number };
    expect(clean).not.toBe(error);
    expect(clean).toBeInstanceOf(TypeError);
    expect(clean.message).toBe('failed with [redacted]');
    expect(clean.stack).not.toContain('tok123456');
    expect(clean.detail).toBe('x [redacted]');
    expect(clean.count).toBe(3);
    expect((clean.cause as Error).message).toBe('cause [redacted]');
    // The original is untouched.
    expect(error.message).toBe('failed with tok123456');
  });

  it('cuts a cycle in the cause chain', () => {
    const error = new Error('loop tok123456');
    (error as { cause?: unknown }).cause = error;
    const clean = scrubError(error, secrets) as Error;
    expect(clean.message).toBe('loop [redacted]');
    expect(clean.cause).toBeUndefined();
  });
});

describe('responseHeaders', () => {
  it('lower-cased names, cookies redacted, secrets scrubbed from the rest', () => {
    const headers = new Headers({
      'Set-Cookie': 'session=abc',
      'X-Echo': 'Bearer tok123456',
      'Content-Type': 'text/plain',
    });
    expect(responseHeaders(headers, ['Bearer tok123456'])).toEqual({
      'set-cookie': '[redacted]',
      'x-echo': '[redacted]',
      'content-type': 'text/plain',
    });
  });
});
