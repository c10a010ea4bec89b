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
      // Not `.mjs`: esbuild would apply Node's interop (a default import of a converted module
      // would be its whole exports object); every module here is converted alike.
      sourcefile: path.replace(/\.mjs$/, '.js'),
      logLevel: 'silent',
    });
    return { code, map };
  },
  getCacheKey(source, path) {
    return createHash('sha256').update('esm-to-cjs 2').update(path).update(source).digest('hex');
  },
};
