/**
 * The package other teams install works outside this repository: `npm pack` gives a tarball that,
 * installed into a fresh CDK Pipelines app of the shape `cdk init app --language typescript`
 * gives, compiles the README's example (tsc) and synthesizes it (node). Packing, compiling and
 * synthesizing are test/packages/packed-app.ts; what they gave is kept under a key of every input
 * they read, so they run again whenever one changes (the last tests here prove the key covers
 * them all).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CONTRACT_VARIABLE, SCAN_CONTRACT_VERSION } from '../../packages/clair-scan/src/contract';
import { REPO_ROOT } from '../helpers/run-script';
import { inputsKey } from '../helpers/input-cache';
import { exampleFiles, PACKAGE_DIR, packedAppInputs, packedAppOutputs } from './packed-app';

const example = exampleFiles(fs.readFileSync(path.join(PACKAGE_DIR, 'README.md'), 'utf8'));
const inputs = packedAppInputs();
const { files, compile, synth, pipelineTemplate } = packedAppOutputs(inputs);

test('the tarball holds the compiled package, its script, template, README and LICENSE, and no source', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'LICENSE',
      'README.md',
      'package.json',
      'lib/index.js',
      'lib/index.d.ts',
      'lib/cli.js',
      'scripts/remote-scan.sh',
    ]),
  );
  expect(
    files.filter(
      (file) =>
        !/^(LICENSE|README\.md|package\.json|lib\/.*\.(js|d\.ts)|scripts\/remote-scan\.sh|cloudformation\/[a-z-]+\.yml)$/.test(
          file,
        ),
    ),
  ).toEqual([]);
});

test("the package's source imports only itself, Node, aws-cdk-lib and constructs", () => {
  const sources = fs.readdirSync(path.join(PACKAGE_DIR, 'src'));
  const imports = sources.flatMap((file) =>
    [...fs.readFileSync(path.join(PACKAGE_DIR, 'src', file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]),
  );
  expect(imports.length).toBeGreaterThan(0);
  expect(
    imports.filter((name) => !/^(\.\/[a-z-]+|fs|path|child_process|constructs|aws-cdk-lib(\/[a-z-]+)?)$/.test(name)),
  ).toEqual([]);
});

test('the README example has both files of the app, and docs/other-teams.md shows the same code', () => {
  expect(Object.keys(example).sort()).toEqual(['bin/payments-pipeline.ts', 'lib/payments-stage.ts']);
  const guide = exampleFiles(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'other-teams.md'), 'utf8'));
  expect(guide).toEqual(example);
});

test('a fresh CDK Pipelines app with the tarball installed compiles and synthesizes the README example', () => {
  expect(compile.output).toBe('');
  expect(compile.status).toBe(0);
  expect(synth.stderr).toBe('');
  expect(synth.status).toBe(0);

  const buildSpecs = Object.values<any>(pipelineTemplate.Resources)
    .filter((resource) => resource.Type === 'AWS::CodeBuild::Project')
    .map((project) => JSON.stringify(project.Properties.Source.BuildSpec));
  const scan = buildSpecs.filter((spec) => spec.includes('remote-scan'));
  expect(scan).toHaveLength(1);
  expect(scan[0]).toContain(`${CONTRACT_VARIABLE}=${SCAN_CONTRACT_VERSION} bash`);
  const role = Object.values<any>(pipelineTemplate.Resources).find(
    (resource) =>
      resource.Type === 'AWS::IAM::Role' && JSON.stringify(resource.Properties.RoleName ?? '').includes('clair-scan-'),
  );
  expect(role).toBeDefined();
});

test("the outputs are kept under a key of the whole package, the tsconfig it extends, the workspace's npm configuration, the installed versions and the code that makes them", () => {
  expect(inputs.directories).toEqual({ package: PACKAGE_DIR });
  const keyed = Object.values(inputs.files);
  for (let config = path.join(PACKAGE_DIR, 'tsconfig.json'); ;) {
    const extended = JSON.parse(fs.readFileSync(config, 'utf8')).extends;
    if (extended === undefined) break;
    config = path.resolve(path.dirname(config), extended);
    expect(keyed).toContain(config);
  }
  for (const file of ['package.json', '.npmrc', '.gitignore']) expect(keyed).toContain(path.join(REPO_ROOT, file));
  const nodeModules = path.join(REPO_ROOT, 'node_modules');
  expect(keyed).toContain(
    path.join(nodeModules, 'aws-cdk', 'lib', 'init-templates', 'app', 'typescript', 'tsconfig.json'),
  );
  // The lock file in the key records the installed version of every package the outputs depend on.
  const lock = JSON.parse(fs.readFileSync(path.join(nodeModules, '.package-lock.json'), 'utf8'));
  expect(keyed).toContain(path.join(nodeModules, '.package-lock.json'));
  for (const name of ['typescript', 'aws-cdk-lib', 'constructs', '@types/node', '@types/jest', 'aws-cdk']) {
    const installed = JSON.parse(fs.readFileSync(path.join(nodeModules, name, 'package.json'), 'utf8')).version;
    expect([name, lock.packages[`node_modules/${name}`]?.version]).toEqual([name, installed]);
  }
  // The code that makes the outputs, and every module of this repository it imports.
  const maker = path.join(__dirname, 'packed-app.ts');
  expect(keyed).toContain(maker);
  for (const [, imported] of fs.readFileSync(maker, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
    expect(keyed).toContain(`${path.resolve(__dirname, imported)}.ts`);
  }
  expect(inputs.versions).toEqual({ node: process.version, npm: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
});

test('a changed, added or renamed file of the package gives another key, so the outputs are made again', () => {
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'clair-scan-copy-')), 'clair-scan');
  fs.cpSync(PACKAGE_DIR, copy, { recursive: true });
  const keyOf = (dir: string) => inputsKey({ ...inputs, directories: { package: dir } });
  const key = keyOf(PACKAGE_DIR);
  // The same files elsewhere (another checkout) give the same key.
  expect(keyOf(copy)).toBe(key);

  fs.appendFileSync(path.join(copy, 'src', 'index.ts'), ' ');
  const changed = keyOf(copy);
  fs.writeFileSync(path.join(copy, 'src', 'index.ts'), fs.readFileSync(path.join(PACKAGE_DIR, 'src', 'index.ts')));
  fs.writeFileSync(path.join(copy, 'src', 'extra.ts'), '');
  const added = keyOf(copy);
  fs.rmSync(path.join(copy, 'src', 'extra.ts'));
  fs.renameSync(path.join(copy, 'LICENSE'), path.join(copy, 'LICENCE'));
  const renamed = keyOf(copy);

  expect(new Set([key, changed, added, renamed]).size).toBe(4);
});
