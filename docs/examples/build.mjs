// Builds the example apps with esbuild alone — no framework CLI, no dev server.
//
//   node docs/examples/build.mjs [react|angular ...] [--production] [--outdir DIR]
//
// Each app is written to docs/examples/<app>/dist/ (or DIR/<app>/): index.html and main.js.
// The examples import `rx-sse`, `rx-sse/react` and `rx-sse/angular` as an app would; here those
// resolve to the sources in src/, so the examples always run the SDK of this checkout.
// Development builds (the default) keep React's StrictMode double mount, as users see in dev.
import { build } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scopedTransport } from '../../esbuild.config.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

/** The SDK's public entries, resolved to this checkout's sources. */
const sdkFromSource = {
  name: 'rx-sse-from-source',
  setup(b) {
    b.onResolve({ filter: /^rx-sse(\/(react|angular|testing))?$/ }, (args) => ({
      path: join(
        root,
        'src',
        args.path === 'rx-sse' ? 'index.ts' : `${args.path.slice(7)}/index.ts`,
      ),
    }));
  },
};

const APPS = {
  react: {
    entry: 'react/src/main.tsx',
    title: 'React chat',
    mount: '<div id="root"></div>',
    options: { jsx: 'automatic' },
  },
  angular: {
    entry: 'angular/src/main.ts',
    title: 'Angular chat',
    mount: '<app-root></app-root>',
    // Angular compiles the components in the browser (JIT): decorators as TypeScript emits them.
    options: {
      tsconfigRaw: {
        compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false },
      },
    },
  },
};

/**
 * Builds one example app into `outdir`. Returns the directory.
 * @param {'react' | 'angular'} app
 * @param {{ outdir?: string, production?: boolean }} [options]
 */
export async function buildExample(app, { outdir, production = false } = {}) {
  const spec = APPS[app];
  if (!spec) throw new Error(`unknown example "${app}" (expected one of ${Object.keys(APPS)})`);
  const out = outdir ? join(outdir, app) : join(here, app, 'dist');
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [join(here, spec.entry)],
    outfile: join(out, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify: production,
    define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
    logLevel: 'warning',
    // The SDK bundled exactly as the package build does it (its transport included).
    plugins: [sdkFromSource, scopedTransport],
    ...spec.options,
  });
  // One page shell for both apps (docs/examples/index.html): their title and mount element differ.
  const page = await readFile(join(here, 'index.html'), 'utf8');
  await writeFile(
    join(out, 'index.html'),
    page.replace('%TITLE%', spec.title).replace('%MOUNT%', spec.mount),
  );
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const production = args.includes('--production');
  const outdirAt = args.indexOf('--outdir');
  const outdir = outdirAt === -1 ? undefined : resolve(args[outdirAt + 1]);
  const named = args.filter(
    (arg, i) => !arg.startsWith('--') && (outdirAt === -1 || i !== outdirAt + 1),
  );
  const apps = named.length > 0 ? named : Object.keys(APPS);
  for (const app of apps) {
    const out = await buildExample(app, { outdir, production });
    console.log(`built ${app} → ${out}`);
  }
}
