/**
 * One connection for every tab: a holder tab, elected with the Web Locks API, runs the request and
 * relays its raw messages and connection states over a `BroadcastChannel`; the other tabs follow.
 *
 * Each subscription of a tab is a {@link Participant}, a small state machine:
 *
 * - `following`: queued for the lock (or waiting for it to become free), delivering what the
 *   holder relays;
 * - `settling`: the lock is ours, but the holder before us may still have messages in flight; wait
 *   for its `end` (at most {@link SETTLE_MS}) so that we resume from the last event it delivered;
 * - `holding`: our own connection, resumed with `Last-Event-ID` = the last event delivered to the
 *   tabs; everything it yields is relayed;
 * - `ended`: unsubscribed, failed or completed; the lock is released, the channel closed.
 *
 * Ordering rules that keep every tab's events contiguous across a handover:
 * - a holder numbers its term with an `epoch` greater than any seen; messages of older epochs are
 *   dropped, and a newer holder's messages wait until the older one has said `end` (or settled);
 * - `hold` and `end` carry the holder's latest events, so a tab that is behind catches up, and a
 *   tab that has not seen anything yet starts where the stream is (plus `replay` events);
 * - right after a handover, events whose `id` a tab has already delivered are dropped: a server
 *   resuming from `Last-Event-ID` may repeat the events around it.
 *
 * @internal
 * @module
 */
import { Observable, type Subscriber, type Subscription } from 'rxjs';
import type { SseConnectionState, SseMessage } from '../types.js';
import {
  errorFromWire,
  errorToWire,
  stateFromWire,
  stateToWire,
  type WireError,
  type WireState,
} from './wire.js';

/** The part of the Web Locks API (`navigator.locks`) cross-tab sharing uses. */
export interface TabLocks {
  request(
    name: string,
    options: { readonly ifAvailable?: boolean; readonly signal?: AbortSignal },
    granted: (lock: unknown) => Promise<void> | void,
  ): Promise<unknown>;
}

/** One tab's end of a channel: what it posts reaches every other end with the same name. */
export interface TabChannel {
  post(message: unknown): void;
  close(): void;
}

/** What the tabs of one browser profile share: locks, and channels by name. */
export interface Tabs {
  readonly locks: TabLocks;
  open(name: string, receive: (message: unknown) => void): TabChannel;
}

/**
 * The browser's locks and channels, or `undefined` where either is missing (Node, SSR, older
 * browsers): then sharing stays inside the tab.
 */
export function browserTabs(): Tabs | undefined {
  const scope = globalThis as {
    navigator?: { locks?: LockManager };
    BroadcastChannel?: typeof BroadcastChannel;
  };
  const locks = scope.navigator?.locks;
  const Channel = scope.BroadcastChannel;
  if (typeof locks?.request !== 'function' || typeof Channel !== 'function') return undefined;
  return {
    locks: { request: (name, options, granted) => locks.request(name, options, granted) },
    open(name, receive) {
      const channel = new Channel(name);
      channel.onmessage = (event: MessageEvent) => receive(event.data);
      return { post: (message) => channel.postMessage(message), close: () => channel.close() };
    },
  };
}

/** FNV-1a, 128 bits. */
const FNV_PRIME = 0x0000000001000000000000000000013bn;
const FNV_OFFSET = 0x6c62272e07bb014262b821756295c58dn;
const MASK_128 = (1n << 128n) - 1n;

/**
 * The lock and channel name of a cross-tab key: `rx-sse:` and a 128-bit hash of the key, so that
 * the URL, body and `share.key` (which may name the user) are never shown to other scripts of the
 * origin (`navigator.locks.query()` lists lock names).
 */
export function crossTabName(key: string): string {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(key)) {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_128;
  }
  return `rx-sse:${hash.toString(36)}`;
}

/** Longest wait, in ms, for the previous holder's last words before taking over. */
export const SETTLE_MS = 300;

