/**
 * The chat API of the React app: the endpoints shared by both example apps.
 */
export { chatEndpoints, CONNECTION_LABELS, createChatApi, Message } from '../../chat-api.js';
export type { ChatApi, ChatApiOptions } from '../../chat-api.js';
