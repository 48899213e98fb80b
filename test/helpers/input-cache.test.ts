/**
 * The cache of slow checks' outputs (test/helpers/input-cache.ts) cannot go stale: any changed
 * input gives another key, and under another key the check runs again; a failure is never kept.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cachedOutputs, CheckInputs, inputsKey } from './input-cache';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'input-cache-'));
const dir = path.join(root, 'package');
fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
fs.writeFileSync(path.join(dir, 'src', 'index.ts'), 'export const a = 1;\n');
fs.writeFileSync(path.join(dir, 'package.json'), '{}\n');
fs.writeFileSync(path.join(root, 'tsconfig.json'), '{}\n');
const inputs: CheckInputs = {
  directories: { package: dir },
  files: { tsconfig: path.join(root, 'tsconfig.json'), npmrc: path.join(root, '.npmrc') },
  versions: { node: 'v20.0.0' },
};

test('files named not inputs do not change the key; every other file still does', () => {
  const some: CheckInputs = { ...inputs, notInputs: /\.test\.ts$/ };
  const key = inputsKey(some);
  const keyOfAll = inputsKey(inputs);
  fs.writeFileSync(path.join(dir, 'src', 'index.test.ts'), 'test("x", () => undefined);\n');
  try {
    expect(inputsKey(some)).toBe(key);
    expect(inputsKey(inputs)).not.toBe(keyOfAll);
    fs.writeFileSync(path.join(dir, 'src', 'index.tests.ts'), '');
    expect(inputsKey(some)).not.toBe(key);
  } finally {
    fs.rmSync(path.join(dir, 'src', 'index.test.ts'), { force: true });
    fs.rmSync(path.join(dir, 'src', 'index.tests.ts'), { force: true });
  }
});

test('the same inputs give the same key; any changed byte, file name or version, or a created file, gives another', () => {
  const key = inputsKey(inputs);
  expect(inputsKey(inputs)).toBe(key);
  const keys = [key];
  const changedFile = (file: string, text: string) => {
    const before = fs.readFileSync(file);
    fs.writeFileSync(file, text);
    keys.push(inputsKey(inputs));
    fs.writeFileSync(file, before);
  };
  changedFile(path.join(dir, 'src', 'index.ts'), 'export const a = 2;\n');
  changedFile(path.join(root, 'tsconfig.json'), '{ }\n');
  fs.renameSync(path.join(dir, 'src', 'index.ts'), path.join(dir, 'src', 'main.ts'));
  keys.push(inputsKey(inputs));
  fs.renameSync(path.join(dir, 'src', 'main.ts'), path.join(dir, 'src', 'index.ts'));
  fs.writeFileSync(path.join(dir, '.npmignore'), '');
  keys.push(inputsKey(inputs));
  fs.rmSync(path.join(dir, '.npmignore'));
  // An empty file where there was none.
  fs.writeFileSync(path.join(root, '.npmrc'), '');
  keys.push(inputsKey(inputs));
  fs.rmSync(path.join(root, '.npmrc'));
  keys.push(inputsKey({ ...inputs, versions: { node: 'v20.0.1' } }));
  // Names and contents are framed: the same bytes split otherwise are other inputs.
  keys.push(inputsKey({ ...inputs, versions: { 'node\0v20.0.0': '' } }));

  expect(inputsKey(inputs)).toBe(key);
  expect(new Set(keys).size).toBe(keys.length);
});

test('outputs are made once per key and kept; under another key they are made again; a failure is not kept', () => {
  const cache = path.join(root, 'cache');
  let made = 0;
  const check = (key: string, passes = true) =>
    cachedOutputs(
      cache,
      key,
      () => ({ made: ++made, passes }),
      (outputs) => outputs.passes,
    );
  expect(check('a')).toEqual({ made: 1, passes: true });
  expect(check('a')).toEqual({ made: 1, passes: true });
  expect(check('b')).toEqual({ made: 2, passes: true });
  expect(check('c', false)).toEqual({ made: 3, passes: false });
  expect(check('c', false)).toEqual({ made: 4, passes: false });
  expect(fs.readdirSync(cache).sort()).toEqual(['a.json', 'b.json']);
});
