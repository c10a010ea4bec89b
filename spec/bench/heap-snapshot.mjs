// Heap snapshots grouped for reading: what a process holds, by node type and constructor name,
// closures also by where they were defined (file:line). Used by profile.mjs and layers.mjs.
import { Session } from 'node:inspector/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapSnapshot } from 'node:v8';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Script id → file, for closures' locations (ids are per isolate: the snapshot uses the same).
 * Call {@link watchScripts} before loading the code to attribute.
 */
const scripts = new Map();
let debuggerSession;
export async function watchScripts() {
  debuggerSession = new Session();
  debuggerSession.connect();
  debuggerSession.on('Debugger.scriptParsed', ({ params }) => {
    const { url } = params;
    scripts.set(
      Number(params.scriptId),
      url.startsWith('file:') ? relative(root, fileURLToPath(url)) : url,
    );
  });
  await debuggerSession.post('Debugger.enable');
}

/** Counts and self sizes by node type and name (closures: and where defined), from a snapshot. */
export async function snapshot() {
  globalThis.gc();
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc();
  const { heapUsed } = process.memoryUsage();
  let text = '';
  for await (const chunk of getHeapSnapshot()) text += chunk;
  const { snapshot: meta, nodes, strings, locations } = JSON.parse(text);
  const where = new Map();
  const locationFields = meta.meta.location_fields ?? [
    'object_index',
    'script_id',
    'line',
    'column',
  ];
  for (let i = 0; i < (locations?.length ?? 0); i += locationFields.length) {
    const file = scripts.get(locations[i + 1]) ?? `script ${locations[i + 1]}`;
    where.set(locations[i], `${file.replace(/^.*node_modules\//, '')}:${locations[i + 2] + 1}`);
  }
  const fields = meta.meta.node_fields;
  const types = meta.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const groups = new Map();
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    let name = strings[nodes[i + nameAt]];
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '';
    if (type === 'number') name = '';
    let key = `${type}: ${name.length > 60 ? `${name.slice(0, 57)}…` : name}`;
    if (type === 'closure' && where.has(i)) key += ` (${where.get(i)})`;
    const group = groups.get(key) ?? { count: 0, size: 0 };
    group.count++;
    group.size += nodes[i + sizeAt];
    groups.set(key, group);
  }
  return { groups, heapUsed };
}

/** Per stream: what `after` holds more of than `before` (groups of at least 8 bytes a stream). */
export function diff(before, after, n) {
  const rows = [];
  for (const [key, group] of after) {
    const was = before.get(key) ?? { count: 0, size: 0 };
    const count = (group.count - was.count) / n;
    const size = (group.size - was.size) / n;
    if (Math.abs(size) >= 8) rows.push({ key, count, size });
  }
  return rows.sort((a, b) => b.size - a.size);
}

/** A Markdown table of the first `top` rows of {@link diff}. */
export function heapTable(rows, top = 45) {
  return [
    '| bytes / stream | objects / stream | type: constructor or name (closures: where defined) |',
    '| --- | --- | --- |',
    ...rows.slice(0, top).map((r) => `| ${r.size.toFixed(0)} | ${r.count.toFixed(2)} | ${r.key} |`),
  ].join('\n');
}
