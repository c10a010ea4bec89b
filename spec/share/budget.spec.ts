/**
 * The per-origin connection budget of a tab (case B5): a new stream that would exceed it closes
 * the shared connections kept open only by their grace period, idle longest first, and never one
 * that somebody is subscribed to. Browser behaviour: spec/browser/cross-tab.spec.ts and the B5 repro.
 */
import { ConnectionBudget, originOf, type BudgetedConnection } from '../../src/share/budget.js';

class Connection implements BudgetedConnection {
  evicted = false;
  constructor(
    readonly name: string,
    private readonly since?: number,
  ) {}
  lingeringSince(): number | undefined {
    return this.since;
  }
  evict(): void {
    this.evicted = true;
  }
}

const A = 'https://a.example';
const B = 'https://b.example';

describe('ConnectionBudget', () => {
  it('evicts lingering connections of the origin, idle longest first, only as many as needed', () => {
    const budget = new ConnectionBudget(() => false);
    const inUse = new Connection('in use');
    const recent = new Connection('idle since 300', 300);
    const oldest = new Connection('idle since 100', 100);
    const older = new Connection('idle since 200', 200);
    for (const connection of [inUse, recent, oldest, older]) budget.add(A, 10, connection);
    budget.add(A, 4, new Connection('new'));
    expect([oldest.evicted, older.evicted, recent.evicted, inUse.evicted]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect(budget.count(A)).toBe(4);
    budget.add(A, 3, new Connection('newer'));
    expect([older.evicted, recent.evicted, inUse.evicted]).toEqual([true, true, false]);
    expect(budget.count(A)).toBe(3);
  });

  it('never evicts a connection in use: the budget is exceeded instead', () => {
    const budget = new ConnectionBudget(() => false);
    const busy = [1, 2, 3, 4].map((n) => new Connection(`busy ${n}`));
    for (const connection of busy) budget.add(A, 4, connection);
    budget.add(A, 4, new Connection('fifth'));
    expect(busy.some((connection) => connection.evicted)).toBe(false);
    expect(budget.count(A)).toBe(5);
  });

  it('counts each origin on its own, and forgets a connection when it closes', () => {
    const budget = new ConnectionBudget(() => false);
    const idle = new Connection('idle on B', 1);
    const close = budget.add(B, 1, idle);
    budget.add(A, 1, new Connection('on A'));
    expect(idle.evicted).toBe(false);
    close();
    expect(budget.count(B)).toBe(0);
    budget.add(B, 1, new Connection('on B'));
    expect(budget.count(B)).toBe(1);
  });

  it('is lifted for an origin known to speak HTTP/2 or later, and remembers it', () => {
    const asked: string[] = [];
    const budget = new ConnectionBudget((origin) => {
      asked.push(origin);
      return origin === B;
    });
    const idle = [1, 2, 3].map((n) => new Connection(`idle ${n}`, n));
    for (const connection of idle) budget.add(B, 1, connection);
    expect(idle.some((connection) => connection.evicted)).toBe(false);
    budget.add(B, 1, new Connection('more'));
    expect(asked.filter((origin) => origin === B)).toHaveLength(1);
    const onA = new Connection('idle on A', 1);
    budget.add(A, 1, onA);
    budget.add(A, 1, new Connection('new on A'));
    expect(onA.evicted).toBe(true);
  });
});

describe('originOf', () => {
  it('is the origin of an absolute URL, and empty for a relative one outside a page', () => {
    expect(originOf('https://api.example.com:8443/v1/feed?x=1')).toBe(
      'https://api.example.com:8443',
    );
    expect(originOf('/feed')).toBe('');
  });
});
