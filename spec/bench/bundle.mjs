// Bundle size: what each public entry of the built package, and each peer library, adds to a
// browser bundle — esbuild bundle + minify (ESM, browser platform), then gzip level 9. Peer
// dependencies (rxjs, zod, graphql, React, Angular) are external: an application has them anyway.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ENTRIES } from '../../esbuild.config.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function measure(contents) {
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
