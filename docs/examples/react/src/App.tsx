import { useState } from 'react';
import { ChatRoom } from './ChatRoom.js';
import { OnlineCount } from './OnlineCount.js';

/** The header (with its own online count) and the current room, or none. */
export function App({ user = 'you' }: { readonly user?: string }) {
  const [room, setRoom] = useState<string | null>('general');
  return (
    <main>
      <header>
        <h1>rx-sse chat</h1>
        <OnlineCount />
        {room === null ? (
          <button onClick={() => setRoom('general')}>Join #general</button>
        ) : (
          <button onClick={() => setRoom(null)}>Leave room</button>
        )}
      </header>
      {room !== null && <ChatRoom roomId={room} user={user} />}
    </main>
  );
}
