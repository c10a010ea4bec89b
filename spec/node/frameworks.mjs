// The built framework entries through the package's ESM exports, in plain Node.
// Angular's packages need its compiler in an unbuilt (JIT) app: apps built by the CLI do not.
import '@angular/compiler';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { fromSse } from 'rx-sse';
import { injectSse } from 'rx-sse/angular';
import { useSse } from 'rx-sse/react';
import report from './frameworks-render.cjs';

console.log(report({ createElement, renderToString, fromSse, useSse, injectSse }));
