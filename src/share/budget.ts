/**
 * A budget of SSE connections per origin, inside one tab. Over HTTP/1.1 a browser opens at most six
 * connections per origin; every open stream holds one, and the seventh request of any kind waits.
 * When a new stream would exceed the budget, shared streams kept open only by their grace period
 * (nobody is subscribed) are closed first, the one idle longest first.
 *
 * @internal
 * @module
 */

/** A connection the budget counts. */
export interface BudgetedConnection {
  /** When its last subscriber left (ms), if it is only waiting out its grace period. */
  lingeringSince(): number | undefined;
  /** Closes it now (ends its grace period). */
  evict(): void;
}

/** The default budget: six per origin minus room for the page's other requests. */
export const DEFAULT_CONNECTION_BUDGET = 4;

/** The origin of `url`, resolved against the page; `''` when it has none. */
export function originOf(url: string): string {
  try {
    return new URL(url, (globalThis as { location?: { href: string } }).location?.href).origin;
  } catch {
    return '';
  }
}

/** Whether this runtime limits connections per origin the way browsers do. */
export function limitsConnections(): boolean {
  return 'document' in globalThis || 'WorkerGlobalScope' in globalThis;
}

/**
 * Whether `origin` is known to speak HTTP/2 or later: a request made to it earlier reported so in
 * its resource timing (`nextHopProtocol`). Then streams share one TCP connection, and there is no
 * per-origin limit to budget for.
 */
export function servesMultiplexed(origin: string): boolean {
  const performance = (globalThis as { performance?: Partial<Performance> }).performance;
  if (typeof performance?.getEntriesByType !== 'function') return false;
  for (const type of ['navigation', 'resource']) {
    for (const entry of performance.getEntriesByType(type)) {
      const protocol = (entry as Partial<PerformanceResourceTiming>).nextHopProtocol;
      if (typeof protocol === 'string' && /^(h2|h3|hq)/.test(protocol)) {
        if (originOf(entry.name) === origin) return true;
      }
    }
  }
  return false;
}

/** The connections of one tab, by origin. */
export class ConnectionBudget {
  private readonly open = new Map<string, Set<BudgetedConnection>>();
  private readonly multiplexed = new Set<string>();

  constructor(private readonly isMultiplexed: (origin: string) => boolean = servesMultiplexed) {}

  /**
   * Counts `connection`, opening to `origin` under a budget of `limit` (lifted when the origin is
   * known to speak HTTP/2+): lingering connections are evicted, oldest first, until it fits or
   * none is left. Returns the function to call when it closes.
   */
  add(origin: string, limit: number, connection: BudgetedConnection): () => void {
    let connections = this.open.get(origin);
    if (connections === undefined) {
      connections = new Set();
      this.open.set(origin, connections);
    }
    if (connections.size + 1 > limit && !this.lifted(origin)) {
      this.evict(connections, connections.size + 1 - limit);
    }
    connections.add(connection);
    return () => {
      connections.delete(connection);
      if (connections.size === 0 && this.open.get(origin) === connections) this.open.delete(origin);
    };
  }

  /** How many connections to `origin` are counted. */
  count(origin: string): number {
    return this.open.get(origin)?.size ?? 0;
  }

  private lifted(origin: string): boolean {
    if (this.multiplexed.has(origin)) return true;
    if (!this.isMultiplexed(origin)) return false;
    this.multiplexed.add(origin);
    return true;
  }

  private evict(connections: Set<BudgetedConnection>, excess: number): void {
    const idle = [...connections]
      .map((connection) => ({ connection, since: connection.lingeringSince() }))
      .filter((entry): entry is { connection: BudgetedConnection; since: number } => {
        return entry.since !== undefined;
      })
      .sort((a, b) => a.since - b.since)
      .slice(0, excess);
    for (const { connection } of idle) {
      connections.delete(connection);
      connection.evict();
    }
  }
}

let tabBudget: ConnectionBudget | undefined;

/** The budget of this tab (one for every client: the browser's limit is per origin). */
export function connectionBudget(): ConnectionBudget {
  return (tabBudget ??= new ConnectionBudget());
}