/** How many of the latest events every tab keeps, to catch up another tab after a handover. */
const HISTORY = 64;

/** Protocol version: tabs running another version of rx-sse ignore each other's messages. */
const VERSION = 1;

type Outcome = 'left' | 'error' | 'complete';

/** What the tabs say to each other. */
type Wire =
  | { readonly v: 1; readonly from: string; readonly t: 'hello' }
  | {
      readonly v: 1;
      readonly from: string;
      readonly t: 'hold';
      readonly epoch: number;
      /** Only this tab should listen (the answer to its `hello`); everyone when absent. */
      readonly to?: string;
      readonly history: readonly SseMessage[];
      readonly state?: WireState;
    }
  | {
      readonly v: 1;
      readonly from: string;
      readonly t: 'msg';
      readonly epoch: number;
      readonly message: SseMessage;
    }
  | {
      readonly v: 1;
      readonly from: string;
      readonly t: 'state';
      readonly epoch: number;
      readonly state: WireState;
    }
  | {
      readonly v: 1;
      readonly from: string;
      readonly t: 'end';
      readonly epoch: number;
      readonly outcome: Outcome;
      readonly error?: WireError;
      readonly history: readonly SseMessage[];
    };

type HoldWire = Extract<Wire, { t: 'hold' }>;
/** What a holder says during its term, after `hold`. */
type TermWire = Extract<Wire, { t: 'msg' | 'state' | 'end' }>;

function isWire(data: unknown): data is Wire {
  const message = data as Partial<Wire> | null;
  return (
    typeof message === 'object' &&
    message !== null &&
    message.v === VERSION &&
    typeof message.from === 'string' &&
    typeof message.t === 'string'
  );
}

function sameMessage(a: SseMessage, b: SseMessage): boolean {
  return (
    a.id === b.id && a.lastEventId === b.lastEventId && a.event === b.event && a.data === b.data
  );
}

/** A structured-clone-safe copy of a message (it may carry extra fields). */
function plain(message: SseMessage): SseMessage {
  const { event, data, id, lastEventId } = message;
  return { event, data, id, lastEventId };
}

