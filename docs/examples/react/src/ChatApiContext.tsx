import { createContext, useContext } from 'react';
import type { ChatApi } from './api.js';

export const ChatApiContext = createContext<ChatApi | null>(null);

export function useChatApi(): ChatApi {
  const api = useContext(ChatApiContext);
  if (api === null) throw new Error('Wrap the app in <ChatApiContext value={createChatApi()}>');
  return api;
}
