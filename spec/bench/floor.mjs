// Row (1), the floor: fetch-event-source exactly as rx-sse ships it. The published package crashes
// in Node on close and abort (it calls `document` / `window`), so the benchmark bundles it with the
// same scoping plugin the build uses (esbuild.config.mjs) — the copy inside dist/, on its own.
import { build } from 'esbuild';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scopedTransport } from '../../esbuild.config.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the scoped copy is written (git-ignored). */
export const FLOOR_MODULE = join(here, 'results', 'fes-scoped.mjs');

/** Bundles the scoped copy of fetch-event-source to {@link FLOOR_MODULE}. */
export async function buildFloor() {
  await mkdir(dirname(FLOOR_MODULE), { recursive: true });
  await build({
    stdin: {
      contents: "export { fetchEventSource } from '@microsoft/fetch-event-source';",
      resolveDir: here,
      loader: 'js',
    },
    outfile: FLOOR_MODULE,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    logLevel: 'warning',
    plugins: [scopedTransport],
  });
}
