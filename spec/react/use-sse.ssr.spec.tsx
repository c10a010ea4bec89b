import { renderToString } from 'react-dom/server';
import { defer } from 'rxjs';
import { fromSse } from '../../src/index.js';
import { useSse } from '../../src/react/index.js';
import { startServer, type SseServer } from '../support/sse-server.js';

let server: SseServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

it('renders the idle snapshot on the server and never connects', () => {
  let subscriptions = 0;
  function Feed({ url }: { url: string }) {
    const { data, state } = useSse(
      (state) =>
        defer(() => {
          subscriptions++;
          return fromSse(url, { state });
        }),
      [url],
    );
    return (
      <p data-state={state.status}>
        {state.status}:{String(data)}
      </p>
    );
  }
  const html = renderToString(<Feed url={`${server.url}/feed`} />);
  expect(html).toBe('<p data-state="idle">idle<!-- -->:<!-- -->undefined</p>');
  // Rendering subscribed to nothing, so nothing can reach the server.
  expect(subscriptions).toBe(0);
  expect(server.requests).toEqual([]);
});
