import { useSse } from 'rx-sse/react';
import { useChatApi } from './ChatApiContext.js';

/** The number of people online. Every instance shares one connection (the endpoint is shared). */
export function OnlineCount() {
  const api = useChatApi();
  const { data } = useSse((state) => api.online({ state }), [api]);
  return <span data-testid="online">{data === undefined ? '…' : `${data.count} online`}</span>;
}
