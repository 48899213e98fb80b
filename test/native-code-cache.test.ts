/**
 * The jest workers' code cache for what they load with Node's require (test/native-code-cache.js):
 * a module compiled through it is the module Node would have made, from the cache or not, and the
 * cache is used only for the very file it was made from. Each case runs a small program in its
 * own Node process, on a package of its own in a temporary directory.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runScript } from './helpers/run-script';

const HOOK = path.join(__dirname, 'native-code-cache.js');

/** A package that reads back what its module system gave it, and a program that loads it. */
function fixture(): { root: string; cache: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'native-code-cache-'));
  const pkg = path.join(root, 'node_modules', 'fixture');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(
    path.join(pkg, 'index.js'),
    `#!/usr/bin/env node
const helper = require('./helper');
module.exports = {
  helper: helper.name,
  filename: __filename,
  dirname: __dirname,
  resolved: require.resolve('./helper'),
  resolvedFromPaths: require.resolve('./helper', { paths: [__dirname] }),
  firstLookupPath: require.resolve.paths('anything')[0],
  inCache: require.cache[__filename] === module,
  extensions: require.extensions === require('module')._extensions,
  main: require.main === process.mainModule,
  thisIsExports: this === module.exports,
  thrownAt: (() => { try { null.property; } catch (error) { return /index\\.js:(\\d+:\\d+)/.exec(error.stack)[1]; } })(),
  firstLineAt: require('./first-line').at,
};
`,
  );
  fs.writeFileSync(path.join(pkg, 'helper.js'), "exports.name = 'helper';\n");
  fs.writeFileSync(
    path.join(pkg, 'first-line.js'),
    'try { null.property; } catch (error) { exports.at = /first-line\\.js:(\\d+:\\d+)/.exec(error.stack)[1]; }\n',
  );
  fs.writeFileSync(path.join(pkg, 'dynamic.js'), "module.exports = () => import('./helper.js');\n");
  fs.writeFileSync(
    path.join(root, 'run.js'),
    `const stats = process.env.CACHE_DIR
  ? require(${JSON.stringify(HOOK)}).installNativeCodeCache({
      dir: process.env.CACHE_DIR,
      include: (filename) => filename.includes('/node_modules/'),
    })
  : undefined;
const fixture = require('fixture');
require('fixture/dynamic')().then((helper) => console.log(JSON.stringify({ fixture, dynamic: helper.name, stats })));
`,
  );
  return { root, cache: path.join(root, 'cache') };
}

function load(root: string, cache?: string): any {
  const run = runScript(process.execPath, [path.join(root, 'run.js')], {
    env: { PATH: process.env.PATH, ...(cache ? { CACHE_DIR: cache } : {}) },
  });
  if (run.status !== 0) throw new Error(`the fixture program failed (${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

let root: string;
let cache: string;
beforeEach(() => ({ root, cache } = fixture()));
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

test("gives the module Node gives, compiled afresh and then from the cache; import() stays Node's", () => {
  const node = load(root);
  const first = load(root, cache);
  const second = load(root, cache);
  expect(node.fixture.helper).toBe('helper');
  expect(node.dynamic).toBe('helper');
  expect(node.fixture.resolved).toBe(path.join(root, 'node_modules', 'fixture', 'helper.js'));
  expect(Object.values(node.fixture).filter((value) => value === true)).toHaveLength(4);
  for (const run of [first, second]) {
    expect(run.fixture).toEqual(node.fixture);
    expect(run.dynamic).toBe(node.dynamic);
  }
  // index, helper, first-line; dynamic.js calls import(), which is left to Node's own compile.
  expect(first.stats).toEqual({ cached: 0, compiled: 3 });
  expect(second.stats).toEqual({ cached: 3, compiled: 0 });
  expect(fs.readdirSync(cache)).toHaveLength(3);
});

test('a changed file is compiled afresh; an entry V8 rejects is compiled afresh and replaced', () => {
  load(root, cache);
  fs.writeFileSync(path.join(root, 'node_modules', 'fixture', 'helper.js'), "exports.name = 'changed';\n");
  const changed = load(root, cache);
  expect(changed.fixture.helper).toBe('changed');
  expect(changed.stats).toEqual({ cached: 2, compiled: 1 });

  for (const entry of fs.readdirSync(cache)) fs.writeFileSync(path.join(cache, entry), 'not a code cache');
  const rejected = load(root, cache);
  expect(rejected.fixture.helper).toBe('changed');
  expect(rejected.stats).toEqual({ cached: 0, compiled: 3 });
  expect(load(root, cache).stats).toEqual({ cached: 3, compiled: 0 });
});
