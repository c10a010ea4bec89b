/**
 * The chat API of the Angular app: the endpoints shared by both example apps, and the injection
 * token components use. Tests provide `CHAT_API` with a client over
 * `createMockSseFetch().fetch` from `rx-sse/testing`.
 */
import { InjectionToken } from '@angular/core';
import { createChatApi, type ChatApi } from '../../chat-api.js';

export { chatEndpoints, CONNECTION_LABELS, createChatApi, Message } from '../../chat-api.js';
export type { ChatApi, ChatApiOptions } from '../../chat-api.js';

export const CHAT_API = new InjectionToken<ChatApi>('CHAT_API', {
  providedIn: 'root',
  factory: () => createChatApi(),
});
