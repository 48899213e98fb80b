/**
 * The package other teams install works outside this repository: `npm pack` gives a tarball that,
 * installed into a fresh CDK Pipelines app of the shape `cdk init app --language typescript`
 * gives, compiles the README's example (tsc) and synthesizes it (node). Offline: the app's
 * aws-cdk-lib, constructs and type packages are links to this repository's node_modules.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CONTRACT_VARIABLE, SCAN_CONTRACT_VERSION } from '@clair-pipeline/scan';
import { REPO_ROOT, runScript } from '../helpers/run-script';

const PACKAGE_DIR = path.join(REPO_ROOT, 'packages', 'clair-scan');
const NODE_MODULES = path.join(REPO_ROOT, 'node_modules');
const INIT_TEMPLATE = path.join(NODE_MODULES, 'aws-cdk', 'lib', 'init-templates', 'app', 'typescript');

/** The ```ts blocks of a markdown text that start with a `// <path>` line: path → code. */
function exampleFiles(markdown: string): Record<string, string> {
  const blocks = [...markdown.matchAll(/```ts\n(\/\/ (\S+)\n[\s\S]*?)```/g)];
  return Object.fromEntries(blocks.map(([, code, file]) => [file, code]));
}

const readme = fs.readFileSync(path.join(PACKAGE_DIR, 'README.md'), 'utf8');
const example = exampleFiles(readme);
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clair-scan-package-'));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** Packs the package (its prepack script compiles it), leaving no build output in the repository. */
function pack(): { tarball: string; files: string[] } {
  const result = runScript('npm', ['pack', '--json', '--pack-destination', workDir], {
    cwd: PACKAGE_DIR,
    env: { PATH: `${path.join(NODE_MODULES, '.bin')}:${process.env.PATH}`, HOME: workDir },
  });
  fs.rmSync(path.join(PACKAGE_DIR, 'lib'), { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`npm pack failed:\n${result.stderr}`);
  const [info] = JSON.parse(result.stdout);
  return { tarball: path.join(workDir, info.filename), files: info.files.map((f: { path: string }) => f.path) };
}

/** A fresh app of `cdk init`'s shape with the tarball installed, the example's files and an image. */
function newApp(tarball: string): string {
  const app = path.join(workDir, 'payments');
  const installed = path.join(app, 'node_modules', '@clair-pipeline', 'scan');
  fs.mkdirSync(installed, { recursive: true });
  expect(runScript('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']).status).toBe(0);
  for (const dependency of ['aws-cdk-lib', 'constructs', '@types/node', '@types/jest']) {
    fs.mkdirSync(path.dirname(path.join(app, 'node_modules', dependency)), { recursive: true });
    fs.symlinkSync(path.join(NODE_MODULES, dependency), path.join(app, 'node_modules', dependency));
  }
  fs.copyFileSync(path.join(INIT_TEMPLATE, 'tsconfig.json'), path.join(app, 'tsconfig.json'));
  const manifest = { name: 'payments', version: '0.1.0', dependencies: { '@clair-pipeline/scan': `file:${tarball}` } };
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify(manifest));
  fs.writeFileSync(path.join(app, 'cdk.json'), JSON.stringify({ app: 'node bin/payments-pipeline.js' }));
  for (const [file, code] of Object.entries(example)) {
    fs.mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
    fs.writeFileSync(path.join(app, file), code);
  }
  fs.mkdirSync(path.join(app, 'image'));
  fs.writeFileSync(path.join(app, 'image', 'Dockerfile'), 'FROM scratch\n');
  return app;
}

const { tarball, files } = pack();

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
  const app = newApp(tarball);
  // Emitted beside the sources, as `npx tsc` does in a cdk init app, so __dirname finds ../image.
  const compiled = runScript(path.join(NODE_MODULES, '.bin', 'tsc'), ['-p', '.', '--noEmit', 'false'], { cwd: app });
  expect(compiled.stdout + compiled.stderr).toBe('');
  expect(compiled.status).toBe(0);

  const outdir = path.join(app, 'cdk.out');
  const synth = runScript(process.execPath, ['bin/payments-pipeline.js'], {
    cwd: app,
    env: { PATH: process.env.PATH, CDK_OUTDIR: outdir },
  });
  expect(synth.stderr).toBe('');
  expect(synth.status).toBe(0);

  const pipeline = JSON.parse(fs.readFileSync(path.join(outdir, 'PaymentsPipeline.template.json'), 'utf8'));
  const buildSpecs = Object.values<any>(pipeline.Resources)
    .filter((resource) => resource.Type === 'AWS::CodeBuild::Project')
    .map((project) => JSON.stringify(project.Properties.Source.BuildSpec));
  const scan = buildSpecs.filter((spec) => spec.includes('remote-scan'));
  expect(scan).toHaveLength(1);
  expect(scan[0]).toContain(`${CONTRACT_VARIABLE}=${SCAN_CONTRACT_VERSION} bash`);
  const role = Object.values<any>(pipeline.Resources).find(
    (resource) =>
      resource.Type === 'AWS::IAM::Role' && JSON.stringify(resource.Properties.RoleName ?? '').includes('clair-scan-'),
  );
  expect(role).toBeDefined();
});
