// The TypeScript loader of the repository's commands: package.json's scripts and cdk.json's app run
// `node --require ./scripts/swc-register.js <entry point>.ts`. swc compiles each .ts module with
// scripts/swc-options.json, the options jest.config.js compiles every module with for the tests,
// so a command runs the code the tests ran. Nothing is type-checked here (`npm run build` and
// `npm test` do that with tsc). ts-node (with tsconfig.json's "swc") compiled with swc too, but it
// loads TypeScript itself to read tsconfig.json first: about 0.45 s of CPU more on every start,
// which doubled what `npm run cost` or `npm run scanners` costs (0.9 s instead of 0.45 s).
'use strict';
const fs = require('fs');
const { transformSync } = require('@swc/core');
const options = require('./swc-options.json');

// Stack traces name the TypeScript lines: each module carries its source map.
process.setSourceMapsEnabled(true);

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    ...options,
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
    filename,
  });
  module._compile(code, filename);
};
