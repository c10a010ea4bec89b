import { Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { OnlineService } from './online.service.js';

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
  protected readonly count = toSignal(inject(OnlineService).count$);
}
