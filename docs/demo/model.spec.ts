import { Ledger, badge, minutesSeconds } from './model.js';

describe('the demo ledger', () => {
  it('counts from the first id it sees and finds nothing wrong in a clean sequence', () => {
    const ledger = new Ledger();
    for (const id of ['41', '42', undefined, '43', '44']) ledger.record(id);
    expect(ledger).toMatchObject({ received: 4, expected: 4, gaps: 0, duplicates: 0 });
  });

  it('reports skipped ids as gaps and repeated ids as duplicates', () => {
    const ledger = new Ledger();
    for (const id of ['1', '2', '5', '5', '3', '6']) ledger.record(id);
    expect(ledger).toMatchObject({ received: 4, expected: 6, gaps: 2, duplicates: 2 });
  });

  it('expects nothing before the first event', () => {
    expect(new Ledger().expected).toBe(0);
  });
});

describe('the demo badge', () => {
  it('says what the connection is doing', () => {
    expect(badge({ status: 'open', attempt: 0 })).toEqual({ text: 'live', tone: 'ok' });
    expect(badge({ status: 'connecting', attempt: 2 })).toEqual({ text: 'retry #2', tone: 'busy' });
    expect(
      badge({ status: 'reconnecting', attempt: 1, delay: 640, error: new Error('x') }),
    ).toEqual({ text: 'reconnecting · 0.6 s', tone: 'warn' });
    expect(badge({ status: 'closed', error: new Error('x') })).toEqual({
      text: 'failed',
      tone: 'bad',
    });
    expect(badge({ status: 'closed' })).toEqual({ text: 'closed', tone: 'off' });
  });

  it('formats countdowns', () => {
    expect(minutesSeconds(75)).toBe('1:15');
    expect(minutesSeconds(-3)).toBe('0:00');
  });
});
