/**
 * Reading a response's Content-Type the way browsers do: the Fetch standard's "extract a MIME
 * type" (https://fetch.spec.whatwg.org/#concept-header-extract-mime-type) over the value `fetch`
 * returns, where several header lines are already joined with `, `.
 *
 * @internal
 * @module
 */

/** HTTP token code points (RFC 9110 `tchar`), which a MIME type's type and subtype consist of. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Splits a combined header value at commas that are not inside a quoted string (Fetch's "get,
 * decode, and split"), trimming spaces and tabs around each value.
 */
function splitValues(value: string): string[] {
  const values: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (quoted && char === '\\') i++;
    else if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      values.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  values.push(value.slice(start).trim());
  return values;
}

/**
 * The essence (`type/subtype`, lower-cased) of one MIME type, or `undefined` when it does not
 * parse (MIME Sniffing's "parse a MIME type": parameters after `;` are not needed for the essence).
 */
function essence(value: string): string | undefined {
  const end = value.indexOf(';');
  const [type, subtype, extra] = (end < 0 ? value : value.slice(0, end)).trim().split('/');
  if (extra !== undefined || type === undefined || subtype === undefined) return undefined;
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  return `${type}/${subtype}`.toLowerCase();
}

/**
 * The essence of the MIME type a browser extracts from a Content-Type value: of the
 * comma-separated values, the last one that parses and is not `*\/*`. `undefined` when none does.
 */
export function extractMimeType(contentType: string | null): string | undefined {
  if (contentType === null) return undefined;
  let found: string | undefined;
  for (const value of splitValues(contentType)) {
    const type = essence(value);
    if (type !== undefined && type !== '*/*') found = type;
  }
  return found;
}

/** Whether a Content-Type value makes the response an event stream, as it does for EventSource. */
export function isEventStream(contentType: string | null): boolean {
  return extractMimeType(contentType) === 'text/event-stream';
}
