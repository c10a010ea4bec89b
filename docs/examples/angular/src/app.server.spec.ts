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
import { CHAT_API, createChatApi } from './api.js';
import { AppComponent } from './app.component.js';

let server: SseServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

it('renders on the server without opening a stream', async () => {
  const bootstrap = (context: BootstrapContext) =>
    bootstrapApplication(
      AppComponent,
      {
        providers: [
          provideServerRendering(),
          provideZonelessChangeDetection(),
          { provide: CHAT_API, useValue: createChatApi({ baseUrl: server.url }) },
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
  // Give a stray subscription the time to reach the server: none may.
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(server.requests).toEqual([]);
});
