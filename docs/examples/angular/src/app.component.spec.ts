/**
 * @jest-environment jest-fixed-jsdom
 *
 * The example app's own test: its components in Angular's TestBed against an in-memory SSE server
 * from `rx-sse/testing` — no network, fully scripted. (`jest-fixed-jsdom` is jsdom with Node's
 * fetch-era globals — TextDecoder, ReadableStream, Response — which plain jsdom lacks.)
 */
import '@angular/compiler';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { createMockSseFetch, type MockSseFetch } from 'rx-sse/testing';
import { CHAT_API, createChatApi } from './api.js';
import { AppComponent } from './app.component.js';
import { ChatState } from './chat-state.js';

TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting());

let mock: MockSseFetch;
let fixture: ComponentFixture<AppComponent>;

beforeEach(async () => {
  mock = createMockSseFetch();
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      { provide: CHAT_API, useValue: createChatApi({ fetch: mock.fetch }) },
    ],
  });
  fixture = TestBed.createComponent(AppComponent);
  await fixture.whenStable();
});

afterEach(() => TestBed.resetTestingModule());

const text = (selector: string): string[] =>
  [...(fixture.nativeElement as HTMLElement).querySelectorAll(selector)].map(
    (el) => el.textContent?.trim() ?? '',
  );
const badge = (): string | null =>
  (fixture.nativeElement as HTMLElement)
    .querySelector('[data-testid="connection"]')
    ?.getAttribute('data-state') ?? null;

/** The `skip`-th connection the app opened to `path`, once open. */
async function connectionTo(path: string, skip = 0) {
  for (let i = 0, seen = 0; ; i++) {
    const connection = await mock.connection(i);
    if (connection.request.url === path && seen++ === skip) return connection;
  }
}

it('shows the room messages and the online count, one connection each', async () => {
  const room = await connectionTo('/api/rooms/general/events');
  const online = await connectionTo('/api/online');
  await online.send({ event: 'online', data: { count: 7 } });
  await room.send({ event: 'message', id: '1', data: { id: '1', user: 'ada', text: 'hi' } });
  await fixture.whenStable();

  expect(badge()).toBe('open');
  expect(text('[data-testid="messages"] li')).toEqual(['ada: hi']);
  // Two counts on screen (async pipe, toSignal), one shared connection.
  expect(text('[data-testid="online"]')).toEqual(['7 online', '7 online']);
  expect(mock.requests.map((r) => r.url).sort()).toEqual([
    '/api/online',
    '/api/rooms/general/events',
  ]);
});

it('shows reconnecting after a drop and resumes from the last event id', async () => {
  jest.useFakeTimers();
  try {
    const room = await connectionTo('/api/rooms/general/events');
    await room.send({ event: 'message', id: '41', data: { id: '41', user: 'ada', text: 'a' } });
    room.drop();
    await jest.advanceTimersByTimeAsync(0);
    fixture.detectChanges(); // under fake timers, render now rather than await the scheduler
    expect(badge()).toBe('reconnecting');

    await jest.advanceTimersByTimeAsync(250); // past the backoff (at most 250 ms here)
    const again = await connectionTo('/api/rooms/general/events', 1);
    expect(again.request.headers['last-event-id']).toBe('41');
    await again.send({ event: 'message', id: '42', data: { id: '42', user: 'bob', text: 'b' } });
    fixture.detectChanges();
    expect(badge()).toBe('open');
    expect(text('[data-testid="messages"] li')).toEqual(['ada: a', 'bob: b']);
  } finally {
    jest.useRealTimers();
  }
});

it('follows the room signal, and closes the stream when the room component goes away', async () => {
  const chat = TestBed.inject(ChatState);
  const general = await connectionTo('/api/rooms/general/events');
  chat.room.set('random');
  await fixture.whenStable();
  expect(await general.done).toBe('aborted');
  const random = await connectionTo('/api/rooms/random/events');

  chat.room.set(null);
  await fixture.whenStable();
  expect(await random.done).toBe('aborted');
  expect(text('[data-testid="messages"]')).toEqual([]);
});

it('closes every stream when the app is destroyed', async () => {
  const room = await connectionTo('/api/rooms/general/events');
  const online = await connectionTo('/api/online');
  fixture.componentRef.destroy();
  expect(await room.done).toBe('aborted');
  expect(await online.done).toBe('aborted');
});
