/**
 * A fault-injecting event log: each route serves a fixed log of events, resuming after
 * `last-event-id`, and ends almost every connection with a fault drawn from a seeded schedule:
 * socket drops at event boundaries, half-written events, unterminated events, clean closes,
 * stalls (headers or body), resets in the middle of the response headers, 5xx bursts, one byte at
 * a time drips, and replays of already-sent events. The log ends with a `done` event.
 */
import type { ServerResponse } from 'node:http';
import { seededRandom } from '../../support/chunking.js';
import { openSse, type SseServer } from '../../support/sse-server.js';

/** One event of a log. */
export interface LogEntry {
  readonly id: string;
  readonly event: string;
  readonly data: string;
}

/** What ends a connection (or, for `replay` and `drip`, happens during one). */
export type Fault =
  | 'http-5xx'
  | 'reset-in-headers'
  | 'stall-before-headers'
  | 'drop'
  | 'half-written-event'
  | 'unterminated-event'
  | 'clean-close'
  | 'stall'
  | 'replay'
  | 'drip';

/** Faults that end a connection: every connection but the last ends with exactly one. */
export const ENDING: readonly Fault[] = [
  'http-5xx',
  'reset-in-headers',
  'stall-before-headers',
  'drop',
  'half-written-event',
  'unterminated-event',
  'clean-close',
  'stall',
];

const SAMPLES = [
  '{"price":101.5,"currency":"\u20ac"}',
  'multi\nline\n\nwith an empty line',
  ' leading space',
  'caf\u00e9 \u65e5\u672c \ud83d\ude00',
  '',
  'a: colon',
  '\uFEFFbom first',
];

/** A log of `count` events with ids 1…count, their data tagged so cross-talk shows. */
export function makeLog(count: number, tag: string, seed: number): LogEntry[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const sample = SAMPLES[Math.floor(random() * SAMPLES.length)] ?? '';
    return {
      id: String(i + 1),
      event: random() < 0.3 ? 'update' : 'message',
      data: `${tag}#${i + 1} ${sample}`,
    };
  });
}

/** The event-stream encoding of one entry (varying line endings, as servers do). */
export function encodeEntry(entry: LogEntry, eol = '\n'): string {
  let out = entry.event === 'message' ? '' : `event: ${entry.event}${eol}`;
  out += `id: ${entry.id}${eol}`;
  for (const line of entry.data.split('\n')) out += `data: ${line}${eol}`;
  return out + eol;
}

/** Counts of what the server did. */
export interface FaultStats {
  requests: number;
  readonly faults: Record<Fault, number>;
}

export interface FaultOptions {
  readonly seed: number;
  /** Events sent per connection before its fault: 1…maxRun. */
  readonly maxRun: number;
}

/** Serves `log` at `path` with faults; returns live statistics. */
export function serveWithFaults(
  server: SseServer,
  path: string,
  log: readonly LogEntry[],
  options: FaultOptions,
): FaultStats {
  const random = seededRandom(options.seed);
  const stats: FaultStats = {
    requests: 0,
    faults: {
      'http-5xx': 0,
      'reset-in-headers': 0,
      'stall-before-headers': 0,
      drop: 0,
      'half-written-event': 0,
      'unterminated-event': 0,
      'clean-close': 0,
      stall: 0,
      replay: 0,
      drip: 0,
    },
  };
  let burst = 0;

  server.route(path, (req, res) => {
    stats.requests++;
    if (burst > 0 || random() < 0.04) {
      burst = burst > 0 ? burst - 1 : Math.floor(random() * 3);
      stats.faults['http-5xx']++;
      const status = [500, 502, 503, 504][Math.floor(random() * 4)] ?? 503;
      res.writeHead(status, { 'content-type': 'text/plain' }).end('overloaded');
      return;
    }
    const pick = random();
    if (pick < 0.03) {
      stats.faults['reset-in-headers']++;
      // Part of a status line and headers, straight on the socket, then a reset.
      req.socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/ev', () => req.socket.destroy());
      return;
    }
    if (pick < 0.04) {
      stats.faults['stall-before-headers']++;
      return; // No headers ever: the client's idleTimeout bounds the wait.
    }

    openSse(res);
    let next = Number(req.headers['last-event-id'] ?? 0);
    if (next > 0 && random() < 0.08) {
      stats.faults.replay++;
      next = Math.max(0, next - 1 - Math.floor(random() * 5)); // At-least-once servers repeat.
    }
    const eol = ['\n', '\r\n', '\r'][Math.floor(random() * 3)] ?? '\n';
    const run = 1 + Math.floor(random() * options.maxRun);
    const drip = random() < 0.05;
    if (drip) stats.faults.drip++;
    const ending = random();

    let text = ': connected\n\n';
    const last = Math.min(log.length, next + run);
    for (let i = next; i < last; i++) {
      const entry = log[i];
      if (entry !== undefined) text += encodeEntry(entry, eol);
      if (random() < 0.1) text += ': heartbeat\n';
    }
    if (last >= log.length) {
      // The log is complete: end it, and stay open until the subscriber leaves.
      write(res, `${text}event: done\ndata: end\n\n`, drip, () => undefined);
      return;
    }
    const following = encodeEntry(log[last] as LogEntry, eol);
    if (ending < 0.3) {
      stats.faults.drop++;
      write(res, text, drip, () => res.socket?.destroy());
    } else if (ending < 0.55) {
      stats.faults['half-written-event']++;
      const cut = 1 + Math.floor(random() * (following.length - 2));
      write(res, text + following.slice(0, cut), drip, () => res.socket?.destroy());
    } else if (ending < 0.7) {
      stats.faults['unterminated-event']++;
      write(res, text + following.slice(0, -eol.length), drip, () => res.end());
    } else if (ending < 0.97) {
      stats.faults['clean-close']++;
      write(res, text, drip, () => res.end());
    } else {
      stats.faults.stall++;
      write(res, text, drip, () => undefined); // Silence: the client's idleTimeout fires.
    }
  });
  return stats;
}

/** Writes `text` at once, or one byte per turn of the event loop; then `after()`. */
function write(res: ServerResponse, text: string, drip: boolean, after: () => void): void {
  const bytes = Buffer.from(text, 'utf8');
  if (!drip) {
    res.write(bytes, () => {
      if (!res.destroyed) after();
    });
    return;
  }
  let at = 0;
  const step = (): void => {
    if (res.destroyed) return;
    if (at >= bytes.length) {
      after();
      return;
    }
    res.write(bytes.subarray(at, at + 1));
    at++;
    setImmediate(step);
  };
  step();
}

/** The total of the faults that end a connection. */
export function endingFaults(stats: FaultStats): number {
  return ENDING.reduce((sum, fault) => sum + stats.faults[fault], 0);
}
