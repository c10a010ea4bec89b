import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createChatApi } from './api.js';
import { App } from './App.js';
import { ChatApiContext } from './ChatApiContext.js';

const api = createChatApi();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ChatApiContext value={api}>
      <App />
    </ChatApiContext>
  </StrictMode>,
);
