/**
 * What every reliability scenario shares:
 * - requests carry a unique `authorization` token and cookie, and every error the scenario
 *   produces (delivered or only reported through `state`) is kept, so the file can grep them all
 *   for the secrets at the end ({@link expectNoSecretLeaks});
 * - leak checks after each scenario: no response or socket left open on the server, no timer
 *   created by rx-sse still pending ({@link SdkTimers}), no listener left on a caller's
 *   AbortSignal ({@link spiedSignal}).
 */
import { randomBytes } from 'node:crypto';
import { join, sep } from 'node:path';
import { format, inspect } from 'node:util';
import { tap, type Observable } from 'rxjs';
import { fromSse, type FromSseOptions, type SseMessage } from '../../../src/index.js';
import { standIn, startServer, type SseServer } from '../../support/sse-server.js';
import { until } from '../../support/until.js';

/** A bearer token no one else uses: it must never show up in an error or in the logs. */
export const TOKEN = `tok_${randomBytes(18).toString('hex')}`;
/** A session cookie value, same rule. */
export const COOKIE = `sid_${randomBytes(18).toString('hex')}`;
/** The headers every scenario sends. */
export const SECRET_HEADERS: Readonly<Record<string, string>> = {
  authorization: `Bearer ${TOKEN}`,
  cookie: `session=${COOKIE}; theme=dark`,
};

/** Every error the scenarios of this file produced. */
export const produced: unknown[] = [];
const logged: string[] = [];

/** Keeps an error for {@link expectNoSecretLeaks}. */
export function record(error: unknown): void {
  if (error !== undefined) produced.push(error);
}

/** The listener counts of every caller signal the scenarios passed. */
const signals: Array<() => number> = [];

/**
 * `fromSse` with the secret headers and a caller's AbortSignal (spied on, never aborted unless
 * the scenario passes its own), keeping every error it delivers or reports.
 */
export function sse(
  url: Parameters<typeof fromSse>[0],
  options: FromSseOptions = {},
): Observable<SseMessage> {
  const { state } = options;
  let { signal } = options;
  if (signal === undefined) {
    const spied = spiedSignal();
    signal = spied.controller.signal;
  }
  return fromSse(url, {
    headers: SECRET_HEADERS,
    ...options,
    signal,
    state: (s) => {
      if ('error' in s) record(s.error);
      if (typeof state === 'function') state(s);
      else state?.next(s);
    },
  }).pipe(tap({ error: record }));
}

/** What a subscription ended with. */
export interface Outcome<T> {
  readonly values: T[];
  readonly error: unknown;
  readonly completed: boolean;
}

/**
 * Subscribes until the source completes or errors. After `timeout` ms it unsubscribes and
 * resolves with an error, so a hung scenario fails alone instead of leaking into the next ones.
 */
export function settle<T>(source: Observable<T>, timeout = 15_000): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    const values: T[] = [];
    const timer: { id?: ReturnType<typeof setTimeout> } = {};
    let done = false;
    const end = (outcome: Outcome<T>): void => {
      done = true;
      clearTimeout(timer.id);
      resolve(outcome);
    };
    const subscription = source.subscribe({
      next: (value) => values.push(value),
      error: (error: unknown) => end({ values, error, completed: false }),
      complete: () => end({ values, error: undefined, completed: true }),
    });
    if (done) return;
    timer.id = setTimeout(() => {
      subscription.unsubscribe();
      end({ values, error: new Error(`no completion within ${timeout} ms`), completed: false });
    }, timeout);
  });
}

/** Captures console output so it can be checked for secrets; printed too unless `quiet`. */
export function captureConsole(quiet = false): void {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method].bind(console);
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(format(...args));
      if (!quiet) original(...args);
    });
  }
}

/** Every way an error can be shown or serialised. */
export function renderings(error: unknown): string[] {
  const out = [inspect(error, { depth: 8 }), String(error)];
  try {
    out.push(JSON.stringify(error) ?? '');
  } catch {
    // Cyclic: inspect covers it.
  }
  if (error instanceof Error) {
    out.push(error.message, error.stack ?? '');
    const fields = error as unknown as Record<string, unknown>;
    for (const key of ['body', 'headers', 'url', 'raw']) {
      if (fields[key] !== undefined) out.push(JSON.stringify(fields[key]));
    }
    if (error.cause !== undefined) out.push(...renderings(error.cause));
  }
  return out;
}

/** Whether `text` contains any 8 consecutive characters of a secret (catches truncated ones). */
export function leaksSecret(text: string): boolean {
  for (const secret of [TOKEN, COOKIE]) {
    for (let i = 0; i + 8 <= secret.length; i++) {
      if (text.includes(secret.slice(i, i + 8))) return true;
    }
  }
  return false;
}

/** Greps every error produced and everything logged for the secrets. */
export function expectNoSecretLeaks(): void {
  const leaks = [...produced.flatMap(renderings), ...logged].filter(leaksSecret);
  expect(leaks).toEqual([]);
}

const SRC = join(__dirname, '..', '..', '..', 'src') + sep;

/** An Error whose stack (formatted only when read) shows where a timer was created. */
function origin(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 80;
  const error = new Error('timer created');
  Error.stackTraceLimit = limit;
  return error;
}

type Callback = (...args: unknown[]) => void;

/**
 * Tracks the timers rx-sse creates: every `setTimeout`/`setInterval` whose creation stack passes
 * through `src/` (directly, through the bundled transport, or through RxJS schedulers called from
 * it), until it fires or is cleared. The global timer functions are wrapped (calling through
 * unchanged); nothing of the SDK is replaced. Node's fetch keeps its own timers (not globals) and
 * is not counted.
 */
