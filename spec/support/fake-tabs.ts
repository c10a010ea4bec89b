/**
 * An in-memory browser profile for the cross-tab state machine: exclusive locks granted in request
 * order (as the Web Locks API does) and broadcast channels that deliver a structured clone of each
 * message to every other end of the same name, asynchronously and in order. A tab can crash: its
 * channels go silent and its locks are released without a word, as when a renderer dies.
 */
import type { TabChannel, TabLocks, Tabs } from '../../src/share/cross-tab.js';

interface Request {
  readonly tab: FakeTab;
  readonly granted: (lock: unknown) => Promise<void> | void;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface End {
  readonly tab: FakeTab;
  readonly receive: (message: unknown) => void;
  open: boolean;
}

export class FakeBrowser {
  private readonly holders = new Map<string, Request>();
  private readonly queues = new Map<string, Request[]>();
  private readonly ends = new Map<string, Set<End>>();
  /** Every message posted, in order: what the tabs said. */
  readonly posted: { readonly from: FakeTab; readonly message: unknown }[] = [];
  /** Drops a delivery when it returns true (a message lost on the way to one tab). */
  drop: (to: FakeTab, message: unknown) => boolean = () => false;

  tab(name = 'tab'): FakeTab {
    return new FakeTab(this, name);
  }

  /** The tab holding the lock `name`, if any. */
  holder(name: string): FakeTab | undefined {
    return this.holders.get(name)?.tab;
  }

  /** How many requests wait for the lock `name`. */
  waiting(name: string): number {
    return this.queues.get(name)?.length ?? 0;
  }

  request(
    tab: FakeTab,
    name: string,
    options: { readonly ifAvailable?: boolean; readonly signal?: AbortSignal },
    granted: (lock: unknown) => Promise<void> | void,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(name) ?? [];
      this.queues.set(name, queue);
      if (options.ifAvailable === true && (this.holders.has(name) || queue.length > 0)) {
        setTimeout(() => {
          Promise.resolve(granted(null)).then(resolve, reject);
        });
        return;
      }
      const request: Request = { tab, granted, resolve, reject };
      if (options.signal?.aborted) {
        reject(new Error('AbortError'));
        return;
      }
      options.signal?.addEventListener('abort', () => {
        const at = queue.indexOf(request);
        if (at === -1) return;
        queue.splice(at, 1);
        reject(new Error('AbortError'));
      });
      queue.push(request);
      setTimeout(() => this.grant(name));
    });
  }

  private grant(name: string): void {
    if (this.holders.has(name)) return;
    const request = this.queues.get(name)?.shift();
    if (request === undefined) return;
    this.holders.set(name, request);
    const released = (): void => {
      if (this.holders.get(name) !== request) return;
      this.holders.delete(name);
      setTimeout(() => this.grant(name));
    };
    Promise.resolve(request.granted({ name })).then(
      (value) => {
        released();
        request.resolve(value);
      },
      (error: unknown) => {
        released();
        request.reject(error);
      },
    );
  }

  open(tab: FakeTab, name: string, receive: (message: unknown) => void): TabChannel {
    const end: End = { tab, receive, open: true };
    const ends = this.ends.get(name) ?? new Set<End>();
    this.ends.set(name, ends);
    ends.add(end);
    return {
      post: (message) => {
        if (!end.open || tab.crashed) return;
        this.posted.push({ from: tab, message });
        for (const other of ends) {
          if (other === end) continue;
          const copy = structuredClone(message);
          if (this.drop(other.tab, copy)) continue;
          setTimeout(() => {
            if (other.open && !other.tab.crashed) other.receive(copy);
          });
        }
      },
      close: () => {
        end.open = false;
        ends.delete(end);
      },
    };
  }

  /** Releases every lock `tab` holds and forgets its queued requests, as a dead renderer does. */
  crash(tab: FakeTab): void {
    for (const [name, request] of this.holders) {
      if (request.tab !== tab) continue;
      this.holders.delete(name);
      setTimeout(() => this.grant(name));
    }
    for (const queue of this.queues.values()) {
      for (const request of [...queue])
        if (request.tab === tab) queue.splice(queue.indexOf(request), 1);
    }
  }
}

/** One tab of a {@link FakeBrowser}: what `browserTabs()` returns in a real tab. */
export class FakeTab implements Tabs {
  crashed = false;
  readonly locks: TabLocks;

  constructor(
    private readonly browser: FakeBrowser,
    readonly name: string,
  ) {
    this.locks = {
      request: (lock, options, granted) => browser.request(this, lock, options, granted),
    };
  }

  open(name: string, receive: (message: unknown) => void): TabChannel {
    return this.browser.open(this, name, receive);
  }

  crash(): void {
    this.crashed = true;
    this.browser.crash(this);
  }
}
