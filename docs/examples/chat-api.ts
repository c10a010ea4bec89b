/**
 * The chat server's SSE endpoints, described once for both example apps (React and Angular).
 * Components and tests build the client with `createChatApi`; tests pass
 * `createMockSseFetch().fetch` from `rx-sse/testing`.
 */
import { createSseClient, defineEndpoint, type SseConnectionState } from 'rx-sse';
import { z } from 'zod';

export const Message = z.object({ id: z.string(), user: z.string(), text: z.string() });
export type Message = z.infer<typeof Message>;

export const chatEndpoints = {
  /** The messages of one room. Not shared: each room view has its own stream. */
  room: defineEndpoint({
    path: '/api/rooms/:roomId/events',
    events: { message: Message },
  }),
  /**
   * How many people are online. Shared: every component showing it uses one connection, and one
   * that mounts late gets the current count at once (`replay: 1`).
   */
  online: defineEndpoint({
    path: '/api/online',
    events: { online: z.object({ count: z.number().int().nonnegative() }) },
    share: { replay: 1, gracePeriod: 1000 },
  }),
};

export interface ChatApiOptions {
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
}

export function createChatApi(options: ChatApiOptions = {}) {
  return createSseClient({
    ...options,
    retry: { initialDelay: 250, maxDelay: 5000 },
    endpoints: chatEndpoints,
  });
}

export type ChatApi = ReturnType<typeof createChatApi>;

/** What the connection badge of either app says for each connection state. */
export const CONNECTION_LABELS: Readonly<Record<SseConnectionState['status'], string>> = {
  idle: 'idle',
  connecting: 'connecting…',
  open: 'live',
  reconnecting: 'reconnecting…',
  paused: 'paused',
  closed: 'offline',
};
