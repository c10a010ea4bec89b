/**
 * A deterministic string for a JSON-like value: object keys sorted, `undefined` left out. Used to
 * recognise equal endpoint calls for sharing.
 *
 * @internal
 * @module
 */
export function stableKey(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? typeof value;
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableKey(v)}`).join(',')}}`;
}

/** A value as text for a URL: strings as is, numbers and booleans printed, the rest as JSON. */
export function toText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${value}`;
    default:
      return value instanceof Date ? value.toISOString() : (JSON.stringify(value) ?? '');
  }
}
