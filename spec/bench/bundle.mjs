// Bundle size: what each public entry of the built package, and each peer library, adds to a
// browser bundle — esbuild bundle + minify (ESM, browser platform), then gzip level 9. Peer
// dependencies (rxjs, zod, graphql, React, Angular) are external: an application has them anyway.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ENTRIES } from '../../esbuild.config.mjs';
import { attribute } from './attribute.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** min and min+gzip (bytes) of a browser bundle of `contents` (ESM source, resolved from root). */
export async function measure(contents) {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    legalComments: 'none',
    // Peers, and the core for subpath entries (they import it as `rx-sse`: counted once, above).
    external: ['rxjs', 'rxjs/*', 'zod', 'graphql', 'react', 'react/*', '@angular/*', 'rx-sse'],
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

/** Every row of the bundle-size table, ours first. */
export async function bundleSizes() {
  const rows = [];
  for (const name of Object.keys(ENTRIES)) {
    const file = join(root, 'dist', `${name}.js`);
    const entry = name === 'index' ? 'rx-sse' : `rx-sse/${name}`;
    const note = name === 'index' ? 'the whole entry' : 'the whole entry; the core is `rx-sse`';
    rows.push({ label: entry, note, ...(await measure(`export * from ${JSON.stringify(file)};`)) });
  }
  const core = JSON.stringify(join(root, 'dist', 'index.js'));
  rows.push({
    label: 'rx-sse: `fromSse` only',
    note: 'tree-shaken',
    ...(await measure(`export { fromSse } from ${core};`)),
  });
  rows.push({
    label: 'rx-sse: `createSseClient` + `defineEndpoint`',
    note: 'tree-shaken',
    ...(await measure(`export { createSseClient, defineEndpoint } from ${core};`)),
  });
  const peers = [
    ['@microsoft/fetch-event-source', 'fetchEventSource'],
    ['eventsource', 'EventSource'],
    ['eventsource-client', 'createEventSource'],
    ['graphql-sse', 'createClient'],
  ];
  for (const [pkg, name] of peers) {
    const manifest = join(root, 'node_modules', pkg, 'package.json');
    const { version } = JSON.parse(await readFile(manifest, 'utf8'));
    rows.push({
      label: `${pkg} ${version}`,
      note: `\`${name}\`, peer`,
      peer: true,
      ...(await measure(`export { ${name} } from ${JSON.stringify(pkg)};`)),
    });
  }
  return rows;
}

/**
 * What each feature costs, cumulatively: each row imports what the row above does plus one
 * feature (names exported by the built package). The last row is the whole entry.
 */
export const FEATURES = [
  { label: '`fromSse` alone', names: ['fromSse'] },
  { label: '+ typed client', names: ['createSseClient', 'defineEndpoint'] },
  { label: '+ `retryBackoff`, `sseRetryPolicy`', names: ['retryBackoff', 'sseRetryPolicy'] },
  { label: '+ sharing (`shareSse`)', names: ['shareSse'] },
  { label: '+ store (`createSseStore`)', names: ['createSseStore', 'idleSnapshot'] },
  { label: '+ `ofEvent`, the error classes: the whole entry', names: ['*'] },
];

/** Source modules whose cost inside a bundle is measured by cutting them out (attribute.mjs). */
const PARTS = [
  {
    label: 'fetch-event-source, scoped (the transport)',
    modules: [
      '@microsoft/fetch-event-source',
      'src/transport/scope.ts',
      'src/transport/fetch-event-source.ts',
    ],
  },
  { label: 'the event-stream parser', modules: ['src/transport/event-scanner.ts'] },
  {
    label: 'one connection (status checks, error body, idle watchdog)',
    modules: ['src/transport/open-stream.ts'],
  },
  { label: 'request preparation (URL, headers, body)', modules: ['src/transport/request.ts'] },
  { label: 'redaction of secrets', modules: ['src/internal/redact.ts'] },
  { label: 'errors', modules: ['src/errors.ts'] },
  {
    label: 'retry with backoff and its policy',
    modules: ['src/retry/retry-backoff.ts', 'src/retry/policy.ts'],
  },
  { label: 'resume dedupe', modules: ['src/internal/dedupe.ts'] },
  {
    label: '`fromSse` itself (options, state, visibility)',
    modules: ['src/from-sse.ts', 'src/internal/report.ts', 'src/internal/complete-after.ts'],
  },
  { label: 'esbuild glue (CommonJS interop)', modules: ['(unmapped: esbuild glue)'] },
];

/**
 * The feature table: `kind: 'cumulative'` rows (min, min+gzip, and `added`, the min+gzip over the
 * row above) and, unless `parts` is false, `kind: 'part'` rows (what a part of `fromSse` alone, and of the whole entry,
 * would save min+gzip if it were cut out of the bundle; approximate, see attribute.mjs).
 */
export async function featureSizes({ parts = true } = {}) {
  const core = JSON.stringify(join(root, 'dist', 'index.js'));
  const rows = [];
  const names = [];
  let previous;
  for (const feature of FEATURES) {
    names.push(...feature.names);
    const contents = names.includes('*')
      ? `export * from ${core};`
      : `export { ${names.join(', ')} } from ${core};`;
    const size = await measure(contents);
    rows.push({
      kind: 'cumulative',
      label: feature.label,
      ...size,
      added: previous === undefined ? size.gzip : size.gzip - previous.gzip,
    });
    previous = size;
  }
  if (!parts) return rows;
  const alone = await attribute('export { fromSse } from "./src/index.ts";');
  const whole = await attribute('export * from "./src/index.ts";');
  const saved = (result, modules) => {
    const found = result.modules.filter((m) => modules.includes(m.name));
    return {
      min: found.reduce((sum, m) => sum + m.min, 0),
      gzip: found.reduce((sum, m) => sum + m.gzipCut, 0),
    };
  };
  for (const part of PARTS) {
    rows.push({
      kind: 'part',
      label: part.label,
      modules: part.modules,
      inFromSse: saved(alone, part.modules),
      inEntry: saved(whole, part.modules),
    });
  }
  return rows;
}
