import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import { App, FileSystem } from 'aws-cdk-lib';

// aws-cdk-lib is shared by the test files of a jest worker (test/shared-cdk-runtime.js): what it
// reads must still be this file's.

test("aws-cdk-lib's temporary directory is this file's, not an earlier file's (removed by now)", () => {
  expect(FileSystem.tmpdir).toBe(fs.realpathSync(os.tmpdir()));
  expect(path.basename(os.tmpdir())).toMatch(/^test-file-/);
});

test('aws-cdk-lib reads the environment this file sets', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'outdir-'));
  process.env.CDK_OUTDIR = outdir;
  try {
    expect(new App({ autoSynth: false }).outdir).toBe(outdir);
  } finally {
    delete process.env.CDK_OUTDIR;
  }
});

describe("jest's compiles with V8's code cache (test/code-cache.js)", () => {
  // Loaded as the runtime loads it, not through jest's registry.
  const { withCodeCache } = jest.requireActual<{
    withCodeCache: (compileFunction: typeof vm.compileFunction) => typeof vm.compileFunction;
  }>('./code-cache');

  test('the same source under the same name starts from the first compile; another source does not', () => {
    const calls: Array<{ code: string; cachedData?: Buffer; produceCachedData?: boolean }> = [];
    const compile = withCodeCache(((code: string, _params: string[], options: vm.CompileFunctionOptions) => {
      calls.push({ code, cachedData: options.cachedData as Buffer, produceCachedData: options.produceCachedData });
      return Object.assign(() => undefined, { cachedData: Buffer.from(`cache of ${code}`) });
    }) as unknown as typeof vm.compileFunction);
    compile('a()', [], { filename: '/m.js' });
    compile('a()', [], { filename: '/m.js' });
    compile('b()', [], { filename: '/m.js' });
    compile('a()', [], { filename: '/other.js' });
    expect(calls).toEqual([
      { code: 'a()', cachedData: undefined, produceCachedData: true },
      { code: 'a()', cachedData: Buffer.from('cache of a()'), produceCachedData: undefined },
      { code: 'b()', cachedData: undefined, produceCachedData: true },
      { code: 'a()', cachedData: undefined, produceCachedData: true },
    ]);
  });

  test('a function compiled from the cache is the same function', () => {
    const compile = withCodeCache(vm.compileFunction);
    const source = 'return items.map((item) => item * factor).join(",");';
    const first = compile(source, ['items', 'factor'], { filename: '/double.js' });
    const second = compile(source, ['items', 'factor'], { filename: '/double.js' });
    expect((second as { cachedDataRejected?: boolean }).cachedDataRejected).toBe(false);
    expect(second([1, 2, 3], 2)).toBe(first([1, 2, 3], 2));
    expect(second([1, 2, 3], 2)).toBe('2,4,6');
  });
});