function randomId(): string {
  return `${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
}

/** What a {@link crossTabStream} needs. */
export interface CrossTabOptions {
  /** The lock and channel name, from {@link crossTabName}. */
  readonly name: string;
  readonly tabs: Tabs;
  /**
   * Opens this tab's own connection when it becomes the holder, resuming after `lastEventId`
   * (`undefined`: nothing was delivered yet, use the call's own). Reports its states to `report`.
   */
  readonly connect: (
    lastEventId: string | undefined,
    report: (state: SseConnectionState) => void,
  ) => Observable<SseMessage>;
  /** Receives the shared connection's states, whichever tab holds it. */
  readonly report: (state: SseConnectionState) => void;
  /** How many past events a tab joining a running connection receives at once. */
  readonly replay: number;
  /**
   * `true` while nobody in this tab is subscribed (the in-tab grace period): a lingering tab does
   * not take over the connection for nobody; it keeps it if it holds it.
   */
  readonly lingering?: Observable<boolean>;
  /** See {@link SETTLE_MS}. */
  readonly settle?: number;
  /** Clock for epochs, ms. */
  readonly now?: () => number;
}

/** Where a participant is; see the module's description. */
export type Phase = 'following' | 'settling' | 'holding' | 'ended';

/** The holder whose messages a tab delivers: its epoch, its tab, whether it said `end`. */
interface Term {
  readonly epoch: number;
  readonly from: string;
  ended: boolean;
}

/** One tab's part in a cross-tab connection, for one subscription. */
export class Participant {
  phase: Phase = 'following';
  private readonly id = randomId();
  private readonly settleMs: number;
  private readonly now: () => number;
  private readonly keep: number;
  private channel: TabChannel | undefined;
  /** The latest events of the stream this tab knows (delivered, or heard of when joining). */
  private recent: SseMessage[] = [];
  /** Whether this tab knows where the stream is: `recent` is its position. */
  private known = false;
  private term: Term | undefined;
  /** A newer holder, heard of before the current one said `end`: its messages wait. */
  private next: { readonly hold: HoldWire; readonly buffer: TermWire[] } | undefined;
  private highestEpoch = 0;
  /** After a handover: ids already delivered, dropped when the resumed stream repeats them. */
  private skip: Set<string> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private connection: Subscription | undefined;
  private queued: AbortController | undefined;
  private release: (() => void) | undefined;
  private state: SseConnectionState | undefined;
  private lingering = false;
  private ended = false;
  private failure: { readonly error: unknown } | undefined;

  constructor(
    private readonly options: CrossTabOptions,
    private readonly subscriber: Subscriber<SseMessage>,
  ) {
    this.settleMs = options.settle ?? SETTLE_MS;
    this.now = options.now ?? Date.now;
    this.keep = Math.max(HISTORY, options.replay);
  }

  /** Joins: says hello, and takes the lock at once if it is free, else queues for it. */
  start(): void {
    this.channel = this.options.tabs.open(this.options.name, (data) => this.receive(data));
    this.report({ status: 'connecting', attempt: 0 });
    this.post({ t: 'hello' });
    this.options.tabs.locks
      .request(this.options.name, { ifAvailable: true }, (lock) =>
        lock === null || lock === undefined ? this.enqueue() : this.granted(true),
      )
      .catch(() => undefined);
  }

  /** In-tab subscribers left (`true`) or came back (`false`). */
  linger(lingering: boolean): void {
    if (lingering === this.lingering) return;
    this.lingering = lingering;
    if (this.phase === 'holding' || this.phase === 'ended') return;
    if (lingering) {
      this.queued?.abort();
      this.queued = undefined;
      if (this.phase === 'settling') {
        this.clearTimer();
        this.phase = 'following';
        this.releaseLock();
      }
    } else if (this.queued === undefined && this.release === undefined) {
      this.enqueue();
    }
  }

  /** Unsubscribed, failed or completed: says `end` if holding, releases the lock, closes. */
  stop(): void {
    if (this.phase === 'ended') return;
    const holding = this.phase === 'holding';
    this.phase = 'ended';
    this.clearTimer();
    if (holding) {
      this.connection?.unsubscribe();
      if (!this.ended) this.postEnd('left');
    }
    this.queued?.abort();
    this.queued = undefined;
    this.releaseLock();
    this.channel?.close();
    this.report(
      this.failure === undefined ? { status: 'closed' } : { status: 'closed', ...this.failure },
    );
  }

  // -- the lock ------------------------------------------------------------------------------

  private enqueue(): void {
    if (this.phase !== 'following' || this.lingering || this.queued !== undefined) return;
    const queued = new AbortController();
    this.queued = queued;
    this.options.tabs.locks
      .request(this.options.name, { signal: queued.signal }, () => this.granted(false))
      .catch(() => undefined);
  }

  /** The lock is ours until the returned promise settles. */
  private granted(immediately: boolean): Promise<void> | void {
    this.queued = undefined;
    if (this.phase !== 'following' || this.lingering) return undefined;
    return new Promise<void>((resolve) => {
      this.release = resolve;
      if (immediately) this.hold();
      else this.settle();
    });
  }

  private releaseLock(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  // -- following ----------------------------------------------------------------------------

  /** Waits for the previous holder's last words, at most `settle` ms, then takes over. */
  private settle(): void {
    this.phase = 'settling';
    if (this.term?.ended === true && this.next === undefined) {
      this.hold();
      return;
    }
    this.setTimer(() => this.hold());
  }

  private receive(data: unknown): void {
    if (!isWire(data) || data.from === this.id || this.phase === 'ended') return;
    if (data.t === 'hello') {
      if (this.phase === 'holding' && this.term !== undefined) {
        this.post({
          t: 'hold',
          epoch: this.term.epoch,
          to: data.from,
          history: this.recent,
          ...(this.state === undefined ? {} : { state: stateToWire(this.state) }),
        });
      }
      return;
    }
    // The one holder hears only late news from older terms.
    if (this.phase === 'holding') return;
    this.highestEpoch = Math.max(this.highestEpoch, data.epoch);
    if (data.t === 'hold') this.onHold(data);
    else this.onTermMessage(data);
    if (this.phase === 'settling' && this.term?.ended === true && this.next === undefined) {
      this.clearTimer();
      this.hold();
    }
  }

  private onHold(hold: HoldWire): void {
    if (hold.to !== undefined && hold.to !== this.id) return;
    const term = this.term;
    if (term === undefined || (hold.epoch > term.epoch && term.ended)) {
      this.adopt(hold);
    } else if (hold.epoch === term.epoch && hold.from === term.from) {
      this.sync(hold.history); // the answer to our hello
    } else if (hold.epoch > term.epoch && hold.epoch > (this.next?.hold.epoch ?? 0)) {
      // A newer holder before the current one said `end`: its messages wait for that `end`, or
      // for `settle` ms (the current holder crashed).
      this.next = { hold, buffer: [] };
      if (this.phase === 'following') this.setTimer(() => this.switchToNext());
    }
  }

  /** Follows a new holder: catch up from its history, then drop what we have when it repeats. */
  private adopt(hold: HoldWire): void {
    const first = this.term === undefined;
    this.term = { epoch: hold.epoch, from: hold.from, ended: false };
    this.sync(hold.history);
    if (!first) this.openSkipWindow();
    if (hold.state !== undefined) this.setState(stateFromWire(hold.state));
  }

  private switchToNext(): void {
    const next = this.next;
    if (next === undefined) return;
    this.next = undefined;
    if (this.phase === 'following') this.clearTimer();
    this.adopt(next.hold);
    for (const message of next.buffer) this.onTermMessage(message);
  }

  private onTermMessage(message: TermWire): void {
    const term = this.term;
    const next = this.next;
    if (
      next !== undefined &&
      message.epoch === next.hold.epoch &&
      message.from === next.hold.from
    ) {
      next.buffer.push(message);
      return;
    }
    const current =
      term !== undefined && message.epoch === term.epoch && message.from === term.from;
    if (message.t === 'end' && (current || (term === undefined && !this.known))) {
      this.onEnd(message);
      return;
    }
    // Older terms are over; a term we have no `hold` of is one we joined late: its answer to our
    // hello brings us in.
    if (!current) return;
    if (message.t === 'msg') this.accept(message.message);
    else if (message.t === 'state') this.setState(stateFromWire(message.state));
  }

  private onEnd(end: Extract<Wire, { t: 'end' }>): void {
    this.term = { epoch: end.epoch, from: end.from, ended: true };
    this.sync(end.history);
    if (end.outcome === 'error') {
      this.fail(
        end.error === undefined
          ? new Error('The shared connection failed')
          : errorFromWire(end.error),
      );
    } else if (end.outcome === 'complete') {
      this.subscriber.complete();
    } else if (this.next !== undefined) {
      this.switchToNext();
    }
  }

  /**
   * Lines this tab up with a holder's latest events: a tab that knows nothing yet starts at their
   * end (after delivering the last `replay`); a tab behind delivers what it missed.
   */
  private sync(history: readonly SseMessage[]): void {
    if (history.length === 0) return;
    if (!this.known) {
      this.recent = history.slice(-this.keep).map(plain);
      this.known = true;
      const replay = this.options.replay;
      if (replay > 0) for (const message of history.slice(-replay)) this.subscriber.next(message);
      return;
    }
    const last = this.recent[this.recent.length - 1];
    if (last === undefined) return;
    let at = history.length - 1;
    while (at >= 0 && !sameMessage(history[at] as SseMessage, last)) at--;
    if (at < 0) return; // ahead of this history (or unrelated): the skip window handles repeats
    for (const message of history.slice(at + 1)) this.deliver(message);
  }

  private openSkipWindow(): void {
    const ids = this.recent
      .map((message) => message.id)
      .filter((id) => id !== undefined && id !== '');
    this.skip = ids.length === 0 ? undefined : new Set(ids as string[]);
  }

  private setState(state: SseConnectionState): void {
    if (state.status === 'closed') return; // a follower closes with its own end
    this.state = state;
    this.report(state);
  }

  // -- holding ------------------------------------------------------------------------------

  /** Takes over: announces the new term, then connects from the last event the tabs delivered. */
  private hold(): void {
    this.clearTimer();
    if (this.phase === 'ended') return;
    this.next = undefined;
    this.phase = 'holding';
    const epoch = Math.max(this.highestEpoch + 1, this.now());
    this.highestEpoch = epoch;
    this.term = { epoch, from: this.id, ended: false };
    this.post({ t: 'hold', epoch, history: this.recent });
    this.openSkipWindow();
    const lastEventId = this.known ? this.recent[this.recent.length - 1]?.lastEventId : undefined;
    this.connection = this.options
      .connect(lastEventId, (state) => this.holderState(state))
      .subscribe({
        next: (message) => this.accept(message),
        error: (error: unknown) => {
          this.postEnd('error', error);
          this.fail(error);
        },
        complete: () => {
          this.postEnd('complete');
          this.subscriber.complete();
        },
      });
  }

  private holderState(state: SseConnectionState): void {
    if (this.phase !== 'holding' || state.status === 'closed') return;
    this.setState(state);
    if (this.term !== undefined) {
      this.post({ t: 'state', epoch: this.term.epoch, state: stateToWire(state) });
    }
  }

  private postEnd(outcome: Outcome, error?: unknown): void {
    if (this.term === undefined) return;
    this.ended = true;
    this.post({
      t: 'end',
      epoch: this.term.epoch,
      outcome,
      history: this.recent,
      ...(outcome === 'error' ? { error: errorToWire(error) } : {}),
    });
  }

  // -- delivering ---------------------------------------------------------------------------

  /** A message of the current term (relayed, or our own connection's). */
  private accept(message: SseMessage): void {
    const id = message.id;
    if (this.skip !== undefined && id !== undefined && id !== '') {
      if (this.skip.has(id)) return;
      this.skip = undefined;
    }
    this.deliver(message);
  }

  private deliver(message: SseMessage): void {
    const copy = plain(message);
    this.recent.push(copy);
    if (this.recent.length > this.keep) this.recent.shift();
    this.known = true;
    if (this.phase === 'holding' && this.term !== undefined) {
      this.post({ t: 'msg', epoch: this.term.epoch, message: copy });
    }
    this.subscriber.next(message);
  }

  private fail(error: unknown): void {
    this.failure = { error };
    this.subscriber.error(error);
  }

  private report(state: SseConnectionState): void {
    this.options.report(state);
  }

  private post(message: Record<string, unknown>): void {
    this.channel?.post({ v: VERSION, from: this.id, ...message });
  }

  private setTimer(run: () => void): void {
    this.clearTimer();
    this.timer = setTimeout(run, this.settleMs);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * The messages of a connection shared by every tab: subscribing joins (holding the connection or
 * following the holder), unsubscribing leaves (handing the connection over if held).
 */
export function crossTabStream(options: CrossTabOptions): Observable<SseMessage> {
  return new Observable<SseMessage>((subscriber) => {
    const participant = new Participant(options, subscriber);
    participant.start();
    const lingering = options.lingering?.subscribe((on) => participant.linger(on));
    return () => {
      lingering?.unsubscribe();
      participant.stop();
    };
  });
}
