/**
 * Tests run without type-checking (swc strips types); `npm test` type-checks the whole tree once
 * with `tsc --noEmit` before jest starts, so no file is type-checked twice.
 */
module.exports = {
  testEnvironment: 'node',
  // aws-cdk-lib loaded once per worker, not once per test file (test/shared-cdk-runtime.js).
  runtime: '<rootDir>/test/shared-cdk-runtime.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The options the commands compile with too (scripts/swc-register.js), so they run what was tested.
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', require('./scripts/swc-options.json')],
  },
  // In this repository the package resolves to its TypeScript source (consumers get its lib/).
  moduleNameMapper: { '^@clair-pipeline/scan$': '<rootDir>/packages/clair-scan/src/index.ts' },
  globalSetup: '<rootDir>/test/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/test/temp-dir.ts'],
  // Not under TMPDIR: scripts/test.sh gives each run a fresh one and removes it.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // Two workers on these 2-core machines; the slow part (synthesizing the fixture apps) runs once
  // per run, in the background (test/global-setup.ts).
  maxWorkers: 2,
  testTimeout: 120000,
};
