'use strict';
const vm = require('vm');

/** The options of node:vm's `compileFunction` that jest passes (and the offsets), all kept. */
const SUPPORTED_OPTIONS = new Set([
  'filename',
  'lineOffset',
  'columnOffset',
  'parsingContext',
  'importModuleDynamically',
]);

/**
 * node:vm's `compileFunction`, done as a script: the same function, compiled from the module's
 * code wrapped in `(function (params) {` ... `})` by `vm.Script` in the same context, with the
 * first line's columns put back (errors and stack traces point where they did).
 *
 * Why: jest compiles every module again for each test file (each file has a fresh module
 * registry, in a fresh context), so a worker compiles the project's modules, the tests' helpers
 * and jest's own expect and snapshot code dozens of times. A script of the very same source and
 * name is found in V8's compilation cache, which keeps what V8 compiled of it, the functions
 * compiled lazily while it ran included; a function compiled by `compileFunction` does not use
 * that cache. From the second file on, a module is neither parsed nor compiled again: about
 * 30 ms of CPU a test file. V8 keys the cache by the whole source, so a changed module is always
 * compiled afresh, and what runs is the same code (test/shared-cdk-runtime.test.ts).
 * test/shared-cdk-runtime.js installs it in each jest worker. An option it does not know (a
 * later jest's) fails loudly rather than being dropped.
 */
function compileFunctionAsScript(code, params = [], options = {}) {
  const unknown = Object.keys(options).filter((name) => !SUPPORTED_OPTIONS.has(name));
  if (unknown.length > 0) throw new Error(`compileFunctionAsScript: unsupported option(s) ${unknown.join(', ')}`);
  const prefix = `(function (${params.join(', ')}) {`;
  const script = new vm.Script(`${prefix}${code}\n})`, {
    filename: options.filename,
    lineOffset: options.lineOffset ?? 0,
    columnOffset: (options.columnOffset ?? 0) - prefix.length,
    importModuleDynamically: options.importModuleDynamically,
  });
  return options.parsingContext ? script.runInContext(options.parsingContext) : script.runInThisContext();
}

// node:vm's own, which the runtime replaces with it: a test compares the two.
compileFunctionAsScript.nodeCompileFunction = vm.compileFunction;

module.exports = { compileFunctionAsScript };
