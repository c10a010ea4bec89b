/**
 * Path parameters: `/rooms/:roomId/events` needs `{ roomId }`.
 *
 * @module
 */
import { toText } from '../internal/stable-key.js';

/**
 * The parameter names of a path: each `:name` spans a whole segment, up to the next `/`.
 *
 * @category Endpoints
 */
export type PathParamNames<Path extends string> = Path extends `${string}:${infer Rest}`
  ? Rest extends `${infer Name}/${infer Tail}`
    ? Name | PathParamNames<`/${Tail}`>
    : Rest
  : never;

/**
 * The `params` object a path needs. Values are URL-encoded.
 *
 * @category Endpoints
 */
export type PathParams<Path extends string> = {
  readonly [Name in PathParamNames<Path>]: string | number;
};

const PARAM = /:([^/]+)/g;

/** Fills `:name` segments with URL-encoded values; lists the names that are missing. */
export function fillPath(
  path: string,
  params: Readonly<Record<string, unknown>> | undefined,
): { path: string; missing: string[] } {
  const missing: string[] = [];
  const filled = path.replace(PARAM, (_match, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null || value === '') {
      missing.push(name);
      return '';
    }
    return encodeURIComponent(toText(value));
  });
  return { path: filled, missing };
}
