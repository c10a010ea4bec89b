/**
 * Dropping events a server repeats after a resume.
 *
 * @internal
 * @module
 */
import type { SseDedupe, SseMessage } from '../types.js';

/** The value of a decimal id of at most 15 digits, or -1 (cheaper than a regex per event). */
function decimal(id: string): number {
  if (id.length > 15) return -1;
  let value = 0;
  for (let i = 0; i < id.length; i++) {
    const digit = id.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Per-subscription dedupe state. */
export class Deduper {
  /** The highest id delivered: its value in `'auto'` mode, the id itself with `compare`. */
  private highestValue = -1;
  private highest: string | undefined;
  private monotonic = true;
  private replaying = false;
  private readonly compare: ((a: string, b: string) => number) | undefined;
  private readonly off: boolean;

  constructor(mode: SseDedupe) {
    this.off = mode === false;
    this.compare = mode === false || mode === 'auto' ? undefined : mode.compare;
  }

  /** A connection starts; `resumed` when it is not the first. */
  connection(resumed: boolean): void {
    this.replaying = resumed && (this.highest !== undefined || this.highestValue >= 0);
  }

  /** Whether to deliver `message`; records its id when delivered. */
  accept(message: SseMessage): boolean {
    const { id } = message;
    // No id, or `id:` with an empty value (a reset of the last event ID): nothing to order by.
    if (this.off || !this.monotonic || id === undefined || id === '') return true;
    let newer: boolean;
    if (this.compare === undefined) {
      const value = decimal(id);
      if (value < 0) {
        this.monotonic = false; // Not a decimal id: 'auto' cannot order these ids.
        return true;
      }
      newer = value > this.highestValue;
      if (newer) this.highestValue = value;
    } else {
      newer = this.highest === undefined || this.compare(id, this.highest) > 0;
      if (newer) this.highest = id;
    }
    if (newer) {
      this.replaying = false;
      return true;
    }
    if (this.replaying) return false;
    // Not increasing on a live connection: ids are not ordered, stop deduplicating.
    this.monotonic = false;
    return true;
  }
}
