import { AsyncPipe } from '@angular/common';
import { Component, inject } from '@angular/core';
import { ChatRoomComponent } from './chat-room.component.js';
import { ChatState } from './chat-state.js';
import { OnlineService } from './online.service.js';

/** The header (its online count with the `async` pipe) and the current room, or none. */
@Component({
  selector: 'app-root',
  imports: [AsyncPipe, ChatRoomComponent],
  template: `
    <main>
      <header>
        <h1>rx-sse chat</h1>
        <span data-testid="online">{{ (online$ | async) ?? '…' }} online</span>
        @if (chat.room()) {
          <button (click)="chat.room.set(null)">Leave room</button>
        } @else {
          <button (click)="chat.room.set('general')">Join #general</button>
        }
      </header>
      @if (chat.room()) {
        <app-chat-room />
      }
    </main>
  `,
})
export class AppComponent {
  protected readonly chat = inject(ChatState);
  /** The shared online count: the `async` pipe subscribes and unsubscribes with the view. */
  protected readonly online$ = inject(OnlineService).count$;
}
