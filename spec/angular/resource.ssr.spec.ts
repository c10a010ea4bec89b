/**
 * Server-side rendering of an rx-sse stream as an `rxResource` (Angular's platform-server, in
 * Node, against the real test server): with `params` returning `undefined` on the server, as the
 * Angular guide says, the render completes with the resource idle and no request is made; without
 * that guard the server render itself connects.
 */
import '@angular/compiler';
import { isPlatformBrowser } from '@angular/common';
import {
  Component,
  PLATFORM_ID,
  inject,
  provideZonelessChangeDetection,
  type Type,
} from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import { bootstrapApplication, type BootstrapContext } from '@angular/platform-browser';
import { provideServerRendering, renderApplication } from '@angular/platform-server';
import { map } from 'rxjs';
import { z } from 'zod';
import { createSseClient, defineEndpoint } from '../../src/index.js';
import { encodeEvent, openSse, useSseServer } from '../support/sse-server.js';

const server = useSseServer();

const score = defineEndpoint({
  path: '/matches/:match/score',
  events: { score: z.object({ home: z.number(), away: z.number() }) },
});
const api = () => createSseClient({ baseUrl: server.url, endpoints: { score } });

const TEMPLATE = `<p [attr.data-status]="score.status()">{{ score.hasValue() ? score.value() : '…' }}</p>`;

/** The guide's pattern: no params on the server, so the resource stays idle there. */
@Component({ selector: 'app-root', template: TEMPLATE })
class GuardedScoreComponent {
  private readonly isBrowser = isPlatformBrowser(inject(PLATFORM_ID));
  private readonly api = api();
  protected readonly score = rxResource({
    params: () => (this.isBrowser ? { match: 'final' } : undefined),
    stream: ({ params }) =>
      this.api.score({ params }).pipe(map(({ data }) => `${data.home}–${data.away}`)),
  });
}

/** The same resource without the guard. */
@Component({ selector: 'app-root', template: TEMPLATE })
class UnguardedScoreComponent {
  private readonly api = api();
  protected readonly score = rxResource({
    params: () => ({ match: 'final' }),
    stream: ({ params }) =>
      this.api.score({ params }).pipe(map(({ data }) => `${data.home}–${data.away}`)),
  });
}

function render(component: Type<unknown>): Promise<string> {
  const bootstrap = (context: BootstrapContext) =>
    bootstrapApplication(
      component,
      { providers: [provideServerRendering(), provideZonelessChangeDetection()] },
      context,
    );
  return renderApplication(bootstrap, {
    document: '<!doctype html><html><head></head><body><app-root></app-root></body></html>',
    url: '/',
  });
}

beforeEach(() => {
  server.route('/matches/final/score', (_req, res) => {
    openSse(res).write(encodeEvent({ event: 'score', data: JSON.stringify({ home: 1, away: 0 }) }));
  });
});

it('with params undefined on the server: renders idle, no request', async () => {
  const html = await render(GuardedScoreComponent);
  expect(html).toMatch(/<p data-status="idle">\s*…\s*<\/p>/);
  expect(server.requests).toEqual([]);
});

it('without the guard the server render connects (and waits for the first event)', async () => {
  const html = await render(UnguardedScoreComponent);
  expect(html).toMatch(/<p data-status="resolved">\s*1–0\s*<\/p>/);
  expect(server.requestsTo('/matches/final/score')).toHaveLength(1);
  // The app is destroyed after rendering: its resource closes the connection (checked after
  // every test by useSseServer).
});
