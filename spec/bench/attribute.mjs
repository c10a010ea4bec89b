// Where the bytes of a browser bundle come from: bundles `contents` (from src/, with the same
// scoped fetch-event-source the build ships) like bundle.mjs does — esbuild bundle + minify, ESM,
// browser, gzip level 9 — with a source map, attributes every output byte to the module it came
// from, and measures what each module costs min+gzip by cutting its bytes out and gzipping the
// rest. The cut-out figure is approximate (gzip shares strings between modules) but it is what a
// module would save if it went; the min figure is exact.
//
//   node spec/bench/attribute.mjs [--rxjs] ['export { fromSse } from "./src/index.ts";']
//
// --rxjs bundles rxjs too (it is a peer and external in the published figures): to see which
// rxjs modules an entry pulls in.
import { build } from 'esbuild';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { scopedTransport } from '../../esbuild.config.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const gz = (text) => gzipSync(text, { level: 9 }).length;

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((char, i) => [char, i]));

/** The segments of a source map's `mappings`: `[line, column, source index]`, in output order. */
function segments(mappings) {
  const out = [];
  // Only the generated column and the source index matter here; lines and columns in the source
  // (fields 3 and 4) are not tracked.
  let source = 0;
  mappings.split(';').forEach((line, lineIndex) => {
    let column = 0;
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const values = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = DIGIT.get(char);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0];
      if (values.length >= 2) {
        source += values[1];
        out.push([lineIndex, column, source]);
      } else {
        out.push([lineIndex, column, -1]);
      }
    }
  });
  return out;
}

/** Groups a module path: rxjs files by their name, node_modules by package, ours by src path. */
function moduleName(path) {
  const rx = /node_modules\/rxjs\/(?:dist\/[^/]+|src)\/internal\/(.+)\.[jt]s$/.exec(path);
  if (rx) return `rxjs: ${rx[1]}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (pkg) return pkg[1];
  return relative(root, path);
}

/**
 * Bundles `contents` and attributes its bytes. Returns the totals and one row per module:
 * `min` (bytes of minified output), `gzipCut` (min+gzip saved by cutting it out).
 */
export async function attribute(contents, { rxjs = false } = {}) {
  const external = ['zod', 'graphql', 'react', 'react/*', '@angular/*'];
  if (!rxjs) external.push('rxjs', 'rxjs/*');
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outfile: join(root, 'out.js'),
    sourcemap: 'external',
    legalComments: 'none',
    external,
    metafile: true,
    logLevel: 'warning',
    plugins: [scopedTransport],
  });
  const map = JSON.parse(result.outputFiles.find((file) => file.path.endsWith('.map')).text);
  const code = result.outputFiles.find((file) => file.path.endsWith('.js')).text;
  const lines = code.split('\n');
  const lineStart = [];
  let offset = 0;
  for (const line of lines) {
    lineStart.push(offset);
    offset += line.length + 1;
  }
  // Owner of each output character: the module of the mapping segment it falls in.
  const owner = new Int32Array(code.length).fill(-1);
  const segs = segments(map.mappings);
  segs.forEach(([line, column, source], i) => {
    const start = lineStart[line] + column;
    const next = segs[i + 1];
    const end =
      next === undefined
        ? code.length
        : next[0] === line
          ? lineStart[line] + next[1]
          : lineStart[line] + lines[line].length;
    owner.fill(source, start, end);
  });
  const names = map.sources.map((source) => moduleName(join(root, source)));
  const groups = new Map();
  names.forEach((name, index) => {
    if (!groups.has(name)) groups.set(name, new Set());
    groups.get(name).add(index);
  });
  groups.set('(unmapped: esbuild glue)', new Set([-1]));
  const total = { min: Buffer.byteLength(code), gzip: gz(code) };
  const modules = [];
  for (const [name, indexes] of groups) {
    let kept = '';
    let cut = 0;
    let runStart = 0;
    for (let i = 0; i <= code.length; i++) {
      const mine = i < code.length && indexes.has(owner[i]);
      if (mine) {
        if (i > runStart) kept += code.slice(runStart, i);
        runStart = i + 1;
        cut++;
      }
    }
    kept += code.slice(runStart);
    if (cut === 0) continue;
    modules.push({ name, min: cut, gzipCut: total.gzip - gz(kept) });
  }
  modules.sort((a, b) => b.gzipCut - a.gzipCut || b.min - a.min);
  return { total, modules, code, metafile: result.metafile };
}

/** A Markdown table of {@link attribute}'s rows. */
export function attributionTable({ total, modules }) {
  const lines = [
    `total: ${total.min.toLocaleString('en-US')} B min, ${total.gzip.toLocaleString('en-US')} B min+gzip`,
    '',
    '| module | min B | share of min | min+gzip B saved if cut |',
    '| --- | --- | --- | --- |',
    ...modules.map(
      (m) =>
        `| ${m.name} | ${m.min.toLocaleString('en-US')} | ${((m.min / total.min) * 100).toFixed(1)} % | ${m.gzipCut.toLocaleString('en-US')} |`,
    ),
  ];
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({
    options: { rxjs: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const contents = positionals[0] ?? 'export { fromSse } from "./src/index.ts";';
  console.log(`entry: \`${contents}\`${values.rxjs ? ' (rxjs bundled)' : ' (rxjs external)'}\n`);
  console.log(attributionTable(await attribute(contents, { rxjs: values.rxjs })));
}
