import { Component, computed, inject, signal } from '@angular/core';
import { scan } from 'rxjs';
import { ofEvent } from 'rx-sse';
import { injectSse } from 'rx-sse/angular';
import { CHAT_API, CONNECTION_LABELS, type Message } from './api.js';
import { ChatState } from './chat-state.js';
import { OnlineCountComponent } from './online-count.component.js';

/**
 * The current room: its messages (the last 50) and its connection badge, with `injectSse`. The
 * stream follows the `room` signal it reads (a new room closes the old stream), never connects
 * during SSR, and closes when the component is destroyed.
 */
@Component({
  selector: 'app-chat-room',
  imports: [OnlineCountComponent],
  template: `
    <section [attr.aria-label]="'room ' + roomId()">
      <h2>
        #{{ roomId() }}
        <span class="badge" data-testid="connection" [attr.data-state]="room().state.status">{{
          label()
        }}</span>
        <app-online-count />
      </h2>
      @if (room().error) {
        <p role="alert">The room stream stopped: {{ room().error }}</p>
      }
      <ul data-testid="messages">
        @for (m of room().data ?? []; track m.id) {
          <li>
            <b>{{ m.user }}</b>: {{ m.text }}
          </li>
        }
      </ul>
      <form (submit)="send($event)">
        <input aria-label="message" [value]="draft()" (input)="draft.set(input.value)" #input />
        <button type="submit">Send</button>
      </form>
    </section>
  `,
})
export class ChatRoomComponent {
  private readonly api = inject(CHAT_API);
  private readonly chat = inject(ChatState);
  protected readonly roomId = computed(() => this.chat.room() ?? '');
  protected readonly draft = signal('');

  protected readonly room = injectSse((state) =>
    this.api.room({ params: { roomId: this.roomId() }, state }).pipe(
      ofEvent('message'),
      scan((list: readonly Message[], event) => [...list, event.data].slice(-50), []),
    ),
  );
  protected readonly label = computed(() => CONNECTION_LABELS[this.room().state.status]);

  protected send(event: Event): void {
    event.preventDefault();
    const text = this.draft().trim();
    if (!text) return;
    this.draft.set('');
    void fetch(`/api/rooms/${encodeURIComponent(this.roomId())}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: this.chat.user(), text }),
    });
  }
}
