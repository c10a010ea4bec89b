/**
 * One connection for every tab: a holder tab, elected with the Web Locks API, runs the request and
 * relays its raw messages and connection states over a `BroadcastChannel`; the other tabs follow.
 *
 * Each subscription of a tab is a participant, a small state machine:
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
 * - a holder numbers its term with an `epoch` greater than any seen; messages of older terms are
 *   dropped;
 * - `hold` and `end` carry the holder's latest events, so a tab that is behind catches up, and a
 *   tab that has not seen anything yet starts where the stream is (plus `replay` events);
 * - right after a handover, until the first new event, events equal to one a tab has already
 *   delivered (same id, name and data: the rule of `dedupe: 'auto'`) are dropped: a server
 *   resuming from `Last-Event-ID` may repeat the events around it, while one that restarted
 *   numbers new events with old ids.
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
type EndWire = Extract<Wire, { t: 'end' }>;

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
  readonly ended: boolean;
}

/** What a participant does, driven by its subscription, the lock and the channel. */
interface Participant {
  start(): void;
  /** In-tab subscribers left (`true`) or came back (`false`). */
  linger(lingering: boolean): void;
  /** Unsubscribed, failed or completed: says `end` if holding, releases the lock, closes. */
  stop(): void;
}

/** One tab's part in a cross-tab connection, for one subscription. */
function participant(options: CrossTabOptions, subscriber: Subscriber<SseMessage>): Participant {
  const { name, tabs, replay } = options;
  const settleMs = options.settle ?? SETTLE_MS;
  const now = options.now ?? Date.now;
  const keep = Math.max(HISTORY, replay);
  const id = randomId();

  let phase: Phase = 'following';
  let channel: TabChannel | undefined;
  /** The latest events of the stream this tab knows (delivered, or heard of when joining). */
  let recent: SseMessage[] = [];
  /** Whether this tab knows where the stream is: `recent` is its position. */
  let known = false;
  let term: Term | undefined;
  let highestEpoch = 0;
  /** After a handover, until the first new event: drop repeats of what `recent` holds. */
  let skipping = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let connection: Subscription | undefined;
  let queued: AbortController | undefined;
  let release: (() => void) | undefined;
  let state: SseConnectionState | undefined;
  let lingering = false;
  let saidEnd = false;
  let failure: { readonly error: unknown } | undefined;

  const post = (message: Record<string, unknown>): void =>
    channel?.post({ v: VERSION, from: id, ...message });

  const clearTimer = (): void => {
    clearTimeout(timer);
    timer = undefined;
  };

  // -- the lock ------------------------------------------------------------------------------

  const enqueue = (): void => {
    if (phase !== 'following' || lingering || queued !== undefined) return;
    const request = new AbortController();
    queued = request;
    tabs.locks
      .request(name, { signal: request.signal }, () => granted(false))
      .catch(() => request.signal.aborted || alone());
  };

  /** The lock is ours until the returned promise settles. */
  const granted = (immediately: boolean): Promise<void> | undefined => {
    queued = undefined;
    if (phase !== 'following' || lingering) return undefined;
    return new Promise<void>((resolve) => {
      release = resolve;
      if (immediately) hold();
      else settle();
    });
  };

  const releaseLock = (): void => {
    const resolve = release;
    release = undefined;
    resolve?.();
  };

  /** The lock cannot be had (an opaque origin refuses it): connect as if alone. */
  const alone = (): void => {
    queued = undefined;
    if (phase === 'following') hold();
  };

  // -- following ----------------------------------------------------------------------------

  /** Waits for the previous holder's last words, at most `settle` ms, then takes over. */
  const settle = (): void => {
    phase = 'settling';
    if (term?.ended === true) hold();
    else timer = setTimeout(hold, settleMs);
  };

  const receive = (data: unknown): void => {
    if (!isWire(data) || data.from === id || phase === 'ended') return;
    if (data.t === 'hello') {
      if (phase === 'holding' && term !== undefined) {
        post({
          t: 'hold',
          epoch: term.epoch,
          to: data.from,
          history: recent,
          ...(state === undefined ? {} : { state: stateToWire(state) }),
        });
      }
      return;
    }
    // The one holder hears only late news of older terms.
    if (phase === 'holding') return;
    highestEpoch = Math.max(highestEpoch, data.epoch);
    const current = term !== undefined && data.epoch === term.epoch && data.from === term.from;
    switch (data.t) {
      case 'hold':
        if (data.to !== undefined && data.to !== id) break;
        if (current)
          sync(data.history); // the answer to our hello
        else if (term === undefined || data.epoch > term.epoch) adopt(data);
        break;
      case 'msg':
        if (current) accept(data.message);
        break;
      case 'state':
        if (current) report(stateFromWire(data.state));
        break;
      case 'end':
        // A term we never heard begin ends as we join: we learn where the stream is.
        if (current || (term === undefined && !known)) end(data);
        break;
    }
    if (phase === 'settling' && term?.ended === true) {
      clearTimer();
      hold();
    }
  };

  /**
   * Follows a new holder: catches up from its history, then drops what it repeats. Messages
   * of the term before that are still on their way are dropped: the new holder's history has
   * them, or it resumed from before them.
   */
  const adopt = (message: HoldWire): void => {
    const first = term === undefined;
    term = { epoch: message.epoch, from: message.from, ended: false };
    sync(message.history);
    if (!first) openSkipWindow();
    if (message.state !== undefined) report(stateFromWire(message.state));
  };

  const end = (message: EndWire): void => {
    term = { epoch: message.epoch, from: message.from, ended: true };
    sync(message.history);
    if (message.outcome === 'error') {
      fail(
        message.error === undefined
          ? new Error('The shared connection failed')
          : errorFromWire(message.error),
      );
    } else if (message.outcome === 'complete') {
      subscriber.complete();
    }
  };

  /**
   * Lines this tab up with a holder's latest events: a tab that knows nothing yet starts at their
   * end (after delivering the last `replay`); a tab behind delivers what it missed.
   */
  const sync = (history: readonly SseMessage[]): void => {
    if (history.length === 0) return;
    if (!known) {
      recent = history.slice(-keep).map(plain);
      known = true;
      if (replay > 0) for (const message of history.slice(-replay)) subscriber.next(message);
      return;
    }
    const last = recent[recent.length - 1];
    if (last === undefined) return;
    let at = history.length - 1;
    while (at >= 0 && !sameMessage(history[at] as SseMessage, last)) at--;
    // Not found: this tab is ahead of the history (the skip window handles what repeats).
    if (at >= 0) for (const message of history.slice(at + 1)) deliver(message);
  };

  const openSkipWindow = (): void => {
    skipping = recent.some((message) => message.id);
  };

  /** A connection state for this tab's observers; a follower's `closed` comes with its end. */
  const report = (next: SseConnectionState): void => {
    if (next.status === 'closed') return;
    state = next;
    options.report(next);
  };

  // -- holding ------------------------------------------------------------------------------

  /** Takes over: announces the new term, then connects from the last event the tabs delivered. */
  const hold = (): void => {
    clearTimer();
    if (phase === 'ended') return;
    phase = 'holding';
    const epoch = (highestEpoch = Math.max(highestEpoch + 1, now()));
    term = { epoch, from: id, ended: false };
    post({ t: 'hold', epoch, history: recent });
    openSkipWindow();
    connection = options
      .connect(known ? recent[recent.length - 1]?.lastEventId : undefined, (next) => {
        if (phase !== 'holding' || next.status === 'closed') return;
        report(next);
        post({ t: 'state', epoch, state: stateToWire(next) });
      })
      .subscribe({
        next: accept,
        error: (error: unknown) => {
          sayEnd('error', error);
          fail(error);
        },
        complete: () => {
          sayEnd('complete');
          subscriber.complete();
        },
      });
  };

  const sayEnd = (outcome: Outcome, error?: unknown): void => {
    if (term === undefined) return;
    saidEnd = true;
    post({
      t: 'end',
      epoch: term.epoch,
      outcome,
      history: recent,
      ...(outcome === 'error' ? { error: errorToWire(error) } : {}),
    });
  };

  // -- delivering ---------------------------------------------------------------------------

  /** A message of the current term (relayed, or our own connection's). */
  const accept = (message: SseMessage): void => {
    if (skipping && message.id) {
      if (recent.some((seen) => sameMessage(seen, message))) return;
      skipping = false;
    }
    deliver(message);
  };

  const deliver = (message: SseMessage): void => {
    const copy = plain(message);
    recent.push(copy);
    if (recent.length > keep) recent.shift();
    known = true;
    if (phase === 'holding' && term !== undefined)
      post({ t: 'msg', epoch: term.epoch, message: copy });
    subscriber.next(message);
  };

  const fail = (error: unknown): void => {
    failure = { error };
    subscriber.error(error);
  };

  return {
    start() {
      try {
        channel = tabs.open(name, receive);
      } catch {
        channel = undefined; // no channel (an opaque origin): nobody to share with
      }
      report({ status: 'connecting', attempt: 0 });
      post({ t: 'hello' });
      tabs.locks
        .request(name, { ifAvailable: true }, (lock) => (lock ? granted(true) : enqueue()))
        .catch(alone);
    },
    linger(now) {
      if (now === lingering) return;
      lingering = now;
      if (phase === 'holding' || phase === 'ended') return;
      if (!lingering) {
        if (queued === undefined && release === undefined) enqueue();
        return;
      }
      queued?.abort();
      queued = undefined;
      if (phase === 'settling') {
        clearTimer();
        phase = 'following';
        releaseLock();
      }
    },
    stop() {
      if (phase === 'ended') return;
      const holding = phase === 'holding';
      phase = 'ended';
      clearTimer();
      if (holding) {
        connection?.unsubscribe();
        if (!saidEnd) sayEnd('left');
      }
      queued?.abort();
      queued = undefined;
      releaseLock();
      channel?.close();
      options.report(
        failure === undefined ? { status: 'closed' } : { status: 'closed', ...failure },
      );
    },
  };
}

/**
 * The messages of a connection shared by every tab: subscribing joins (holding the connection or
 * following the holder), unsubscribing leaves (handing the connection over if held).
 */
export function crossTabStream(options: CrossTabOptions): Observable<SseMessage> {
  return new Observable<SseMessage>((subscriber) => {
    const tab = participant(options, subscriber);
    tab.start();
    const lingering = options.lingering?.subscribe((on) => tab.linger(on));
    return () => {
      lingering?.unsubscribe();
      tab.stop();
    };
  });
}
