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

describe("jest's compiles as scripts (test/compile-as-script.js)", () => {
  // node:vm is the worker's own module, which the runtime changed: compileFunction is the runtime's
  // replacement, which keeps node:vm's own to compare with.
  const compileFunctionAsScript = vm.compileFunction;
  const nodeCompileFunction = (compileFunctionAsScript as { nodeCompileFunction?: typeof vm.compileFunction })
    .nodeCompileFunction as typeof vm.compileFunction;
  const both = [
    ['node:vm', nodeCompileFunction],
    ['as a script', compileFunctionAsScript],
  ] as const;

  test("the runtime compiles with it, and it keeps node:vm's own", () => {
    expect(compileFunctionAsScript.name).toBe('compileFunctionAsScript');
    expect(nodeCompileFunction.name).toBe('compileFunction');
  });

  test('gives the same function: parameters, this, arguments, strict mode, its context', () => {
    const context = vm.createContext({ marker: 'from the context' });
    const results = both.map(([, compile]) => {
      const options = { filename: '/same.js', parsingContext: context };
      const scale = compile('return items.map((item) => item * factor).join(",");', ['items', 'factor'], options);
      const self = compile('return [this.name, arguments.length, typeof marker];', ['a'], options);
      const strict = compile('"use strict";\nreturn this === undefined;', [], options);
      const sloppy = compile('return this === undefined;', [], options);
      const here = compile('return typeof marker;', [], { filename: '/here.js' });
      return [scale([1, 2, 3], 2), self.call({ name: 'exports' }, 1, 2), strict(), sloppy(), here()];
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[1]).toEqual(['2,4,6', ['exports', 2, 'string'], true, false, 'undefined']);
  });

  test('errors point at the same line and column, the first line included', () => {
    const source = 'const x = 1; throw new Error("first line");\n';
    const laterLine = 'const y = 2;\n\n  null.property;\n';
    const where = (compile: typeof vm.compileFunction, code: string, options: vm.CompileFunctionOptions) => {
      try {
        compile(code, ['exports', 'require'], { filename: '/thrower.js', ...options })();
      } catch (error) {
        return /\/thrower\.js:(\d+:\d+)/.exec((error as Error).stack ?? '')?.[1];
      }
      return 'no error';
    };
    for (const [code, options] of [
      [source, {}],
      [laterLine, {}],
      [source, { lineOffset: 10, columnOffset: 4 }],
    ] as const) {
      const locations = both.map(([, compile]) => where(compile, code, options));
      expect(locations[1]).toBe(locations[0]);
      expect(locations[0]).toMatch(/^\d+:\d+$/);
    }
  });

  test('a syntax error is a SyntaxError, as node:vm gives it', () => {
    const errors = both.map(([, compile]) => {
      try {
        compile('return {;', [], { filename: '/broken.js' });
        return 'compiled';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(errors).toEqual(['SyntaxError', 'SyntaxError']);
  });

  test('an option it does not know fails loudly instead of being dropped', () => {
    expect(() => compileFunctionAsScript('return 1;', [], { contextExtensions: [{}] })).toThrow(
      'compileFunctionAsScript: unsupported option(s) contextExtensions',
    );
  });
});
