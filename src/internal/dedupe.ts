/**
 * Dropping events a server repeats after a resume.
 *
 * @internal
 * @module
 */
import type { SseDedupe, SseMessage } from '../types.js';

const DECIMAL = /^\d{1,15}$/;

const compareDecimal = (a: string, b: string): number => Number(a) - Number(b);

/** Per-subscription dedupe state. */
export class Deduper {
  private highest: string | undefined;
  private monotonic = true;
  private replaying = false;
  private readonly compare: ((a: string, b: string) => number) | undefined;
  private readonly auto: boolean;

  constructor(mode: SseDedupe) {
    this.auto = mode === 'auto';
    this.compare = mode === false ? undefined : mode === 'auto' ? compareDecimal : mode.compare;
  }

  /** A connection starts; `resumed` when it is not the first. */
  connection(resumed: boolean): void {
    this.replaying = resumed && this.highest !== undefined;
  }

  /** Whether to deliver `message`; records its id when delivered. */
  accept(message: SseMessage): boolean {
    const { id } = message;
    // No id, or `id:` with an empty value (a reset of the last event ID): nothing to order by.
    if (this.compare === undefined || !this.monotonic || id === undefined || id === '') return true;
    if (this.auto && !DECIMAL.test(id)) {
      this.monotonic = false;
      return true;
    }
    if (this.highest === undefined || this.compare(id, this.highest) > 0) {
      this.highest = id;
      this.replaying = false;
      return true;
    }
    if (this.replaying) return false;
    // Not increasing on a live connection: ids are not ordered, stop deduplicating.
    this.monotonic = false;
    return true;
  }
}
