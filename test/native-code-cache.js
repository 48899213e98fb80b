'use strict';
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

/**
 * Node's own `require` with V8's code cache kept on disk, for the packages a jest worker loads
 * with it (aws-cdk-lib, cdk-nag, the IAM evaluator, the AWS SDK: test/shared-cdk-runtime.js).
 * Each worker loads them afresh, about 1,000 files, and V8 parses each and compiles what runs;
 * from a cache made when an earlier worker ended, with what that worker compiled while the
 * module ran, it does neither (about 0.5 s of CPU a worker).
 *
 * A CommonJS file that `include` accepts is compiled as Node compiles it (the same wrapper
 * function and arguments, `require` made as Node makes it, the first line's columns put back, a
 * leading `#!` line kept as a comment), from the cache entry of its path and text if there is
 * one. A file whose text calls import() (the AWS SDK's credential chain does) is left to Node:
 * a script given V8's cache has no loader for import() on this Node. V8 checks an entry against the source and its own version and
 * flags, and compiles afresh when it does not fit; a changed file has another entry. The entries
 * of files compiled afresh are written when the process exits (to a temporary name, then renamed,
 * as another worker may write the same). Anything else goes to Node's own compile.
 *
 * @param {{ dir: string, include: (filename: string) => boolean }} options
 * @returns {{ cached: number, compiled: number }} the number of files compiled from the cache and
 *   afresh so far
 */
function installNativeCodeCache({ dir, include }) {
  const stats = { cached: 0, compiled: 0 };
  const fresh = [];
  const nodeCompile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCodeCache(content, filename, format) {
    if (format === 'module' || !include(filename) || content.includes('import(')) {
      return nodeCompile.call(this, content, filename, format);
    }
    const entry = path.join(dir, crypto.createHash('sha256').update(`${filename}\0${content}`).digest('hex'));
    const cachedData = readIfPresent(entry);
    const script = new vm.Script(Module.wrap(content.startsWith('#!') ? `//${content}` : content), {
      filename,
      columnOffset: -Module.wrapper[0].length,
      cachedData,
    });
    if (cachedData === undefined || script.cachedDataRejected) {
      stats.compiled++;
      fresh.push({ entry, script });
    } else {
      stats.cached++;
    }
    const module = this;
    return script
      .runInThisContext({ displayErrors: true })
      .call(module.exports, module.exports, requireOf(module), module, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    fs.mkdirSync(dir, { recursive: true });
    for (const { entry, script } of fresh) {
      const partial = `${entry}.${process.pid}`;
      fs.writeFileSync(partial, script.createCachedData());
      fs.renameSync(partial, entry);
    }
  });
  return stats;
}

/** The `require` Node gives a module (lib/internal/modules/helpers.js, makeRequireFunction). */
function requireOf(module) {
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

function readIfPresent(file) {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
}

module.exports = { installNativeCodeCache };
