import { useState, type FormEvent } from 'react';
import { scan } from 'rxjs';
import { ofEvent } from 'rx-sse';
import { useSse } from 'rx-sse/react';
import type { Message } from './api.js';
import { useChatApi } from './ChatApiContext.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { OnlineCount } from './OnlineCount.js';

/** One room: its messages (the last 50), its connection badge, and a form to post. */
export function ChatRoom({ roomId, user }: { readonly roomId: string; readonly user: string }) {
  const api = useChatApi();
  const {
    data: messages = [],
    state,
    error,
  } = useSse(
    (state) =>
      api.room({ params: { roomId }, state }).pipe(
        ofEvent('message'),
        scan((list: readonly Message[], event) => [...list, event.data].slice(-50), []),
      ),
    [api, roomId],
  );
  const [draft, setDraft] = useState('');

  const send = (e: FormEvent): void => {
    e.preventDefault();
    const text = draft.trim();
    if (!text) return;
    setDraft('');
    void fetch(`/api/rooms/${encodeURIComponent(roomId)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, text }),
    });
  };

  return (
    <section aria-label={`room ${roomId}`}>
      <h2>
        #{roomId} <ConnectionBadge state={state} /> <OnlineCount />
      </h2>
      {error !== undefined && (
        <p role="alert">
          The room stream stopped: {error instanceof Error ? error.message : 'unknown error'}
        </p>
      )}
      <ul data-testid="messages">
        {messages.map((m) => (
          <li key={m.id}>
            <b>{m.user}</b>: {m.text}
          </li>
        ))}
      </ul>
      <form onSubmit={send}>
        <input aria-label="message" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit">Send</button>
      </form>
    </section>
  );
}
