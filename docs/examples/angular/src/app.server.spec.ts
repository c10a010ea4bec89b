/**
 * Server-side rendering of the example app (Angular's platform-server, in Node): the page renders
 * the idle state, the render completes (nothing holds back stability), and the chat server sees no
 * request at all.
 */
import '@angular/compiler';
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication, type BootstrapContext } from '@angular/platform-browser';
import { provideServerRendering, renderApplication } from '@angular/platform-server';
import { startServer, type SseServer } from '../../../../spec/support/sse-server.js';
import { defer, type Observable } from 'rxjs';
import { CHAT_API, createChatApi, type ChatApi } from './api.js';
import { AppComponent } from './app.component.js';

let server: SseServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** The API, with every subscription to any of its streams counted as it happens. */
function countingSubscriptions(api: ChatApi): { api: ChatApi; subscriptions: () => number } {
  let subscriptions = 0;
  const counted = new Proxy(api, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const stream = (value as (...a: unknown[]) => Observable<unknown>)(...args);
        return defer(() => {
          subscriptions++;
          return stream;
        });
      };
    },
  });
  return { api: counted, subscriptions: () => subscriptions };
}

it('renders on the server without opening a stream', async () => {
  const chat = countingSubscriptions(createChatApi({ baseUrl: server.url }));
  const bootstrap = (context: BootstrapContext) =>
    bootstrapApplication(
      AppComponent,
      {
        providers: [
          provideServerRendering(),
          provideZonelessChangeDetection(),
          { provide: CHAT_API, useValue: chat.api },
        ],
      },
      context,
    );
  const html = await renderApplication(bootstrap, {
    document: '<!doctype html><html><head></head><body><app-root></app-root></body></html>',
    url: '/',
  });

  expect(html).toContain('data-state="idle"');
  expect(html).toMatch(/…\s*online/);
  // The render subscribed to no stream, so no request can reach the server.
  expect(chat.subscriptions()).toBe(0);
  expect(server.requests).toEqual([]);
});
