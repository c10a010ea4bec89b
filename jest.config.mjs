import { SCOPE_SPECIFIER, TRANSPORT_FILES } from './esbuild.config.mjs';

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec', '<rootDir>/docs'],
  testMatch: ['**/*.spec.ts', '**/*.spec.tsx'],
  testPathIgnorePatterns: ['/node_modules/', '/spec/bench/'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^rx-sse$': '<rootDir>/src/index.ts',
    '^rx-sse/(react|angular|testing)$': '<rootDir>/src/$1/index.ts',
    [`^${SCOPE_SPECIFIER}$`]: '<rootDir>/src/transport/scope.ts',
  },
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/spec/tsconfig.jest.json' }],
    // The same scoping the build applies (esbuild.config.mjs): tests run the copy users get.
    [TRANSPORT_FILES.source]: '<rootDir>/spec/support/scoped-transport.mjs',
    // Angular is published as ES modules only.
    '/node_modules/@angular/.+\\.mjs$': '<rootDir>/spec/support/esm-to-cjs.mjs',
  },
  transformIgnorePatterns: ['/node_modules/(?!(@microsoft/fetch-event-source|@angular)/)'],
  testTimeout: 20000,
};
