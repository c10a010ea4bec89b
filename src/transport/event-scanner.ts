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
 * The scanner finds line ends with `indexOf`, keeps an unfinished line as a list of chunks and
 * joins it once, when it ends (so a long line is copied once), decodes each data value once, and
 * enforces `maxEventSize` on the bytes it holds and on the data an event accumulates.
 *
 * @internal
 * @module
 */
import type { SseMessage } from '../types.js';

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const BOM = [0xef, 0xbb, 0xbf] as const;
const DATA = [0x64, 0x61, 0x74, 0x61] as const;
const ID = [0x69, 0x64] as const;
const EVENT = [0x65, 0x76, 0x65, 0x6e, 0x74] as const;
const RETRY = [0x72, 0x65, 0x74, 0x72, 0x79] as const;

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

/** Longest value {@link decodeField} builds itself; past it the decoder is cheaper. */
const SHORT_FIELD = 32;

/**
 * Decodes a field value (`id`, `event`): short ASCII values, the usual case, are built directly,
 * which is several times cheaper than a `TextDecoder` call on a new view; anything else is decoded.
 */
function decodeField(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT_FIELD) {
    let text = '';
    for (let i = start; i < end; i++) {
      const byte = buf[i] as number;
      if (byte >= 0x80) return decode(buf.subarray(start, end));
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return decode(buf.subarray(start, end));
}

function startsWith(buf: Uint8Array, at: number, end: number, bytes: readonly number[]): boolean {
  if (end - at < bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

function equals(buf: Uint8Array, at: number, end: number, bytes: readonly number[]): boolean {
  return end - at === bytes.length && startsWith(buf, at, end, bytes);
}

/** See the module comment. One instance per connection. */
export class EventScanner {
  /** The last event ID buffer (spec), updated when an `id` field is parsed. */
  private idBuffer: string;
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private skipLF = false;
  private atStart = true;
  // The block being read.
  private dataLines = 0;
  private dataBytes = 0;
  private data = '';
  private eventType = '';
  private blockId: string | undefined = undefined;
  // Blocks scanned and not yet taken by the transport.
  private readonly queue: DispatchRecord[] = [];
  private head = 0;

  constructor(private readonly options: ScannerOptions) {
    this.idBuffer = options.lastEventId;
  }

  /**
   * Scans one chunk; the blocks it completes are then available from {@link shift}, in order.
   * Throws `tooLarge()` past `maxEventSize` (the blocks completed before that remain queued).
   */
  push(chunk: Uint8Array): void {
    let buf = chunk;
    if (this.held.length > 0) {
      const end = this.findTerminator(chunk, 0);
      this.heldBytes += chunk.length;
      if (end === -1) {
        this.checkSize(this.dataBytes + this.heldBytes);
        this.held.push(chunk);
        return;
      }
      this.held.push(chunk);
      buf = concat(this.held, this.heldBytes);
      this.held = [];
      this.heldBytes = 0;
    }
    this.scan(buf);
  }

  /** The next block scanned, if any: an event, or the last event ID a block without data left. */
  shift(): DispatchRecord | undefined {
    const record = this.queue[this.head];
    if (record === undefined) return undefined;
    this.queue[this.head++] = undefined as unknown as DispatchRecord;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    return record;
  }

  private findTerminator(buf: Uint8Array, from: number): number {
    const lf = buf.indexOf(LF, from);
    if (lf === -1) return buf.indexOf(CR, from);
    // A CR can only come first if it is before the LF: never search past the LF (an unbounded
    // search for a CR that is not there reads the whole chunk).
    for (let i = from; i < lf; i++) if (buf[i] === CR) return i;
    return lf;
  }

  private scan(buf: Uint8Array): void {
    const length = buf.length;
    let pos = 0;
    if (this.skipLF && length > 0) {
      this.skipLF = false;
      if (buf[0] === LF) pos = 1;
    }
    let lineStart = pos;
    let nextLF = buf.indexOf(LF, pos);
    let nextCR = buf.indexOf(CR, pos);
    while (pos < length) {
      if (nextLF !== -1 && nextLF < pos) nextLF = buf.indexOf(LF, pos);
      if (nextCR !== -1 && nextCR < pos) nextCR = buf.indexOf(CR, pos);
      const end = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR);
      if (end === -1) break;
      this.line(buf, lineStart, end);
      if (buf[end] === CR) {
        if (end + 1 < length) pos = buf[end + 1] === LF ? end + 2 : end + 1;
        else {
          pos = end + 1;
          this.skipLF = true;
        }
      } else {
        pos = end + 1;
      }
      lineStart = pos;
    }
    if (lineStart < length) {
      const rest = buf.subarray(lineStart);
      this.checkSize(this.dataBytes + rest.length);
      this.held.push(rest);
      this.heldBytes = rest.length;
    }
  }

  private checkSize(size: number): void {
    if (size > this.options.maxEventSize) throw this.options.tooLarge(size);
  }

  private line(buf: Uint8Array, start: number, end: number): void {
    let at = start;
    if (this.atStart) {
      this.atStart = false;
      if (startsWith(buf, at, end, BOM)) at += 3;
    }
    if (end === start) {
      this.dispatch();
      return;
    }
    if (at === end) return; // A first line that was only a BOM: an empty block, nothing to do.
    // A loop bounded by the line: field names are short, and `indexOf` would search past the line.
    let colon = at;
    while (colon < end && buf[colon] !== COLON) colon++;
    const hasColon = colon < end;
    if (hasColon && colon === at) return; // Comment.
    const nameEnd = hasColon ? colon : end;
    let valueStart = end;
    if (hasColon) valueStart = colon + 1 < end && buf[colon + 1] === SPACE ? colon + 2 : colon + 1;

    if (equals(buf, at, nameEnd, DATA)) {
      this.dataBytes += end - valueStart + 1;
      this.checkSize(this.dataBytes);
      const value = valueStart === end ? '' : decode(buf.subarray(valueStart, end));
      this.data = this.dataLines++ === 0 ? value : `${this.data}\n${value}`;
    } else if (equals(buf, at, nameEnd, ID)) {
      if (buf.subarray(valueStart, end).indexOf(0) === -1) {
        this.blockId = decodeField(buf, valueStart, end);
        this.idBuffer = this.blockId;
      }
    } else if (equals(buf, at, nameEnd, EVENT)) {
      this.eventType = decodeField(buf, valueStart, end);
    } else if (equals(buf, at, nameEnd, RETRY)) {
      this.retry(buf, valueStart, end);
    }
  }

  private retry(buf: Uint8Array, start: number, end: number): void {
    if (start === end || end - start > 15) return;
    let ms = 0;
    for (let i = start; i < end; i++) {
      const digit = (buf[i] ?? 0) - 0x30;
      if (digit < 0 || digit > 9) return;
      ms = ms * 10 + digit;
    }
    this.options.onRetry(ms);
  }

  private dispatch(): void {
    this.queue.push(
      this.dataLines === 0
        ? this.idBuffer
        : {
            event: this.eventType === '' ? 'message' : this.eventType,
            data: this.data,
            id: this.blockId,
            lastEventId: this.idBuffer,
          },
    );
    this.dataLines = 0;
    this.dataBytes = 0;
    this.data = '';
    this.eventType = '';
    this.blockId = undefined;
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
