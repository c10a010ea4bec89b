/**
 * The demo page's logic that does not touch the DOM: the delivery ledger and the connection badge.
 */
import type { SseConnectionState } from '../../src/index.js';

/**
 * Counts a stream's numbered events as they arrive: what arrived, what should have (every id from
 * the first one seen to the highest), the ids skipped (gaps) and the ids seen twice (duplicates).
 * The server numbers each stream's events 1, 2, 3, … so any loss or repeat shows up here.
 */
export class Ledger {
  private first: number | undefined;
  private highest = 0;
  received = 0;
  gaps = 0;
  duplicates = 0;

  /** Records one event by its id; events without an id are not counted. */
  record(id: string | undefined): void {
    if (id === undefined) return;
    const n = Number(id);
    if (this.first === undefined) {
      this.first = n;
      this.highest = n;
      this.received = 1;
      return;
    }
    if (n <= this.highest) {
      this.duplicates += 1;
      return;
    }
    this.gaps += n - this.highest - 1;
    this.highest = n;
    this.received += 1;
  }

  /** How many events the stream sent since the first one this page saw. */
  get expected(): number {
    return this.first === undefined ? 0 : this.highest - this.first + 1;
  }
}

/** What a badge shows for a connection state. */
export interface Badge {
  readonly text: string;
  readonly tone: 'ok' | 'busy' | 'warn' | 'bad' | 'off';
}

export function badge(state: SseConnectionState): Badge {
  switch (state.status) {
    case 'idle':
      return { text: 'idle', tone: 'off' };
    case 'connecting':
      return { text: state.attempt === 0 ? 'connecting' : `retry #${state.attempt}`, tone: 'busy' };
    case 'open':
      return { text: 'live', tone: 'ok' };
    case 'reconnecting':
      return { text: `reconnecting · ${(state.delay / 1000).toFixed(1)} s`, tone: 'warn' };
    case 'paused':
      return { text: 'paused', tone: 'off' };
    case 'closed':
      return state.error === undefined
        ? { text: 'closed', tone: 'off' }
        : { text: 'failed', tone: 'bad' };
  }
}

/** `75` → `'1:15'`. */
export function minutesSeconds(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
