/**
 * @jest-environment jest-fixed-jsdom
 *
 * The example app's own test: its components against an in-memory SSE server from
 * `rx-sse/testing` — no network, fully scripted. (`jest-fixed-jsdom` is jsdom with Node's
 * fetch-era globals — TextDecoder, ReadableStream, Response — which plain jsdom lacks.)
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { createMockSseFetch, type MockSseFetch } from 'rx-sse/testing';
import { createChatApi } from './api.js';
import { App } from './App.js';
import { ChatApiContext } from './ChatApiContext.js';

function renderApp(mock: MockSseFetch) {
  return render(
    <StrictMode>
      <ChatApiContext value={createChatApi({ fetch: mock.fetch })}>
        <App />
      </ChatApiContext>
    </StrictMode>,
  );
}

/**
 * The latest connection the app opened to `path`, once open. Awaited inside `act()`, so the
 * renders it causes (the badge turning `open`) happen there.
 */
function connectionTo(mock: MockSseFetch, path: string, skip = 0) {
  return act(async () => {
    for (let i = 0, seen = 0; ; i++) {
      const connection = await mock.connection(i);
      if (connection.request.url === path && seen++ === skip) return connection;
    }
  });
}

afterEach(cleanup);

it('shows the room messages and the online count, one connection each', async () => {
  const mock = createMockSseFetch();
  renderApp(mock);
  expect(screen.getByTestId('connection').dataset['state']).toMatch(/idle|connecting/);

  const room = await connectionTo(mock, '/api/rooms/general/events');
  const online = await connectionTo(mock, '/api/online');
  await act(() => online.send({ event: 'online', data: { count: 7 } }));
  await act(() =>
    room.send({ event: 'message', id: '1', data: { id: '1', user: 'ada', text: 'hi' } }),
  );

  expect(screen.getByTestId('connection').dataset['state']).toBe('open');
  expect(screen.getByTestId('messages').textContent).toBe('ada: hi');
  // Two counts on screen, one shared connection; StrictMode opened nothing twice.
  expect(screen.getAllByTestId('online').map((el) => el.textContent)).toEqual([
    '7 online',
    '7 online',
  ]);
  expect(mock.requests.map((r) => r.url).sort()).toEqual([
    '/api/online',
    '/api/rooms/general/events',
  ]);
});

it('shows reconnecting after a drop and resumes from the last event id', async () => {
  jest.useFakeTimers();
  try {
    const mock = createMockSseFetch();
    renderApp(mock);
    const room = await connectionTo(mock, '/api/rooms/general/events');
    await act(() =>
      room.send({ event: 'message', id: '41', data: { id: '41', user: 'ada', text: 'a' } }),
    );

    await act(async () => room.drop());
    expect(screen.getByTestId('connection').dataset['state']).toBe('reconnecting');

    // The retry waits: advance the fake clock past the backoff (at most 250 ms here).
    await act(() => jest.advanceTimersByTimeAsync(250));
    const again = await connectionTo(mock, '/api/rooms/general/events', 1);
    expect(again.request.headers['last-event-id']).toBe('41');
    await act(() =>
      again.send({ event: 'message', id: '42', data: { id: '42', user: 'bob', text: 'b' } }),
    );
    expect(screen.getByTestId('connection').dataset['state']).toBe('open');
    expect(screen.getByTestId('messages').textContent).toBe('ada: abob: b');
  } finally {
    jest.useRealTimers();
  }
});

it('closes the room connection when the user leaves the room', async () => {
  const mock = createMockSseFetch();
  renderApp(mock);
  const room = await connectionTo(mock, '/api/rooms/general/events');
  await act(async () => screen.getByText('Leave room').click());
  expect(await room.done).toBe('aborted');
  expect(screen.queryByTestId('messages')).toBeNull();
});

it('renders a validation error from the server instead of crashing', async () => {
  const mock = createMockSseFetch();
  renderApp(mock);
  const room = await connectionTo(mock, '/api/rooms/general/events');
  await act(() => room.send({ event: 'message', data: { id: 1 } }));
  expect(screen.getByRole('alert').textContent).toMatch(/stopped/);
  expect(screen.getByTestId('connection').dataset['state']).toBe('closed');
  expect(room.aborted).toBe(true);
});
