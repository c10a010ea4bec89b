// The built framework entries through the package's CommonJS exports, in plain Node.
// Angular's packages need its compiler in an unbuilt (JIT) app: apps built by the CLI do not.
require('@angular/compiler');
const { createElement } = require('react');
const { renderToString } = require('react-dom/server');
const { fromSse } = require('rx-sse');
const { useSse } = require('rx-sse/react');
const { injectSse } = require('rx-sse/angular'); // @angular/core is ESM: require(esm), Node ≥ 20.19
const report = require('./frameworks-render.cjs');

console.log(report({ createElement, renderToString, fromSse, useSse, injectSse }));
