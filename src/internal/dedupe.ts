/**
 * Dropping events a server repeats after a resume.
 *
 * @internal
 * @module
 */
import type { SseDedupe, SseMessage } from '../types.js';

/** How many delivered events (with an id) `'auto'` remembers to recognise a repeat. */
const DEDUPE_WINDOW = 1000;

/** Whether two events are the same event: same id, same name, same data. */
function same(a: SseMessage, b: SseMessage): boolean {
  return a.id === b.id && a.data === b.data && a.event === b.event;
}

/**
 * Per-subscription dedupe state.
 *
 * `'auto'` drops an event only when it is a true repeat: on a resumed connection, before the
 * first event that is new, an event whose id, name and data equal one of the last
 * {@link DEDUPE_WINDOW} delivered. A restarted server whose ids start again sends new data and
 * loses nothing. `{ compare }` drops, on a resumed connection, events whose id is not after the
 * highest delivered until one is.
 */
export class Deduper {
  /** `'auto'`: the latest delivered events with an id, oldest first (up to twice the window). */
  private recent: SseMessage[] | undefined;
  /** `'auto'`: where the last repeat was found, to look right after it for the next one. */
  private cursor = -1;
  /** `{ compare }`: the highest id delivered. */
  private highest: string | undefined;
  private replaying = false;
  private readonly compare: ((a: string, b: string) => number) | undefined;
  private readonly off: boolean;

  constructor(mode: SseDedupe) {
    this.off = mode === false;
    this.compare = mode === false || mode === 'auto' ? undefined : mode.compare;
  }

  /** A connection starts; `resumed` when it is not the first. */
  connection(resumed: boolean): void {
    this.replaying = resumed && (this.highest !== undefined || this.recent !== undefined);
    this.cursor = -1;
  }

  /** Whether to deliver `message`; records it when delivered. */
  accept(message: SseMessage): boolean {
    const { id } = message;
    // No id of its own, or `id:` with an empty value: never a repeat of anything, and outside the
    // numbered sequence (a snapshot sent before the replay): the replay may still follow.
    if (this.off || id === undefined || id === '') return true;
    if (this.compare !== undefined) {
      if (this.highest === undefined || this.compare(id, this.highest) > 0) {
        this.highest = id;
        this.replaying = false;
        return true;
      }
      return !this.replaying;
    }
    if (this.replaying) {
      if (this.isRepeat(message)) return false;
      this.replaying = false;
    }
    const recent = (this.recent ??= []);
    recent.push(message);
    if (recent.length >= 2 * DEDUPE_WINDOW) recent.splice(0, DEDUPE_WINDOW);
    return true;
  }

  /** Whether `message` equals a remembered one: right after the last repeat first, then any. */
  private isRepeat(message: SseMessage): boolean {
    const recent = this.recent ?? [];
    const next = this.cursor + 1;
    if (next > 0 && next < recent.length && same(recent[next] as SseMessage, message)) {
      this.cursor = next;
      return true;
    }
    for (let i = recent.length - 1; i >= Math.max(0, recent.length - DEDUPE_WINDOW); i--) {
      if (same(recent[i] as SseMessage, message)) {
        this.cursor = i;
        return true;
      }
    }
    return false;
  }
}
