/**
 * @jest-environment jest-fixed-jsdom
 */
import { act, renderHook, waitFor } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { Subject } from 'rxjs';
import { fromSse, idleSnapshot, type SseStateObserver } from '../../src/index.js';
import { useSse } from '../../src/react/index.js';
import { createMockSseFetch } from '../../src/testing/index.js';

const strict = ({ children }: { children: ReactNode }) => <StrictMode>{children}</StrictMode>;

describe('useSse', () => {
  it('renders values and derived states of a plain Observable; unmount unsubscribes', async () => {
    const source = new Subject<number>();
    const { result, unmount } = renderHook(() => useSse(source), { wrapper: strict });
    expect(result.current.state.status).toBe('connecting');
    act(() => source.next(42));
    expect(result.current).toMatchObject({ data: 42, event: 42, state: { status: 'open' } });
    expect(source.observed).toBe(true);
    unmount();
    // The teardown runs after gracePeriod 0 (the next macrotask): wait for it, bounded.
    await waitFor(() => expect(source.observed).toBe(false), { timeout: 1000 });
  });

  it('reports real connection states through the factory, one connection in StrictMode', async () => {
    const mock = createMockSseFetch();
    const { result } = renderHook(
      () => useSse((state) => fromSse('https://x.test/feed', { fetch: mock.fetch, state }), []),
      { wrapper: strict },
    );
    const connection = await act(() => mock.connection());
    expect(result.current.state).toEqual({ status: 'open', attempt: 0 });
    await act(() => connection.send({ id: '1', data: 'hello' }));
    expect(result.current.data).toBe('hello');
    expect(result.current.event).toMatchObject({ id: '1', data: 'hello' });
    expect(mock.requests).toHaveLength(1);
  });

  it('closes the old connection and opens a new one when deps change, not on other renders', async () => {
    const mock = createMockSseFetch();
    const { result, rerender } = renderHook(
      ({ room }: { room: string }) =>
        useSse(
          (state: SseStateObserver) =>
            fromSse(`https://x.test/rooms/${room}`, { fetch: mock.fetch, state }),
          [room],
        ),
      { initialProps: { room: 'a' } },
    );
    const a = await act(() => mock.connection());
    rerender({ room: 'a' });
    rerender({ room: 'a' });
    expect(mock.requests).toHaveLength(1);

    rerender({ room: 'b' });
    const b = await act(() => mock.connection());
    expect(b.request.url).toBe('https://x.test/rooms/b');
    expect(await a.done).toBe('aborted');
    await act(() => b.send({ data: 'in b' }));
    expect(result.current.data).toBe('in b');
    expect(mock.requests).toHaveLength(2);
  });

  it('subscribes to nothing for a null source', async () => {
    const mock = createMockSseFetch();
    const { result, rerender } = renderHook(
      ({ on }: { on: boolean }) =>
        useSse(on ? (state) => fromSse('https://x.test/s', { fetch: mock.fetch, state }) : null, [
          on,
        ]),
      { initialProps: { on: false } },
    );
    expect(result.current).toBe(idleSnapshot());
    expect(mock.requests).toHaveLength(0);
    rerender({ on: true });
    await act(() => mock.connection());
    expect(result.current.state.status).toBe('open');
    expect(mock.requests).toHaveLength(1);
  });

  it('keeps the connection for gracePeriod after unmount, then closes it', async () => {
    jest.useFakeTimers();
    try {
      const mock = createMockSseFetch();
      const { unmount } = renderHook(() =>
        useSse((state) => fromSse('https://x.test/s', { fetch: mock.fetch, state }), [], {
          gracePeriod: 500,
        }),
      );
      const connection = await act(() => mock.connection());
      unmount();
      await jest.advanceTimersByTimeAsync(499);
      expect(connection.closed).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(await connection.done).toBe('aborted');
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a factory without deps (it would reconnect on every render)', () => {
    const factory = (state: SseStateObserver) => fromSse('https://x.test/s', { state });
    const call = useSse as unknown as (source: unknown) => unknown;
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(() => renderHook(() => call(factory))).toThrow(/needs a deps array/);
    } finally {
      consoleError.mockRestore();
    }
  });

  it('surfaces the error that ended the stream', async () => {
    const mock = createMockSseFetch();
    mock.respondWith({ status: 404 });
    const { result } = renderHook(() =>
      useSse((state) => fromSse('https://x.test/gone', { fetch: mock.fetch, state }), []),
    );
    await waitFor(() => expect(result.current.error).toMatchObject({ code: 'http', status: 404 }));
    expect(result.current.state.status).toBe('closed');
    expect(mock.requests).toHaveLength(1);
  });
});
