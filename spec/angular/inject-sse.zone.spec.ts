/**
 * @jest-environment jest-fixed-jsdom
 *
 * injectSse in an app that still runs on zone.js: a stream that connects and backs off must not
 * keep the app unstable (hydration, whenStable() and service-worker registration wait on it),
 * and its updates must still render.
 */
import 'zone.js';
import '@angular/compiler';
import { ApplicationRef, Component, provideZoneChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { fromSse } from '../../src/index.js';
import { injectSse } from '../../src/angular/index.js';
import { createMockSseFetch, type MockSseFetch } from '../../src/testing/index.js';
import { until } from '../support/until.js';

TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting());

let mock: MockSseFetch;

@Component({ selector: 'test-feed', template: `{{ feed().state.status }}:{{ feed().data }}` })
class FeedComponent {
  readonly feed = injectSse((state) =>
    fromSse('https://x.test/feed', {
      fetch: mock.fetch,
      state,
      retry: { initialDelay: 10_000, maxDelay: 10_000, jitter: 'none' },
    }),
  );
}

beforeEach(() => {
  mock = createMockSseFetch();
  TestBed.configureTestingModule({ providers: [provideZoneChangeDetection()] });
});
afterEach(() => TestBed.resetTestingModule());

const stable = (appRef: ApplicationRef) =>
  firstValueFrom(appRef.isStable.pipe(filter(Boolean), timeout(2000)));

it('keeps the app stable while the stream is open and while it waits to retry', async () => {
  const fixture = TestBed.createComponent(FeedComponent);
  fixture.autoDetectChanges();
  const appRef = TestBed.inject(ApplicationRef);
  const connection = await mock.connection();
  await connection.send({ data: 'hi' });
  await fixture.whenStable();
  expect((fixture.nativeElement as HTMLElement).textContent).toBe('open:hi');
  expect(await stable(appRef)).toBe(true);

  connection.drop(); // a 10 s retry timer is now pending
  await until(
    () => fixture.componentInstance.feed().state.status === 'reconnecting',
    'the reconnecting state',
    { timeout: 1000, interval: 10 },
  );
  await fixture.whenStable();
  expect((fixture.nativeElement as HTMLElement).textContent).toBe('reconnecting:hi');
  expect(await stable(appRef)).toBe(true);
  fixture.destroy();
  expect(mock.connections).toHaveLength(1);
});
