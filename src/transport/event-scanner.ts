/**
 * The event-stream parser: bytes in, spec-correct events out (WHATWG "interpreting an event
 * stream").
 *
 * fetch-event-source's own parser is not used: it deviates from the spec (a heartbeat comment and
 * `data:` with an empty value both arrive as `{ data: '' }`; ids with NUL are kept; leading empty
 * data lines are dropped; the `id` is not carried forward; a BOM is stripped anywhere), it walks
 * every byte in JavaScript, decodes every field value, and re-copies a long line on every chunk
 * (quadratic time). The transport reads the body itself, feeds it here and hands fetch-event-source
 * no bytes at all (see open-stream.ts).
 *
 * How a chunk is read:
 * 1. It is decoded with one `TextDecoder` call; lines are found in the text with `String#indexOf`
 *    and values are slices of it: no decoder call per field. When the text has as many
 *    characters as the chunk has bytes (ASCII, the usual case), positions in both are the same;
 *    otherwise each line end is also found in the bytes (line ends are ASCII and come in the same
 *    order in both).
 * 2. The bytes after the last line end are the unfinished line. They are held as bytes (so a
 *    character split between chunks is decoded whole, later), and joined once, with the piece of
 *    the next chunk that ends the line, when that piece arrives: a long line is copied once, not
 *    once per chunk, and a chunk that does not end it is only searched for a line end.
 *
 * `maxEventSize` is enforced in bytes: on the bytes of the unfinished line plus the data the event
 * has accumulated, and on every data line (its size in bytes is known from the positions of its
 * ends in the bytes).
 *
 * Spec details: one BOM (U+FEFF) is stripped at the start of the stream only; a CR at the end of
 * a chunk may be the first half of a CRLF split across chunks; an `id` containing NUL is ignored;
 * `retry` takes 1–15 ASCII digits; a block without data dispatches no event (only the last event
 * ID it leaves in effect).
 *
 * @internal
 * @module
 */
import type { SseMessage } from '../types.js';

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const BOM = 0xfeff;

let utf8: TextDecoder | undefined;

/** Created on first use: importing rx-sse must not need `TextDecoder` (Jest's jsdom lacks it). */
function decode(bytes: Uint8Array): string {
  utf8 ??= new TextDecoder('utf-8', { ignoreBOM: true });
  return utf8.decode(bytes);
}

/**
 * What one block ended by a blank line amounts to: an event (when it had data), or — a block
 * without data, such as an id-only one — just the last event ID it leaves in effect.
 */
export type DispatchRecord = SseMessage | string;

/** Options of {@link EventScanner}. */
export interface ScannerOptions {
  /** Largest line or event, in bytes. */
  readonly maxEventSize: number;
  /** The last event ID carried over from earlier connections. */
  readonly lastEventId: string;
  /** Called with a valid `retry:` value as soon as it is parsed (as the spec says). */
  readonly onRetry: (ms: number) => void;
  /** Builds the error thrown when an event grows past `maxEventSize`. */
  readonly tooLarge: (size: number) => Error;
}

/** See the module comment. One instance per connection. */
export class EventScanner {
  readonly #options: ScannerOptions;
  /** The unfinished line, as the chunks (or their ends) that hold it. */
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  /** The last line ended with a CR: a LF that comes next is the rest of a CRLF. */
  #skipLF = false;
  /** Nothing decoded yet: a BOM here is stripped. */
  #atStart = true;
  /** The last event ID buffer (spec), updated when an `id` field is parsed. */
  #lastId: string;
  // The block being read.
  #data = '';
  #dataLines = 0;
  #dataBytes = 0;
  #event = '';
  #id: string | undefined;
  // Blocks scanned and not yet taken by the transport.
  #queue: DispatchRecord[] = [];
  #head = 0;

  constructor(options: ScannerOptions) {
    this.#options = options;
    this.#lastId = options.lastEventId;
  }

