import { Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { map } from 'rxjs';
import { ofEvent } from 'rx-sse';
import { CHAT_API } from './api.js';

/**
 * The number of people online, with `toSignal`. Every instance shares one connection (the
 * endpoint is shared); `toSignal` unsubscribes when the component is destroyed.
 */
@Component({
  selector: 'app-online-count',
  template: `<span data-testid="online">{{
    count() === undefined ? '…' : count() + ' online'
  }}</span>`,
})
export class OnlineCountComponent {
  protected readonly count = toSignal(
    inject(CHAT_API)
      .online()
      .pipe(
        ofEvent('online'),
        map((event) => event.data.count),
      ),
  );
}
