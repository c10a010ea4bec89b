// Jest transform for @microsoft/fetch-event-source: applies the build's own scoping function
// (esbuild.config.mjs), so tests exercise exactly the transport the package ships.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { scopeFetchEventSource } from '../../esbuild.config.mjs';

const configSource = readFileSync(new URL('../../esbuild.config.mjs', import.meta.url), 'utf8');

export default {
  process(source) {
    return { code: scopeFetchEventSource(source) };
  },
  getCacheKey(source, path) {
    return createHash('sha256').update(configSource).update(path).update(source).digest('hex');
  },
};
