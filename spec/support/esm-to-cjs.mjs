// Jest transform for ESM-only packages (Angular ships only .mjs): compiles a module to CommonJS
// with esbuild, so Jest's CommonJS runtime can load it. Tests of the Angular example need it;
// Angular projects on Jest get the same from jest-preset-angular.
import { createHash } from 'node:crypto';
import { transformSync } from 'esbuild';

export default {
  process(source, path) {
    const { code, map } = transformSync(source, {
      loader: 'js',
      format: 'cjs',
      target: 'es2022',
      sourcemap: 'external',
      sourcefile: path,
      logLevel: 'silent',
    });
    return { code, map };
  },
  getCacheKey(source, path) {
    return createHash('sha256').update('esm-to-cjs 1').update(path).update(source).digest('hex');
  },
};
