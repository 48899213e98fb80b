'use strict';

/**
 * `compileFunction` (node:vm's) with V8's code cache: jest compiles every module again for each
 * test file (a fresh registry each), so a worker compiles the project's modules dozens of times;
 * the first compile of a source leaves its code cache, and a later compile of the very same source
 * (same file name, same text) starts from it (about 2 s of CPU a run; test/shared-cdk-runtime.js
 * installs it in each jest worker). V8 checks the cache against the source and its own version
 * and flags and compiles afresh when it does not fit; a changed source is never given another's
 * cache. The cache only spares the parse: what runs is the same.
 */
function withCodeCache(compileFunction) {
  const caches = new Map();
  return function compileWithCodeCache(code, params, options = {}) {
    const cached = caches.get(options.filename);
    if (cached !== undefined && cached.code === code) {
      return compileFunction.call(this, code, params, { ...options, cachedData: cached.data });
    }
    const compiled = compileFunction.call(this, code, params, { ...options, produceCachedData: true });
    if (compiled.cachedData) caches.set(options.filename, { code, data: compiled.cachedData });
    return compiled;
  };
}

module.exports = { withCodeCache };
