// Build configuration for rx-sse.
//
// `node esbuild.config.mjs` builds dist/: one ESM (.js) and one CJS (.cjs) bundle per public entry.
// It also exports the one transformation that makes @microsoft/fetch-event-source safe outside a
// browser, so the Jest transform (spec/support/scoped-transport.mjs) runs the very same code path
// the package ships.
//
// Why: fetch-event-source 2.0.1 calls `document.removeEventListener` and `window.clearTimeout`
// unconditionally when a stream ends. In Node, workers and SSR those globals do not exist and the
// process crashes. Defining global shims would break every library that detects the browser with
// `typeof window`. Instead, the package's free `window` / `document` identifiers are rebound to a
// module of ours (src/transport/scope.ts) that hands out the real globals in a browser and inert
// stand-ins elsewhere. No global is ever defined.
import { build, transformSync } from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The specifier the scoped transport imports its stand-ins from. Both Jest and esbuild map it. */
export const SCOPE_SPECIFIER = '__rx_sse_fes_scope__';
/** Absolute path of the module that provides the stand-ins. */
export const SCOPE_MODULE = join(root, 'src/transport/scope.ts');
/** Matches the files of the CJS build of fetch-event-source that need scoping. */
export const TRANSPORT_FILES =
  /[\\/]@microsoft[\\/]fetch-event-source[\\/]lib[\\/]cjs[\\/][^\\/]+\.js$/;

/**
 * Rebinds the free `window` and `document` identifiers of one fetch-event-source CJS file to the
 * exports of {@link SCOPE_MODULE}. The result is still CommonJS.
 */
export function scopeFetchEventSource(source) {
  const { code } = transformSync(source, {
    loader: 'js',
    format: 'cjs',
    define: { window: '__rxSseScope.fesWindow', document: '__rxSseScope.fesDocument' },
  });
  return `var __rxSseScope = require(${JSON.stringify(SCOPE_SPECIFIER)});\n${code}`;
}

const FES_NOTICE =
  '/*! @microsoft/fetch-event-source 2.0.1 | MIT License | Copyright (c) Microsoft Corporation.' +
  ' Full text in THIRD-PARTY-NOTICES.md */';

/** Matches the files of the ES-module build of fetch-event-source, which the bundles use. */
const ESM_TRANSPORT_FILES =
  /[\\/]@microsoft[\\/]fetch-event-source[\\/]lib[\\/]esm[\\/][^\\/]+\.js$/;

/**
 * esbuild plugin: bundles fetch-event-source, scoped. The bundles take its ES-module build (no
 * CommonJS wrappers: about 0.7 kB smaller min+gzip), with the same rebinding of `window` and
 * `document` as {@link scopeFetchEventSource} applies to the CommonJS build Jest loads: the same
 * source, the same scoping, in the module format each runner takes.
 */
export const scopedTransport = {
  name: 'rx-sse-scoped-transport',
  setup(b) {
    b.onResolve({ filter: /^@microsoft\/fetch-event-source$/ }, () => ({
      path: join(dirname(require.resolve('@microsoft/fetch-event-source')), '../esm/index.js'),
    }));
    b.onResolve({ filter: new RegExp(`^${SCOPE_SPECIFIER}$`) }, () => ({ path: SCOPE_MODULE }));
    b.onLoad({ filter: ESM_TRANSPORT_FILES }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const { code } = transformSync(await readFile(args.path, 'utf8'), {
        loader: 'js',
        format: 'esm',
        define: { window: '__rxSseScope.fesWindow', document: '__rxSseScope.fesDocument' },
      });
      const scope = `import * as __rxSseScope from ${JSON.stringify(SCOPE_SPECIFIER)};`;
      return { contents: `${FES_NOTICE}\n${scope}\n${code}`, loader: 'js' };
    });
  },
};

/** esbuild plugin: subpath entries import the core through the package name, never a copy. */
function coreAsPackage(entry) {
  const core = join(root, 'src/index.ts');
  return {
    name: 'rx-sse-core-external',
    setup(b) {
      if (entry === 'index') return;
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
        return target === core ? { path: 'rx-sse', external: true } : undefined;
      });
    },
  };
}

/** Public entry points: subpath → source file. */
export const ENTRIES = {
  index: 'src/index.ts',
  testing: 'src/testing/index.ts',
  react: 'src/react/index.ts',
  angular: 'src/angular/index.ts',
};

const PEERS = ['rxjs', 'rxjs/*', 'zod', 'react', '@angular/*', 'rx-sse'];

/**
 * Declarations: `tsc` writes the ESM flavour to dist/types; a copy renamed to `.d.cts` with
 * relative specifiers rewritten serves `require` (types-first, no masquerading ESM types).
 */
async function buildTypes() {
  const { execFileSync } = await import('node:child_process');
  const { mkdir, readdir, readFile, rm, writeFile } = await import('node:fs/promises');
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  const from = join(root, 'dist/types');
  const to = join(root, 'dist/types-cjs');
  // Ship only the declarations the public entries reach: internals stay out of the package.
  const reachable = new Set();
  const pending = Object.values(ENTRIES).map((file) =>
    join(from, file.replace(/^src\//, '').replace(/\.ts$/, '.d.ts')),
  );
  while (pending.length > 0) {
    const file = pending.pop();
    if (reachable.has(file)) continue;
    reachable.add(file);
    const text = await readFile(file, 'utf8');
    for (const [, specifier] of text.matchAll(
      /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)\.js['"]/g,
    )) {
      pending.push(join(dirname(file), `${specifier}.d.ts`));
    }
  }
  for (const entry of await readdir(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const source = join(entry.parentPath, entry.name);
    if (!reachable.has(source)) {
      await rm(source);
      continue;
    }
    const target = join(to, source.slice(from.length)).replace(/\.d\.ts$/, '.d.cts');
    const text = await readFile(source, 'utf8');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(
      target,
      text.replace(/((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]+)\.js\2/g, '$1$2$3.cjs$2'),
    );
  }
  const dirs = (await readdir(from, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort((a, b) => b.length - a.length);
  for (const dir of dirs) if ((await readdir(dir)).length === 0) await rm(dir, { recursive: true });
}

export async function buildPackage() {
  const { rm } = await import('node:fs/promises');
  await rm(join(root, 'dist'), { recursive: true, force: true });
  await buildTypes();
  const jobs = [];
  for (const [name, file] of Object.entries(ENTRIES)) {
    for (const format of ['esm', 'cjs']) {
      jobs.push(
        build({
          entryPoints: [join(root, file)],
          outfile: join(root, 'dist', `${name}.${format === 'esm' ? 'js' : 'cjs'}`),
          bundle: true,
          format,
          platform: 'neutral',
          mainFields: ['module', 'main'],
          target: 'es2022',
          external: PEERS,
          sourcemap: true,
          legalComments: 'eof',
          logLevel: 'warning',
          plugins: [scopedTransport, coreAsPackage(name)],
        }),
      );
    }
  }
  await Promise.all(jobs);
  const { readFile, writeFile } = await import('node:fs/promises');
  const license = await readFile(require.resolve('@microsoft/fetch-event-source/LICENSE'), 'utf8');
  await writeFile(
    join(root, 'dist/THIRD-PARTY-NOTICES.md'),
    `# Third-party notices\n\nrx-sse bundles @microsoft/fetch-event-source 2.0.1:\n\n${license}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await buildPackage();
}
