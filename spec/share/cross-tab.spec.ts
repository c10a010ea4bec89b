/**
 * The cross-tab state machine, with an in-memory browser profile (spec/support/fake-tabs.ts):
 * who holds the connection, what every tab delivers, and what happens when the holder leaves,
 * crashes or fails. The same rules run in Chromium in spec/browser/cross-tab.spec.ts.
 */
import { BehaviorSubject, Observable, type Subscriber, type Subscription } from 'rxjs';
import { SseHttpError, isSseError } from '../../src/errors.js';
import { crossTabName, crossTabStream } from '../../src/share/cross-tab.js';
import type { SseConnectionState, SseMessage } from '../../src/types.js';
import { FakeBrowser, type FakeTab } from '../support/fake-tabs.js';
import { until } from '../support/until.js';

const NAME = crossTabName('["feed","GET","https://app.test/feed",""]');
const SETTLE = 30;

interface Connection {
  readonly lastEventId: string | undefined;
  readonly subscriber: Subscriber<SseMessage>;
  readonly report: (state: SseConnectionState) => void;
  /** Open and past its replay: live events reach it. */
  live: boolean;
  closed: boolean;
}

/** A server stream: numbered events, a backlog to resume from, the connections it serves. */
class FakeServer {
  readonly backlog: SseMessage[] = [];
  readonly connections: Connection[] = [];
  /** Events re-sent before the requested one on a resume (at-least-once servers do). */
  overlap = 0;
  /** How often the server restarted: a restarted one numbers new events from 1 again. */
  generation = 0;

  restart(): void {
    this.generation++;
    this.backlog.length = 0;
  }

  readonly connect = (
    lastEventId: string | undefined,
    report: (state: SseConnectionState) => void,
  ): Observable<SseMessage> =>
    new Observable<SseMessage>((subscriber) => {
      const connection: Connection = {
        lastEventId,
        subscriber,
        report,
        live: false,
        closed: false,
      };
      this.connections.push(connection);
      report({ status: 'connecting', attempt: 0 });
      const opened = setTimeout(() => {
        report({ status: 'open', attempt: 0 });
        connection.live = true;
        if (lastEventId === undefined) return;
        const after = this.backlog.findIndex((message) => message.id === lastEventId) + 1;
        for (const message of this.backlog.slice(Math.max(0, after - this.overlap))) {
          subscriber.next(message);
        }
      });
      return () => {
        clearTimeout(opened);
        connection.closed = true;
        report({ status: 'closed' });
      };
    });

  open(): Connection[] {
    return this.connections.filter((connection) => !connection.closed);
  }

  /** Open connections that receive live events. */
  live(): Connection[] {
    return this.open().filter((connection) => connection.live);
  }

  /** Sends the next numbered event to every open connection. */
  emit(): void {
    const id = String(this.backlog.length + 1);
    const data = `${this.generation}#${id}`;
    const message: SseMessage = { event: 'tick', data, id, lastEventId: id };
    this.backlog.push(message);
    for (const connection of this.open()) if (connection.live) connection.subscriber.next(message);
  }

