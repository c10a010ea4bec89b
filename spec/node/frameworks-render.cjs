// What spec/node/frameworks.{cjs,mjs} check once each module system has loaded the built entries:
// they load, and a server render with useSse shows the idle state (no connection).
'use strict';

module.exports = function report({ createElement, renderToString, fromSse, useSse, injectSse }) {
  function Feed() {
    const { state } = useSse((observer) => fromSse(process.env.SSE_URL, { state: observer }), []);
    return createElement('p', null, state.status);
  }
  return JSON.stringify({
    html: renderToString(createElement(Feed)),
    useSse: typeof useSse,
    injectSse: typeof injectSse,
  });
};
