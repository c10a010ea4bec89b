/**
 * `rx-sse/angular`: Server-Sent Events streams as Angular signals.
 *
 * rx-sse streams are Observables, so the `async` pipe and `toSignal` work as they are (and, in
 * apps that still run zone.js, hold back no stability: rx-sse's timers run outside the zone). What
 * they do not do is what {@link injectSse} adds: no connection during server-side rendering, the
 * connection state next to the data, and re-connecting when the signals the stream reads change.
 *
 * @example
 * ```ts
 * import { Component, input } from '@angular/core';
 * import { createSseClient, defineEndpoint } from 'rx-sse';
 * import { injectSse } from 'rx-sse/angular';
 * import { z } from 'zod';
 *
 * const api = createSseClient({
 *   endpoints: {
 *     online: defineEndpoint({
 *       path: '/api/rooms/:roomId/online',
 *       events: { online: z.object({ count: z.number() }) },
 *     }),
 *   },
 * });
 *
 * @Component({
 *   selector: 'app-online',
 *   template: `{{ online().state.status === 'open' ? online().data?.count : '…' }} online`,
 * })
 * export class OnlineComponent {
 *   readonly roomId = input.required<string>();
 *   protected readonly online = injectSse((state) =>
 *     api.online({ params: { roomId: this.roomId() }, state }),
 *   );
 * }
 * ```
 *
 * @packageDocumentation
 * @mergeModuleWith <project>
 */
import { isPlatformBrowser } from '@angular/common';
import {
  Injector,
  NgZone,
  PLATFORM_ID,
  assertInInjectionContext,
  computed,
  effect,
  inject,
  signal,
  untracked,
  type Signal,
} from '@angular/core';
import type { Observable } from 'rxjs';
import {
  createSseStore,
  idleSnapshot,
  type SseConnectionState,
  type SseSnapshot,
  type SseSource,
  type SseStateObserver,
  type SseStore,
  type SseStoreOptions,
} from '../index.js';

/**
 * Options of {@link injectSse}.
 *
 * @example
 * ```ts
 * import { Component, Injector, inject, type Signal } from '@angular/core';
 * import { fromSse, type SseMessage, type SseSnapshot } from 'rx-sse';
 * import { injectSse } from 'rx-sse/angular';
 *
 * @Component({
 *   selector: 'app-feed',
 *   template: `<button (click)="follow()">Follow</button> {{ feed?.().data }}`,
 * })
 * export class FeedComponent {
 *   private readonly injector = inject(Injector);
 *   protected feed?: Signal<SseSnapshot<SseMessage>>;
 *
 *   protected follow() {
 *     // Outside an injection context: pass the component's injector (the connection closes
 *     // when the component is destroyed).
 *     this.feed ??= injectSse((state) => fromSse('/api/feed', { state }), {
 *       injector: this.injector,
 *     });
 *   }
 * }
 * ```
 * @category Frameworks
 */
export interface InjectSseOptions extends SseStoreOptions {
  /**
   * The injector to use when not called in an injection context (a constructor or a field
   * initializer). The connection then lives until that injector is destroyed.
   * @defaultValue the injector of the current injection context
   */
  readonly injector?: Injector;
}

function notify(observer: SseStateObserver | undefined, state: SseConnectionState): void {
  if (observer === undefined) return;
  if (typeof observer === 'function') observer(state);
  else observer.next(state);
}

/** A store over the source; a factory is called now, so the signals it reads are tracked. */
function storeOf<T>(source: SseSource<T>, options: SseStoreOptions): SseStore<T> {
  if (typeof source !== 'function') return createSseStore(source, options);
  let observer: SseStateObserver | undefined;
  const stream: Observable<T> = source((state) => notify(observer, state));
  return createSseStore((state) => {
    observer = state;
    return stream;
  }, options);
}

/**
 * Subscribes to a stream for as long as the component (or service) lives and returns a signal of
 * its latest {@link SseSnapshot}: `{ data, event, error, state }`.
 *
 * - `source` is an Observable, or a factory `(state) => Observable`: pass `state` to `fromSse` or
 *   to the endpoint call so that `state` shows real connection states (`reconnecting`…). Signals
 *   the factory reads are tracked: when one changes, the old connection closes and a new one
 *   opens.
 * - Browser only: on the server (`isPlatformBrowser` false) nothing subscribes and the signal
 *   stays at the `idle` snapshot, so SSR makes no connection and renders the same markup the
 *   client hydrates.
 * - The subscription runs outside Angular's zone, and signal updates schedule change detection by
 *   themselves, zoneless or not. Like every rx-sse stream, it never holds back the stability of an
 *   app on zone.js (hydration and `whenStable()` wait on it).
 * - Teardown is tied to the injection context's `DestroyRef`: destroying the component closes
 *   the connection (after `gracePeriod`, default 0).
 *
 * Must be called in an injection context (a field initializer or constructor), or given
 * `options.injector`.
 *
 * @param source - The stream, or a factory receiving the state observer.
 * @param options - `gracePeriod`, `injector`.
 * @returns A read-only signal of the current snapshot.
 *
 * @example
 * ```ts
 * import { Component } from '@angular/core';
 * import { fromSse } from 'rx-sse';
 * import { injectSse } from 'rx-sse/angular';
 *
 * @Component({
 *   selector: 'app-ticker',
 *   template: `
 *     @if (ticker().state.status === 'reconnecting') { <span>reconnecting…</span> }
 *     <p>{{ ticker().data ?? 'waiting…' }}</p>
 *   `,
 * })
 * export class TickerComponent {
 *   protected readonly ticker = injectSse((state) => fromSse('/api/ticker', { state }));
 * }
 * ```
 * @category Frameworks
 */
export function injectSse<T>(
  source: SseSource<T>,
  options: InjectSseOptions = {},
): Signal<SseSnapshot<T>> {
  if (options.injector === undefined) assertInInjectionContext(injectSse);
  const injector = options.injector ?? inject(Injector);
  const snapshot = signal<SseSnapshot<T>>(idleSnapshot<T>());
  if (!isPlatformBrowser(injector.get(PLATFORM_ID))) return snapshot.asReadonly();

  const zone = injector.get(NgZone);
  const storeOptions: SseStoreOptions =
    options.gracePeriod === undefined ? {} : { gracePeriod: options.gracePeriod };
  const store = computed(() => storeOf(source, storeOptions));
  effect(
    (onCleanup) => {
      const current = store();
      untracked(() => {
        const stop = zone.runOutsideAngular(() =>
          current.subscribe(() => snapshot.set(current.getSnapshot())),
        );
        snapshot.set(current.getSnapshot());
        onCleanup(stop);
      });
    },
    { injector },
  );
  return snapshot.asReadonly();
}