  async emitMany(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      this.emit();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

/** One tab's subscription to the shared stream, and what it saw. */
interface Joined {
  readonly tab: FakeTab;
  readonly ids: string[];
  readonly states: SseConnectionState[];
  readonly lingering: BehaviorSubject<boolean>;
  error: unknown;
  completed: boolean;
  readonly subscription: Subscription;
}

function join(tab: FakeTab, server: FakeServer, replay = 0): Joined {
  const lingering = new BehaviorSubject(false);
  const joined: Omit<Joined, 'subscription'> = {
    tab,
    ids: [],
    states: [],
    lingering,
    error: undefined,
    completed: false,
  };
  const subscription = crossTabStream({
    name: NAME,
    tabs: tab,
    connect: server.connect,
    report: (state) => joined.states.push(state),
    replay,
    lingering,
    settle: SETTLE,
  }).subscribe({
    next: (message) => joined.ids.push(message.id ?? '?'),
    error: (error: unknown) => (joined.error = error),
    complete: () => (joined.completed = true),
  });
  return Object.assign(joined, { subscription });
}

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

const last = <T>(items: readonly T[]): T | undefined => items[items.length - 1];

/** Tab `a` holds the connection, `b` and `c` follow it and see it open. */
async function threeTabs(): Promise<[Joined, Joined, Joined]> {
  const a = join(browser.tab('a'), server);
  await until(() => server.live().length === 1, 'the first connection');
  const b = join(browser.tab('b'), server);
  const c = join(browser.tab('c'), server);
  await until(() => last(c.states)?.status === 'open', 'c sees the connection open');
  return [a, b, c];
}

let browser: FakeBrowser;
let server: FakeServer;
beforeEach(() => {
  browser = new FakeBrowser();
  server = new FakeServer();
});

describe('crossTabName', () => {
  it('is a fixed-length hash: equal keys agree, different keys differ, nothing of the key shows', () => {
    const key = JSON.stringify(['inbox', 'GET', 'https://app.test/users/ada@example.com/inbox']);
    const name = crossTabName(key);
    expect(name).toMatch(/^rx-sse:[0-9a-z]{20,25}$/);
    expect(crossTabName(key)).toBe(name);
    expect(name).not.toContain('ada');
    const neighbours = new Set(
      Array.from({ length: 2000 }, (_, i) => crossTabName(`${key.slice(0, -2)}${i}"]`)),
    );
    expect(neighbours.size).toBe(2000);
  });
});

describe('cross-tab sharing', () => {
  it('one tab alone holds at once, resumes from nothing of its own, and closes on leave', async () => {
    const a = join(browser.tab('a'), server);
    await until(() => server.live().length === 1, 'the connection');
    expect(server.connections[0]?.lastEventId).toBeUndefined();
    expect(browser.holder(NAME)?.name).toBe('a');
    await until(() => last(a.states)?.status === 'open', 'open');
    await server.emitMany(3);
    expect(a.ids).toEqual(['1', '2', '3']);
    a.subscription.unsubscribe();
    expect(server.open()).toHaveLength(0);
    expect(last(a.states)).toEqual({ status: 'closed' });
    await until(() => browser.holder(NAME) === undefined, 'the lock released');
  });

  it('many tabs: one connection, every tab delivers every event and shows its state', async () => {
    const tabs = ['a', 'b', 'c', 'd', 'e'].map((name) => join(browser.tab(name), server));
    await until(() => tabs.every((t) => last(t.states)?.status === 'open'), 'every tab open');
    await server.emitMany(10);
    await until(() => tabs.every((t) => t.ids.length === 10), 'every event in every tab');
    for (const tab of tabs) expect(tab.ids).toEqual(range(1, 10));
    expect(server.connections).toHaveLength(1);
    expect(browser.waiting(NAME)).toBe(4);
    for (const tab of tabs) tab.subscription.unsubscribe();
  });

  it('the holder leaves: the tab waiting longest resumes from the last event, nobody skips or repeats', async () => {
    server.overlap = 2; // the resumed stream repeats the two events before the one asked for
    const [a, b, c] = await threeTabs();
    await server.emitMany(5);
    await until(() => c.ids.length === 5 && b.ids.length === 5, 'the followers');

    a.subscription.unsubscribe();
    server.emit(); // sent while nobody is connected: the resume must bring it
    await until(() => server.live().length === 1, 'the handover');
    expect(server.connections).toHaveLength(2);
    expect(server.connections[1]?.lastEventId).toBe('5');
    expect(browser.holder(NAME)?.name).toBe('b');
    await server.emitMany(3);
    await until(() => c.ids.length === 9, 'c after the handover');
    expect(b.ids).toEqual(range(1, 9));
    expect(c.ids).toEqual(range(1, 9));
    expect(a.ids).toEqual(range(1, 5));
    b.subscription.unsubscribe();
    c.subscription.unsubscribe();
  });

  // https://github.com/EventSource/eventsource/issues/291: after a handover to a restarted server,
  // new events under ids already seen are new events, not repeats.
  it('a handover to a restarted server: its events under old ids are all delivered', async () => {
    const a = join(browser.tab('a'), server);
    await until(() => server.live().length === 1, 'the first connection');
    const b = join(browser.tab('b'), server);
    await until(() => last(b.states)?.status === 'open', 'b sees the connection open');
    await server.emitMany(3);
    await until(() => b.ids.length === 3, 'b has 3');
    server.restart();
    a.subscription.unsubscribe();
    await until(() => server.live().length === 1, 'the handover');
    await server.emitMany(3);
    await until(() => b.ids.length === 6, 'b after the restart');
    expect(b.ids).toEqual(['1', '2', '3', '1', '2', '3']);
    b.subscription.unsubscribe();
  });

  it('the holder crashes (no word, lock released): a follower notices and takes over', async () => {
    const [a, b, c] = await threeTabs();
    await server.emitMany(4);
    await until(() => c.ids.length === 4, 'c has 4');
    a.tab.crash();
    server.connections[0]!.subscriber.complete(); // its socket dies with it
    server.emit();
    await until(() => server.live().length === 1, 'the takeover');
    expect(server.connections[1]?.lastEventId).toBe('4');
    await server.emitMany(2);
    await until(() => c.ids.length === 7, 'c after the takeover');
    expect(b.ids).toEqual(range(1, 7));
    expect(c.ids).toEqual(range(1, 7));
    b.subscription.unsubscribe();
    c.subscription.unsubscribe();
  });

  it('after a crash, a follower that missed a relayed event catches up from the new holder', async () => {
    const [a, b, c] = await threeTabs();
    await server.emitMany(3);
    await until(() => c.ids.length === 3 && b.ids.length === 3, 'both have 3');
    // Event 4 reaches b but not c; then a dies.
    browser.drop = (to, message) =>
      to === c.tab && (message as { t?: string; message?: SseMessage }).message?.id === '4';
    server.emit();
    await until(() => b.ids.length === 4, 'b has 4');
    a.tab.crash();
    server.connections[0]!.subscriber.complete();
    await until(() => server.live().length === 1, 'b takes over');
    expect(server.connections[1]?.lastEventId).toBe('4');
    await server.emitMany(2);
    await until(() => c.ids.length === 6, 'c after the takeover');
    expect(c.ids).toEqual(range(1, 6));
    expect(b.ids).toEqual(range(1, 6));
    b.subscription.unsubscribe();
    c.subscription.unsubscribe();
  });

  it('after a crash, a follower ahead of the new holder drops what the resumed stream repeats', async () => {
    const [a, b, c] = await threeTabs();
    await server.emitMany(3);
    await until(() => c.ids.length === 3 && b.ids.length === 3, 'both have 3');
    // Event 4 reaches c but not b (the next holder); then a dies.
    browser.drop = (to, message) =>
      to === b.tab && (message as { message?: SseMessage }).message?.id === '4';
    server.emit();
    await until(() => c.ids.length === 4, 'c has 4');
    a.tab.crash();
    server.connections[0]!.subscriber.complete();
    await until(() => server.live().length === 1, 'b takes over');
    expect(server.connections[1]?.lastEventId).toBe('3'); // b resumes from what it had
    await server.emitMany(2);
    await until(() => c.ids.length === 6 && b.ids.length === 6, 'both after the takeover');
    expect(b.ids).toEqual(range(1, 6));
    expect(c.ids).toEqual(range(1, 6));
    b.subscription.unsubscribe();
    c.subscription.unsubscribe();
  });

  it('two tabs starting at once: one connection, never two', async () => {
    const [a, b] = [join(browser.tab('a'), server), join(browser.tab('b'), server)];
    await until(() => [a, b].every((t) => last(t.states)?.status === 'open'), 'both open');
    await server.emitMany(2);
    await until(() => a.ids.length === 2 && b.ids.length === 2, 'both got both');
    expect(server.connections).toHaveLength(1);
    a.subscription.unsubscribe();
    b.subscription.unsubscribe();
  });

  it('a tab joining a running connection gets the last `replay` events at once, then the rest', async () => {
    const a = join(browser.tab('a'), server, 2);
    await until(() => server.live().length === 1, 'the connection');
    await server.emitMany(5);
    const late = join(browser.tab('late'), server, 2);
    await until(() => late.ids.length === 2, 'the replay');
    expect(late.ids).toEqual(['4', '5']);
    expect(last(late.states)).toEqual({ status: 'open', attempt: 0 });
    await server.emitMany(1);
    await until(() => late.ids.length === 3, 'the next event');
    expect(late.ids).toEqual(['4', '5', '6']);
    expect(server.connections).toHaveLength(1);
    a.subscription.unsubscribe();
    late.subscription.unsubscribe();
  });

  it('a fatal error reaches every tab as the same rx-sse error, and nobody reconnects', async () => {
    const a = join(browser.tab('a'), server);
    await until(() => server.live().length === 1, 'the connection');
    const b = join(browser.tab('b'), server);
    const c = join(browser.tab('c'), server);
    await until(() => last(c.states)?.status === 'open', 'c open');
    const notFound = new SseHttpError({
      status: 404,
      statusText: 'Not Found',
      headers: { 'content-type': 'text/plain' },
      body: 'no such feed',
      url: 'https://app.test/feed',
      method: 'GET',
      retryAfter: undefined,
    });
    server.connections[0]!.subscriber.error(notFound);
    await until(() => b.error !== undefined && c.error !== undefined, 'the error in every tab');
    expect(a.error).toBe(notFound);
    for (const follower of [b, c]) {
      expect(follower.error).toBeInstanceOf(SseHttpError);
      expect(isSseError(follower.error, 'http') && follower.error.status).toBe(404);
      expect(follower.error).toMatchObject({
        message: notFound.message,
        body: 'no such feed',
        headers: { 'content-type': 'text/plain' },
      });
      expect(last(follower.states)).toEqual({ status: 'closed', error: follower.error });
    }
    await until(() => browser.holder(NAME) === undefined && browser.waiting(NAME) === 0, 'no lock');
    await new Promise((resolve) => setTimeout(resolve, SETTLE * 2));
    expect(server.connections).toHaveLength(1);
  });

  it('the server ends the stream: every tab completes', async () => {
    const a = join(browser.tab('a'), server);
    await until(() => server.live().length === 1, 'the connection');
    const b = join(browser.tab('b'), server);
    await until(() => last(b.states)?.status === 'open', 'b open');
    server.connections[0]!.subscriber.complete();
    await until(() => a.completed && b.completed, 'both complete');
    expect(last(b.states)).toEqual({ status: 'closed' });
  });

  it('a tab nobody watches (in its grace period) does not take over; it does once watched again', async () => {
    const a = join(browser.tab('a'), server);
    await until(() => server.live().length === 1, 'the connection');
    const b = join(browser.tab('b'), server);
    await until(() => browser.waiting(NAME) === 1, 'b queued');
    b.lingering.next(true);
    await until(() => browser.waiting(NAME) === 0, 'b withdrawn');
    a.subscription.unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, SETTLE * 3));
    expect(server.open()).toHaveLength(0);
    b.lingering.next(false);
    await until(() => server.live().length === 1, 'b takes over');
    expect(browser.holder(NAME)?.name).toBe('b');
    b.subscription.unsubscribe();
  });

  it('a holder nobody watches keeps the connection for the other tabs', async () => {
    const a = join(browser.tab('a'), server);
    await until(() => server.live().length === 1, 'the connection');
    const b = join(browser.tab('b'), server);
    await until(() => last(b.states)?.status === 'open', 'b open');
    a.lingering.next(true);
    await server.emitMany(2);
    await until(() => b.ids.length === 2, 'b still served');
    expect(server.connections).toHaveLength(1);
    a.subscription.unsubscribe();
    b.subscription.unsubscribe();
  });

  it('where the lock is refused (an opaque origin: sandboxed iframe, file:), connects on its own', async () => {
    const tab = browser.tab('sandboxed');
    const refused: FakeTab = Object.assign(Object.create(tab) as FakeTab, {
      locks: { request: () => Promise.reject(new DOMException('opaque origin', 'SecurityError')) },
    });
    const a = join(refused, server);
    await until(() => server.live().length === 1, 'its own connection');
    await server.emitMany(2);
    expect(a.ids).toEqual(['1', '2']);
    a.subscription.unsubscribe();
    expect(server.open()).toHaveLength(0);
  });

  it('ignores what tabs running another protocol version say', async () => {
    const a = join(browser.tab('a'), server);
    await until(() => server.live().length === 1, 'the connection');
    const stranger = browser.tab('stranger').open(NAME, () => undefined);
    stranger.post({ v: 2, from: 'x', t: 'end', epoch: Number.MAX_SAFE_INTEGER, outcome: 'error' });
    stranger.post({ v: 1, from: 'x', t: 'end', epoch: 1, outcome: 'error' }); // an older term
    await server.emitMany(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(a.error).toBeUndefined();
    expect(a.ids).toEqual(['1']);
    a.subscription.unsubscribe();
    stranger.close();
  });
});
