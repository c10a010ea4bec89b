/**
 * A byte-level scanner that runs ahead of fetch-event-source's parser on the same bytes.
 *
 * fetch-event-source parses the stream and calls `onmessage` on every blank line. Its parser
 * deviates from the WHATWG rules in ways a wrapper cannot see from the messages alone (a heartbeat
 * comment and `data:` with an empty value both arrive as `{ data: '' }`; ids with NUL are kept;
 * leading empty data lines are dropped; the `id` is not carried forward). It also re-copies a long
 * line on every chunk (quadratic time).
 *
 * The scanner reads each chunk first and, per blank line, queues the facts the spec needs: whether
 * the block had data, its event type, its id (NUL ids ignored), the last event ID, and — only for
 * the rare blocks where fetch-event-source's `data` differs from the spec's — how to rebuild it. It
 * decodes only the short fields (`event`, `id`); the payload is decoded once, by the transport.
 * It hands fetch-event-source complete lines only, so a long line is copied once; and it enforces
 * `maxEventSize` on the bytes it holds and on the data an event accumulates.
 *
 * @internal
 * @module
 */

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
 * How one data line contributes to the spec's data and to fetch-event-source's:
 * - `keep`: both have the value;
 * - `keep-bom`: both, but fetch-event-source lost a leading U+FEFF;
 * - `empty`: the spec has `''`, fetch-event-source dropped the line (leading empty value, or a
 *   `data` line without a colon);
 * - `bom`: the spec has `'\uFEFF'`, fetch-event-source dropped it;
 * - `fes-only`: fetch-event-source took `\uFEFFdata:` for `data:`; the spec ignores the line.
 */
export type DataLineKind = 'keep' | 'keep-bom' | 'empty' | 'bom' | 'fes-only';

/** What the spec says about one block ended by a blank line. */
export interface DispatchRecord {
  /** Whether the data buffer is non-empty, i.e. whether this block is a message at all. */
  readonly hasData: boolean;
  /** The event type buffer; `''` means `'message'`. */
  readonly event: string;
  /** This block's own accepted `id` field, if any. */
  readonly id: string | undefined;
  /** The last event ID after this block. */
  readonly lastEventId: string;
  /** `null` when fetch-event-source's data is right; otherwise how to rebuild it. */
  readonly repair: readonly DataLineKind[] | null;
}

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
  private keeps = 0;
  private kinds: DataLineKind[] | null = null;
  private fesEmpty = true;
  private eventType = '';
  private blockId: string | undefined = undefined;
  // Dispatches that fetch-event-source has not reached yet.
  private readonly queue: DispatchRecord[] = [];
  private head = 0;

  constructor(private readonly options: ScannerOptions) {
    this.idBuffer = options.lastEventId;
  }

  /**
   * Scans one chunk. Returns the bytes fetch-event-source may parse now — complete lines only —
   * or `null` when the chunk did not complete a line. Throws `tooLarge()` past `maxEventSize`.
   */
  push(chunk: Uint8Array): Uint8Array | null {
    let buf = chunk;
    if (this.held.length > 0) {
      const end = this.findTerminator(chunk, 0);
      this.heldBytes += chunk.length;
      if (end === -1) {
        this.checkSize(this.dataBytes + this.heldBytes);
        this.held.push(chunk);
        return null;
      }
      this.held.push(chunk);
      buf = concat(this.held, this.heldBytes);
      this.held = [];
      this.heldBytes = 0;
    }
    return this.scan(buf);
  }

  /** The facts of the next blank line fetch-event-source will dispatch. */
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

  private scan(buf: Uint8Array): Uint8Array | null {
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
    return lineStart === 0 ? null : buf.subarray(0, lineStart);
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

    const specData = equals(buf, at, nameEnd, DATA);
    // fetch-event-source decodes the raw field name, which strips one leading BOM anywhere.
    const fesData =
      hasColon &&
      colon > start &&
      (equals(buf, start, colon, DATA) ||
        (startsWith(buf, start, colon, BOM) && equals(buf, start + 3, colon, DATA)));
    if (specData || fesData) {
      this.dataLine(buf, valueStart, end, specData, fesData);
      this.checkSize(this.dataBytes);
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

  private dataLine(
    buf: Uint8Array,
    valueStart: number,
    end: number,
    specData: boolean,
    fesData: boolean,
  ): void {
    this.dataBytes += end - valueStart + 1;
    let kind: DataLineKind | null;
    const bomLead = startsWith(buf, valueStart, end, BOM);
    let fesKept = false;
    if (fesData) {
      const decodedEmpty = end === valueStart || (bomLead && end - valueStart === 3);
      fesKept = !(this.fesEmpty && decodedEmpty);
      if (fesKept) this.fesEmpty = false;
    }
    if (specData) {
      this.dataLines++;
      if (fesData && fesKept) kind = bomLead ? 'keep-bom' : 'keep';
      else kind = fesData && bomLead ? 'bom' : 'empty';
    } else {
      kind = fesKept ? 'fes-only' : null;
    }
    if (kind === 'keep' && this.kinds === null) {
      this.keeps++;
    } else if (kind !== null) {
      this.kinds ??= new Array<DataLineKind>(this.keeps).fill('keep');
      this.kinds.push(kind);
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
    this.queue.push({
      hasData: this.dataLines > 0,
      event: this.eventType,
      id: this.blockId,
      lastEventId: this.idBuffer,
      repair: this.kinds,
    });
    this.dataLines = 0;
    this.dataBytes = 0;
    this.keeps = 0;
    this.kinds = null;
    this.fesEmpty = true;
    this.eventType = '';
    this.blockId = undefined;
  }
}

/** Rebuilds the spec's data from fetch-event-source's, for a block with a repair plan. */
export function repairData(fesData: string, kinds: readonly DataLineKind[]): string {
  const segments = fesData === '' ? [] : fesData.split('\n');
  const out: string[] = [];
  let next = 0;
  for (const kind of kinds) {
    if (kind === 'keep') out.push(segments[next++] ?? '');
    else if (kind === 'keep-bom') out.push(`\uFEFF${segments[next++] ?? ''}`);
    else if (kind === 'empty') out.push('');
    else if (kind === 'bom') out.push('\uFEFF');
    else next++;
  }
  return next === segments.length ? out.join('\n') : fesData;
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