export class SdkTimers {
  private readonly live = new Map<unknown, Error>();
  private readonly spies: Array<{ mockRestore(): void }> = [];

  enable(): this {
    const live = this.live;
    const realSetTimeout = globalThis.setTimeout;
    const realSetInterval = globalThis.setInterval;
    const realClearTimeout = globalThis.clearTimeout;
    const realClearInterval = globalThis.clearInterval;
    this.spies.push(
      jest.spyOn(globalThis, 'setTimeout').mockImplementation(((
        handler: Callback,
        ms?: number,
        ...args: unknown[]
      ) => {
        const created = origin();
        const handle = realSetTimeout(
          (...callArgs: unknown[]) => {
            live.delete(handle);
            handler(...callArgs);
          },
          ms,
          ...args,
        );
        live.set(handle, created);
        return handle;
      }) as unknown as typeof setTimeout),
      jest.spyOn(globalThis, 'setInterval').mockImplementation(((
        handler: Callback,
        ms?: number,
        ...args: unknown[]
      ) => {
        const handle = realSetInterval(handler, ms, ...args);
        live.set(handle, origin());
        return handle;
      }) as unknown as typeof setInterval),
      jest.spyOn(globalThis, 'clearTimeout').mockImplementation((handle) => {
        live.delete(handle);
        realClearTimeout(handle);
      }),
      jest.spyOn(globalThis, 'clearInterval').mockImplementation((handle) => {
        live.delete(handle);
        realClearInterval(handle);
      }),
    );
    return this;
  }

  disable(): void {
    for (const spy of this.spies.splice(0)) spy.mockRestore();
  }

  /** Creation stacks of the SDK timers still pending. */
  pending(): string[] {
    const stacks = [...this.live.values()].map((error) => error.stack ?? '');
    return stacks.filter((stack) => stack.includes(SRC));
  }
}

/** A caller's AbortSignal whose `abort` listeners are counted (the real signal, spied on). */
export function spiedSignal(): { controller: AbortController; listeners: () => number } {
  const controller = new AbortController();
  signals.push(() => listeners());
  const add = jest.spyOn(controller.signal, 'addEventListener');
  const remove = jest.spyOn(controller.signal, 'removeEventListener');
  const listeners = (): number => {
    const calls = [
      ...add.mock.calls.map((args, i) => ({ at: add.mock.invocationCallOrder[i] ?? 0, args })),
      ...remove.mock.calls.map((args, i) => ({
        at: remove.mock.invocationCallOrder[i] ?? 0,
        removed: true,
        args,
      })),
    ].sort((a, b) => a.at - b.at);
    const active: unknown[] = [];
    for (const call of calls) {
      if (call.args[0] !== 'abort') continue;
      const index = active.indexOf(call.args[1]);
      if (!('removed' in call) && index === -1) active.push(call.args[1]);
      if ('removed' in call && index !== -1) active.splice(index, 1);
    }
    return active.length;
  };
  return { controller, listeners };
}

export { until };

/**
 * The teardown check run after every scenario: the server has no response in progress (so every
 * socket still open is idle in fetch's keep-alive pool: those are closed and counted by
 * {@link expectNoSocketsAtEnd}), no caller signal of the scenario has a listener left, and no
 * SDK timer is pending.
 */
export async function expectNoLeaks(server: SseServer, timers: SdkTimers): Promise<void> {
  await server.waitFor(() => server.openResponses() === 0, 'no open responses');
  const listening = signals.splice(0).filter((listeners) => listeners() > 0).length;
  expect({ signalsWithListeners: listening }).toEqual({ signalsWithListeners: 0 });
  await until(() => timers.pending().length === 0, 'no pending SDK timers', {
    timeout: 2000,
  }).catch(() => {
    expect(timers.pending()).toEqual([]);
  });
}

/** At the end of a file: the idle pool sockets closed, the server has no socket left. */
export async function expectNoSocketsAtEnd(server: SseServer): Promise<void> {
  server.closeIdleConnections();
  await server.waitFor(() => server.openSockets() === 0, 'no open sockets');
}

/** Options of {@link useReliabilityServer}. */
export interface ReliabilityServerOptions {
  /** Keep captured console output quiet (the file inspects it itself). */
  readonly quiet?: boolean;
  /** Check at the end that no secret leaked into errors or output (default true). */
  readonly checkSecrets?: boolean;
  /** Routes and state to set up once the server runs. */
  readonly setup?: (server: SseServer) => void;
  /** Called first at the end, e.g. to print the file's figures. */
  readonly summary?: () => void;
}

/**
 * The lifecycle every reliability file shares: console captured and SDK timers tracked, one
 * server for the file; after each test no response, timer or signal listener left; at the end no
 * secret leaked and no socket left, then the server closed.
 */
export function useReliabilityServer(options: ReliabilityServerOptions = {}): {
  server: SseServer;
  timers: SdkTimers;
} {
  const timers = new SdkTimers();
  let current: SseServer | undefined;
  beforeAll(async () => {
    captureConsole(options.quiet);
    timers.enable();
    current = await startServer();
    options.setup?.(current);
  });
  afterEach(() => (current === undefined ? undefined : expectNoLeaks(current, timers)));
  afterAll(async () => {
    options.summary?.();
    timers.disable();
    if (options.checkSecrets !== false) expectNoSecretLeaks();
    if (current === undefined) return;
    await expectNoSocketsAtEnd(current);
    await current.close();
  });
  return { server: standIn(() => current), timers };
}
