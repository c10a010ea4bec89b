import { isPlatformBrowser } from '@angular/common';
import { Injectable, PLATFORM_ID, inject } from '@angular/core';
import { EMPTY, map, type Observable } from 'rxjs';
import { ofEvent } from 'rx-sse';
import { CHAT_API } from './api.js';

/**
 * The online count as an Observable for the `async` pipe and `toSignal`. The endpoint is shared,
 * so every subscriber uses one connection. On the server it is EMPTY: server-side rendering must
 * not open streams (`injectSse` does this by itself).
 */
@Injectable({ providedIn: 'root' })
export class OnlineService {
  readonly count$: Observable<number> = isPlatformBrowser(inject(PLATFORM_ID))
    ? inject(CHAT_API)
        .online()
        .pipe(
          ofEvent('online'),
          map((event) => event.data.count),
        )
    : EMPTY;
}
