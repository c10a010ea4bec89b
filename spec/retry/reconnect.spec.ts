/**
 * The reconnect decision, rule by rule, with a fake clock and no jitter: what `fromSse` does after
 * a connection ends.
 */
import {
  SseClosedError,
  SseHttpError,
  SseIdleTimeoutError,
  SseNetworkError,
  SseValidationError,
} from '../../src/index.js';
import {
  ReconnectSchedule,
  defaultHealthyAfter,
  isResendable,
  type ReconnectConfig,
} from '../../src/retry/reconnect.js';

const url = 'http://127.0.0.1/feed';
const closed = (): SseClosedError => new SseClosedError({ url });
const network = (): SseNetworkError =>
  new SseNetworkError({ phase: 'read', url, cause: new Error('socket hang up') });
const idle = (): SseIdleTimeoutError => new SseIdleTimeoutError({ timeout: 100, url });
const http = (status: number, retryAfter?: number): SseHttpError =>
  new SseHttpError({
    status,
    statusText: '',
    headers: {},
    body: '',
    url,
    method: 'POST',
    retryAfter,
  });

/** A schedule with a clock the test moves, and no jitter unless the config asks. */
function scheduleOf(config: ReconnectConfig, idempotent?: boolean) {
  let now = 0;
  const schedule = new ReconnectSchedule(
    config === false ? false : { jitter: 'none', ...config },
    idempotent,
    () => now,
    () => 0.5,
  );
  return {
    schedule,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const delayOf = (schedule: ReconnectSchedule, error: unknown): number | string => {
  const decision = schedule.decide(error);
  return decision.action === 'retry' ? decision.delay : decision.action;
};

describe('ReconnectSchedule', () => {
  describe('rule 1: a request that is not idempotent is never sent again once its response began', () => {
    it('GET, HEAD and OPTIONS may be sent again; POST, PUT, PATCH and DELETE may not', () => {
      expect(['get', 'HEAD', 'OPTIONS'].map(isResendable)).toEqual([true, true, true]);
      expect(['POST', 'PUT', 'PATCH', 'DELETE'].map(isResendable)).toEqual([
        false,
        false,
        false,
        false,
      ]);
    });

    it('a clean end of a POST stream completes it', () => {
      const { schedule } = scheduleOf({});
      schedule.connecting('POST');
      schedule.opened();
      expect(schedule.decide(closed())).toEqual({ action: 'complete' });
    });

    it.each([
      ['a drop', network],
      ['an idle timeout', idle],
    ])('%s after a POST response began is final, with the reason', (_what, error) => {
      const { schedule } = scheduleOf({});
      schedule.connecting('POST');
      schedule.opened();
      const decision = schedule.decide(error());
      expect(decision.action).toBe('error');
      expect(decision.action === 'error' && decision.reason).toMatch(/POST is not sent again/);
    });

    it.each([408, 425, 429, 503])(
      'before it began, %i (not processed) sends the POST again',
      (status) => {
        const { schedule } = scheduleOf({ initialDelay: 100 });
        schedule.connecting('POST');
        expect(schedule.decide(http(status))).toEqual({ action: 'retry', attempt: 1, delay: 100 });
      },
    );

    it('a 503 with Retry-After waits at least that long', () => {
      const { schedule } = scheduleOf({ initialDelay: 100 });
      schedule.connecting('POST');
      expect(delayOf(schedule, http(503, 2500))).toBe(2500);
    });

    it.each([
      ['500', () => http(500)],
      ['502', () => http(502)],
      ['504', () => http(504)],
      ['409', () => http(409)],
      ['a network error', () => new SseNetworkError({ phase: 'connect', url, cause: 'refused' })],
    ])('before it began, %s is final for a POST (it may have been processed)', (_what, error) => {
      const { schedule } = scheduleOf({});
      schedule.connecting('POST');
      const decision = schedule.decide(error());
      expect(decision.action).toBe('error');
      expect(decision.action === 'error' && decision.reason).toMatch(/408, 425, 429 or 503/);
    });

    it('idempotent: true makes a POST reconnect like a GET', () => {
      const { schedule } = scheduleOf({ initialDelay: 100 }, true);
      schedule.connecting('POST');
      schedule.opened();
      expect(schedule.decide(closed())).toEqual({ action: 'retry', attempt: 1, delay: 100 });
    });

    it('idempotent: false makes a GET complete on a clean end and fail on a drop', () => {
      const { schedule } = scheduleOf({}, false);
      schedule.connecting('GET');
      schedule.opened();
      expect(schedule.decide(closed())).toEqual({ action: 'complete' });
      schedule.connecting('GET');
      schedule.opened();
      expect(schedule.decide(network()).action).toBe('error');
    });
  });

  describe('rule 2: without retries a clean end completes and a failure is final', () => {
    it('retry: false', () => {
      const { schedule } = scheduleOf(false);
      schedule.connecting('GET');
      schedule.opened();
      expect(schedule.decide(closed())).toEqual({ action: 'complete' });
      expect(schedule.decide(network())).toEqual({ action: 'error' });
    });
  });

  describe('rule 3: the policy decides per error', () => {
    it('a GET is retried after a drop, a clean end, an idle timeout and a 5xx', () => {
      for (const error of [network(), closed(), idle(), http(500)]) {
        const { schedule } = scheduleOf({ initialDelay: 10 });
        schedule.connecting('GET');
        expect(schedule.decide(error).action).toBe('retry');
      }
    });

    it('a 404, a validation error or anything unknown is final', () => {
      const invalid = new SseValidationError({ target: 'data', issues: [{ message: 'bad' }] });
      for (const error of [http(404), invalid, new TypeError('x')]) {
        const { schedule } = scheduleOf({});
        schedule.connecting('GET');
        expect(schedule.decide(error)).toEqual({ action: 'error' });
      }
    });

    it('maxAttempts bounds a streak', () => {
      const { schedule } = scheduleOf({ initialDelay: 10, maxAttempts: 2 });
      schedule.connecting('GET');
      expect(schedule.decide(network()).action).toBe('retry');
      expect(schedule.decide(network()).action).toBe('retry');
      expect(schedule.decide(network())).toEqual({ action: 'error' });
    });

    it('maxElapsed bounds a streak in time', () => {
      const { schedule, advance } = scheduleOf({ initialDelay: 100, maxElapsed: 500 });
      schedule.connecting('GET');
      expect(delayOf(schedule, network())).toBe(100); // due at 100
      advance(100);
      expect(delayOf(schedule, network())).toBe(200); // due at 300
      advance(200);
      expect(schedule.decide(network())).toEqual({ action: 'error' }); // would be due at 700
    });
  });

  describe('rule 4: a healthy connection or an event ends the failure streak', () => {
    it('the default threshold is min(maxDelay, 4 × initialDelay)', () => {
      expect(defaultHealthyAfter({})).toBe(4000);
      expect(defaultHealthyAfter({ initialDelay: 250, maxDelay: 1600 })).toBe(1000);
      expect(defaultHealthyAfter({ initialDelay: 1000, maxDelay: 1500 })).toBe(1500);
    });

    // https://github.com/launchdarkly/okhttp-eventsource/pull/40: a server that ends every
    // connection after a while by design; each one was healthy, so no wait grows.
    it('connections alive past healthyAfter reconnect after initialDelay every time', () => {
      const { schedule, advance } = scheduleOf({ initialDelay: 250, maxDelay: 1600 });
      const delays: unknown[] = [];
      for (let i = 0; i < 5; i++) {
        schedule.connecting('GET');
        schedule.opened();
        for (let t = 0; t < 10; t++) {
          advance(200);
          schedule.alive(); // a heartbeat comment
        }
        delays.push(delayOf(schedule, closed()));
      }
      expect(delays).toEqual([250, 250, 250, 250, 250]);
    });

    // https://github.com/launchdarkly/dotnet-eventsource/issues/37: a server that accepts and
    // closes at once must not be reconnected to in a tight loop.
    it('a server that accepts and closes at once keeps backing off', () => {
      const { schedule, advance } = scheduleOf({ initialDelay: 250, maxDelay: 1600 });
      const delays: unknown[] = [];
      for (let i = 0; i < 5; i++) {
        schedule.connecting('GET');
        schedule.opened();
        advance(5);
        schedule.alive();
        delays.push(delayOf(schedule, closed()));
      }
      expect(delays).toEqual([250, 500, 1000, 1600, 1600]);
    });

    it('an open connection that received nothing for the threshold was not alive', () => {
      const { schedule, advance } = scheduleOf({ initialDelay: 100, healthyAfter: 1000 });
      schedule.connecting('GET');
      schedule.opened();
      expect(delayOf(schedule, network())).toBe(100);
      schedule.connecting('GET');
      schedule.opened();
      advance(5000); // open, but silent: a dead connection found by idleTimeout
      expect(delayOf(schedule, idle())).toBe(200);
    });

    // https://github.com/launchdarkly/ruby-eventsource/pull/5 and
    // https://github.com/launchdarkly/swift-eventsource/pull/14: after a healthy connection the
    // streak starts again from initialDelay (not zero), and the failures that follow back off.
    it('failures after a healthy connection start again at initialDelay and grow', () => {
      const { schedule, advance } = scheduleOf({ initialDelay: 100, healthyAfter: 1000 });
      schedule.connecting('GET');
      expect(delayOf(schedule, http(503))).toBe(100);
      expect(delayOf(schedule, http(503))).toBe(200);
      schedule.connecting('GET');
      schedule.opened();
      advance(1500);
      schedule.alive();
      expect(delayOf(schedule, network())).toBe(100);
      for (const expected of [200, 400, 800]) {
        schedule.connecting('GET');
        expect(delayOf(schedule, http(503))).toBe(expected);
      }
    });

    it('an event delivered ends the streak', () => {
      const { schedule } = scheduleOf({ initialDelay: 100 });
      schedule.connecting('GET');
      expect(delayOf(schedule, network())).toBe(100);
      expect(delayOf(schedule, network())).toBe(200);
      schedule.delivered();
      expect(delayOf(schedule, network())).toBe(100);
    });
  });

  describe("rule 5: the server's retry: field is a floor", () => {
    // https://github.com/launchdarkly/dotnet-eventsource/issues/92: retry: was parsed and ignored.
    it('no delay is shorter than the last retry: the server sent', () => {
      const { schedule } = scheduleOf({ initialDelay: 100 });
      schedule.connecting('GET');
      schedule.retryField(2000);
      expect(delayOf(schedule, closed())).toBe(2000);
      expect(delayOf(schedule, closed())).toBe(2000);
    });

    it('full jitter stays within the bound and above the floor', () => {
      const schedule = new ReconnectSchedule(
        { initialDelay: 1000 },
        undefined,
        () => 0,
        () => 0,
      );
      schedule.connecting('GET');
      schedule.retryField(300);
      expect(delayOf(schedule, network())).toBe(300);
    });
  });
});