  /**
   * Scans one chunk; the blocks it completes are then available from {@link shift}, in order.
   * Throws `tooLarge()` past `maxEventSize` (the blocks completed before that remain queued).
   */
  push(chunk: Uint8Array): void {
    let from = 0;
    if (this.#heldBytes > 0) {
      // The first line end of this chunk ends the held line: join it once and scan it alone.
      let end = chunk.indexOf(LF);
      // A CR can only come first if it is before the LF: never search past the LF.
      const cr = (end === -1 ? chunk : chunk.subarray(0, end)).indexOf(CR);
      if (cr !== -1) end = cr;
      if (end === -1) {
        this.#hold(chunk);
        return;
      }
      from = end + 1;
      this.#held.push(chunk.subarray(0, from));
      const line = concat(this.#held, this.#heldBytes + from);
      this.#held = [];
      this.#heldBytes = 0;
      this.#scan(line);
    }
    if (from < chunk.length) this.#scan(from === 0 ? chunk : chunk.subarray(from));
  }

  /** The next block scanned, if any: an event, or the last event ID a block without data left. */
  shift(): DispatchRecord | undefined {
    const record = this.#queue[this.#head];
    if (record === undefined) return undefined;
    this.#queue[this.#head++] = undefined as unknown as DispatchRecord;
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    }
    return record;
  }

  #check(size: number): void {
    if (size > this.#options.maxEventSize) throw this.#options.tooLarge(size);
  }

  /** Holds bytes of the unfinished line. */
  #hold(bytes: Uint8Array): void {
    this.#heldBytes += bytes.length;
    this.#check(this.#dataBytes + this.#heldBytes);
    this.#held.push(bytes);
  }

  /** Scans the lines `bytes` completes and holds the rest. */
  #scan(bytes: Uint8Array): void {
    const text = decode(bytes);
    const ascii = text.length === bytes.length;
    const length = text.length;
    let pos = 0;
    // Where `pos` is in `bytes`, when the text is not ASCII (then they differ).
    let at = 0;
    if (this.#skipLF) {
      this.#skipLF = false;
      if (text.charCodeAt(0) === LF) pos = at = 1;
    }
    // The next CR is looked for again only once passed: a chunk without CR is searched once.
    let nextLF = text.indexOf('\n', pos);
    let nextCR = text.indexOf('\r', pos);
    while (pos < length) {
      if (nextLF !== -1 && nextLF < pos) nextLF = text.indexOf('\n', pos);
      if (nextCR !== -1 && nextCR < pos) nextCR = text.indexOf('\r', pos);
      const end = nextCR === -1 || (nextLF !== -1 && nextLF < nextCR) ? nextLF : nextCR;
      if (end === -1) break;
      if (this.#atStart) {
        // The first line (only a whole line: its start may be a BOM split between chunks).
        this.#atStart = false;
        if (text.charCodeAt(pos) === BOM) {
          pos++;
          at += 3;
        }
      }
      let extra = 0;
      if (!ascii) {
        // Line ends are ASCII and come in the same order in both: the next one of this kind in
        // the bytes is this one.
        const byteEnd = bytes.indexOf(text.charCodeAt(end), at);
        extra = byteEnd - at - (end - pos);
        at = byteEnd + 1;
      }
      this.#line(text, pos, end, extra);
      pos = end + 1;
      if (end === nextCR) {
        if (pos === length) this.#skipLF = true;
        else if (text.charCodeAt(pos) === LF) {
          pos++;
          at++;
        }
      }
    }
    if (pos < length) this.#hold(bytes.subarray(ascii ? pos : at));
  }

  /** One line, `text.slice(start, end)`; its UTF-8 form has `extra` bytes more than characters. */
  #line(text: string, start: number, end: number, extra: number): void {
    if (start === end) {
      this.#dispatch();
      return;
    }
    // A loop bounded by the line: field names are short, and `indexOf` would search past it.
    let colon = start;
    while (colon < end && text.charCodeAt(colon) !== COLON) colon++;
    if (colon === start) return; // A comment.
    let value = '';
    if (colon < end)
      value = text.slice(text.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1, end);
    switch (text.slice(start, colon)) {
      case 'data':
        // The name and the colon are ASCII: every extra byte is the value's.
        this.#dataBytes += value.length + extra + 1;
        this.#check(this.#dataBytes);
        this.#data = this.#dataLines++ === 0 ? value : `${this.#data}\n${value}`;
        break;
      case 'id':
        if (!value.includes('\0')) this.#lastId = this.#id = value;
        break;
      case 'event':
        this.#event = value;
        break;
      case 'retry':
        if (/^\d{1,15}$/.test(value)) this.#options.onRetry(+value);
    }
  }

  #dispatch(): void {
    this.#queue.push(
      this.#dataLines === 0
        ? this.#lastId
        : {
            event: this.#event || 'message',
            data: this.#data,
            id: this.#id,
            lastEventId: this.#lastId,
          },
    );
    this.#dataLines = 0;
    this.#dataBytes = 0;
    this.#data = '';
    this.#event = '';
    this.#id = undefined;
  }
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
