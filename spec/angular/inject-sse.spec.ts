/**
 * @jest-environment jest-fixed-jsdom
 */
import '@angular/compiler';
import {
  Component,
  EnvironmentInjector,
  Input,
  input,
  PLATFORM_ID,
  createEnvironmentInjector,
  provideZonelessChangeDetection,
  signal,
} from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { defer, Subject } from 'rxjs';
import { fromSse, idleSnapshot } from '../../src/index.js';
import { injectSse } from '../../src/angular/index.js';
import { createMockSseFetch, type MockSseFetch } from '../../src/testing/index.js';
import { until } from '../support/until.js';

TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting());

let mock: MockSseFetch;
/** Subscriptions to FeedComponent's stream: counted when they happen, before any fetch. */
let subscriptions = 0;
const room = signal('a');

@Component({ selector: 'test-feed', template: `{{ feed().state.status }}:{{ feed().data }}` })
class FeedComponent {
  readonly feed = injectSse((state) => {
    const url = `https://x.test/rooms/${room()}`;
    return defer(() => {
      subscriptions++;
      return fromSse(url, { fetch: mock.fetch, state });
    });
  });
}

/**
 * The guide's pattern: a signal `input()` read by the factory. The `@Input` metadata is what the
 * Angular compiler adds to signal inputs in JIT builds (CLI or jest-preset-angular); AOT builds
 * compile them without it.
 */
@Component({ selector: 'test-room', template: `{{ room().state.status }}:{{ room().data }}` })
class RoomComponent {
  @Input({ isSignal: true, alias: 'roomId', required: true } as Input)
  readonly roomId = input.required<string>();
  readonly room = injectSse((state) =>
    fromSse(`https://x.test/rooms/${this.roomId()}`, { fetch: mock.fetch, state }),
  );
}

beforeEach(() => {
  mock = createMockSseFetch();
  subscriptions = 0;
  room.set('a');
  TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection()] });
});
afterEach(() => TestBed.resetTestingModule());

describe('injectSse', () => {
  it('renders the stream with its connection state; destroying the component closes it', async () => {
    const fixture = TestBed.createComponent(FeedComponent);
    await fixture.whenStable();
    const connection = await mock.connection();
    await connection.send({ data: 'hi' });
    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).textContent).toBe('open:hi');
    fixture.destroy();
    expect(await connection.done).toBe('aborted');
  });

  it('re-connects when a signal the factory reads changes', async () => {
    const fixture = TestBed.createComponent(FeedComponent);
    await fixture.whenStable();
    const a = await mock.connection();
    room.set('b');
    await fixture.whenStable();
    expect(await a.done).toBe('aborted');
    const b = await mock.connection();
    expect(b.request.url).toBe('https://x.test/rooms/b');
    expect(mock.requests).toHaveLength(2);
    fixture.destroy();
  });

  it('follows a signal input: a new value closes the old stream and opens a new one', async () => {
    const fixture = TestBed.createComponent(RoomComponent);
    fixture.componentRef.setInput('roomId', 'x');
    await fixture.whenStable();
    const x = await mock.connection();
    expect(x.request.url).toBe('https://x.test/rooms/x');
    fixture.componentRef.setInput('roomId', 'y');
    await fixture.whenStable();
    expect(await x.done).toBe('aborted');
    const y = await mock.connection();
    await y.send({ data: 'in y' });
    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).textContent).toBe('open:in y');
    fixture.destroy();
    expect(await y.done).toBe('aborted');
  });

  it('connects nothing on the server platform', async () => {
    TestBed.overrideProvider(PLATFORM_ID, { useValue: 'server' });
    const fixture = TestBed.createComponent(FeedComponent);
    await fixture.whenStable();
    expect(fixture.componentInstance.feed()).toBe(idleSnapshot());
    expect(subscriptions).toBe(0);
    expect(mock.requests).toHaveLength(0);
    fixture.destroy();
  });

  it('needs an injection context, or an injector whose destruction ends it', async () => {
    expect(() => injectSse(new Subject<number>())).toThrow(/injection context/);

    const parent = TestBed.inject(EnvironmentInjector);
    const injector = createEnvironmentInjector([], parent);
    const source = new Subject<number>();
    const values = injectSse(source, { injector });
    TestBed.tick(); // runs the effect that subscribes
    expect(source.observed).toBe(true);
    source.next(5);
    expect(values()).toMatchObject({ data: 5, state: { status: 'open' } });
    injector.destroy();
    // The teardown runs after gracePeriod 0 (the next macrotask): wait for it, bounded.
    await until(() => !source.observed, 'the source to be unsubscribed', { timeout: 1000 });
    expect(source.observed).toBe(false);
  });
});
