'use strict';
/**
 * jest's module runtime, with aws-cdk-lib (and constructs, cdk-nag, the guard plugin, the IAM
 * evaluator, the AWS SDK) loaded once per jest worker instead of once per test file. jest gives
 * every test file a fresh module registry and compiles every module it loads again; for the files
 * that build an app, loading aws-cdk-lib's modules that way cost about 2 s of CPU each, more than
 * building it.
 *
 * These packages come from the worker's own Node `require`, shared by the files the worker runs;
 * everything else (the project's code, the tests, their helpers) stays per file, as jest loads it.
 * What aws-cdk-lib keeps between files, and what this runtime does about it:
 *   - its temporary directory (FileSystem.tmpdir), read once per process: forgotten at each file's
 *     start, so it follows the file's own TMPDIR (test/temp-dir.ts);
 *   - the process environment: aws-cdk-lib reads the real one (CDK_CONTEXT_JSON, CDK_OUTDIR, ...),
 *     so a test file sees the real one too (not jest's copy), and it is put back as it was when
 *     the file ends;
 *   - its token registry and its asset-fingerprint cache: identities and hashes, never a value a
 *     test reads.
 * Registered in jest.config.js (`runtime`).
 */
const path = require('path');
const Runtime = require('jest-runtime').default;
const vm = require('vm');
const { compileFunctionAsScript } = require('./compile-as-script');
const { installNativeCodeCache } = require('./native-code-cache');

/**
 * Where the workers keep V8's code cache of the packages they load with Node's require (see
 * test/native-code-cache.js); scripts/test.sh empties it after a dependency install.
 */
const NATIVE_CODE_CACHE = path.join(__dirname, '..', 'node_modules', '.cache', 'clair-pipeline', 'v8-code-cache');

/**
 * The packages shared by the test files of a worker: aws-cdk-lib and what builds on it, the IAM
 * evaluator of the access-path tests (its policy and service data are loaded once, not per file),
 * and the AWS SDK the rescan bundles (@aws-sdk/*): its default credential chain loads its providers
 * with import(), which a module of jest's registry cannot run (without --experimental-vm-modules),
 * and the rescan's tests run it in process with CodeBuild's container credentials. It too reads
 * the real process environment; what it keeps between files is its cache of the shared
 * configuration files by path, and the tests name files of their own (or none that exist).
 */
const SHARED =
  /^(aws-cdk-lib|constructs|cdk-nag|@cdklabs\/cdk-validator-cfnguard|@cloud-copilot\/iam-simulate|@aws-sdk\/[^/]+)(\/|$)/;

class SharedCdkRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    this.environmentAtStart = { ...process.env };
    this._environment.global.process.env = process.env;
    require('aws-cdk-lib').FileSystem._tmpdir = undefined;
  }

  requireModuleOrMock(from, moduleName) {
    if (SHARED.test(moduleName)) return require(moduleName);
    return super.requireModuleOrMock(from, moduleName);
  }

  teardown() {
    super.teardown();
    for (const name of Object.keys(process.env)) {
      if (!(name in this.environmentAtStart)) delete process.env[name];
    }
    Object.assign(process.env, this.environmentAtStart);
  }
}

// jest's runtime compiles every module through node:vm's compileFunction (the worker's only caller
// of it): as a script, a module compiled for one test file is found in V8's compilation cache by
// the next (test/compile-as-script.js).
vm.compileFunction = compileFunctionAsScript;

// The shared packages, and the rest of node_modules a worker loads with Node's require from now on,
// start from the code cache an earlier worker left.
installNativeCodeCache({ dir: NATIVE_CODE_CACHE, include: (filename) => filename.includes('/node_modules/') });

module.exports = SharedCdkRuntime;
