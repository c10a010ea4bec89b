// The JSON payloads every row receives: a chat-like message of about 120 bytes, and the same shape
// padded to 4 KiB. The typed client validates them against `messageSchema` in rows.mjs.

const LARGE_BYTES = 4096;

function message(text) {
  return { user: 'ada', text, ts: 1767225600000, tags: ['bench', 'sse'], n: 42, ok: true };
}

function build(size) {
  const base = JSON.stringify(message('Hello from the server, this is a short message.'));
  if (size === 'small') return base;
  const pad = LARGE_BYTES - JSON.stringify(message('')).length;
  return JSON.stringify(message('lorem ipsum '.repeat(Math.ceil(pad / 12)).slice(0, pad)));
}

const cache = new Map();

/** The payload of a size class: `json` (the data line's value) and its length in bytes. */
export function payload(size) {
  if (size !== 'small' && size !== 'large') throw new Error(`unknown payload size ${size}`);
  let entry = cache.get(size);
  if (entry === undefined) {
    const json = build(size);
    entry = { json, bytes: Buffer.byteLength(json) };
    cache.set(size, entry);
  }
  return entry;
}

/** Bytes of `id: i\n` for i in 1..n. */
function idBytes(n) {
  let total = 0;
  for (let digits = 1, low = 1; low <= n; digits++, low *= 10) {
    const high = Math.min(n, low * 10 - 1);
    total += (high - low + 1) * (5 + digits);
  }
  return total;
}

/** Bytes of the `/events` stream of n events of a size class: `id: i\ndata: <json>\n\n` each. */
export function streamBytes(n, size) {
  return idBytes(n) + n * (payload(size).bytes + 8);
}

/** Bytes of the `/big` stream: `id: 1\ndata: <bytes>\n\n`. */
export function bigStreamBytes(bytes) {
  return 'id: 1\ndata: '.length + bytes + 2;
}

/** The JSON wrapper of the big event's data: `{"user":"ada","text":"xxx…"}`. */
export const BIG_HEAD = '{"user":"ada","text":"';
export const BIG_TAIL = '"}';
