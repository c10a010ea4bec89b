// The built framework entries through the package's ESM exports, in plain Node: they load, and a
// server render with useSse shows the idle state.
// Angular's packages need its compiler in an unbuilt (JIT) app: apps built by the CLI do not.
import '@angular/compiler';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { fromSse } from 'rx-sse';
import { injectSse } from 'rx-sse/angular';
import { useSse } from 'rx-sse/react';

function Feed() {
  const { state } = useSse((observer) => fromSse(process.env.SSE_URL, { state: observer }), []);
  return createElement('p', null, state.status);
}

console.log(
  JSON.stringify({
    html: renderToString(createElement(Feed)),
    useSse: typeof useSse,
    injectSse: typeof injectSse,
  }),
);
