/**
 * The slow part of test/packages/clair-scan-package.test.ts: `npm pack` of the package (its
 * prepack script compiles it), and a fresh app of the shape `cdk init app --language typescript`
 * gives, with the tarball installed, compiling the README's example (tsc) and synthesizing it
 * (node). Offline: the app's aws-cdk-lib, constructs and type packages are links to this
 * repository's node_modules. What they give is kept across runs under a key of every input they
 * read ({@link packedAppInputs}), so a run in which none changed reads it instead of packing,
 * compiling and synthesizing again (about 30 s of CPU).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT, runScript } from '../helpers/run-script';
import { cachedOutputs, CheckInputs, inputsKey } from '../helpers/input-cache';

/** The package as this repository holds it. */
export const PACKAGE_DIR = path.join(REPO_ROOT, 'packages', 'clair-scan');
const NODE_MODULES = path.join(REPO_ROOT, 'node_modules');
const INIT_TEMPLATE = path.join(NODE_MODULES, 'aws-cdk', 'lib', 'init-templates', 'app', 'typescript');
/** npm and the package's build find the repository's tools (tsc) first. */
const TOOLS_PATH = `${path.join(NODE_MODULES, '.bin')}:${process.env.PATH}`;

/** Where the outputs are kept, by key (a fresh install empties it). */
export const PACKED_APP_CACHE = path.join(NODE_MODULES, '.cache', 'clair-pipeline', 'clair-scan-package');

/** What packing, compiling and synthesizing gave. */
export interface PackedAppOutputs {
  /** The tarball's files, as `npm pack --json` lists them. */
  readonly files: string[];
  /** tsc in the app: its exit status and everything it printed. */
  readonly compile: { readonly status: number | null; readonly output: string };
  /** node running the app: its exit status and standard error. */
  readonly synth: { readonly status: number | null; readonly stderr: string };
  /** The pipeline stack's template; null if synthesis wrote none. */
  readonly pipelineTemplate: any;
}

/** The ```ts blocks of a markdown text that start with a `// <path>` line: path → code. */
export function exampleFiles(markdown: string): Record<string, string> {
  const blocks = [...markdown.matchAll(/```ts\n(\/\/ (\S+)\n[\s\S]*?)```/g)];
  return Object.fromEntries(blocks.map(([, code, file]) => [file, code]));
}

/**
 * Everything the outputs depend on: every file of the package (sources, package.json,
 * tsconfig.json, the README with the example, LICENSE, script, templates: whatever npm pack may
 * take), the tsconfig it extends, the workspace root's npm configuration, the installed version
 * of every dependency (TypeScript, aws-cdk-lib, constructs, the type packages, aws-cdk with its
 * init template), the code that makes the outputs, and node's and npm's versions.
 */
export function packedAppInputs(): CheckInputs {
  return {
    directories: { package: PACKAGE_DIR },
    files: {
      'tsconfig.json': path.join(REPO_ROOT, 'tsconfig.json'),
      // npm packs a workspace with the workspace root's configuration.
      'package.json': path.join(REPO_ROOT, 'package.json'),
      '.npmrc': path.join(REPO_ROOT, '.npmrc'),
      '.gitignore': path.join(REPO_ROOT, '.gitignore'),
      'node_modules/.package-lock.json': path.join(NODE_MODULES, '.package-lock.json'),
      'cdk init tsconfig.json': path.join(INIT_TEMPLATE, 'tsconfig.json'),
      'packed-app.ts': __filename,
      'input-cache.ts': path.join(REPO_ROOT, 'test', 'helpers', 'input-cache.ts'),
      'run-script.ts': path.join(REPO_ROOT, 'test', 'helpers', 'run-script.ts'),
    },
    versions: { node: process.version, npm: npmVersion() },
  };
}

/**
 * The outputs for `inputs` (the current {@link packedAppInputs}): kept ones, or made now (and kept
 * only if the app compiled and synthesized cleanly, so a failure is always made afresh).
 */
export function packedAppOutputs(inputs: CheckInputs): PackedAppOutputs {
  return cachedOutputs(
    PACKED_APP_CACHE,
    inputsKey(inputs),
    makeOutputs,
    ({ compile, synth }) => compile.status === 0 && compile.output === '' && synth.status === 0 && synth.stderr === '',
  );
}

function makeOutputs(): PackedAppOutputs {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clair-scan-package-'));
  try {
    const { tarball, files } = pack(workDir);
    const app = newApp(workDir, tarball);
    // Emitted beside the sources, as `npx tsc` does in a cdk init app, so __dirname finds ../image.
    const compiled = runScript(path.join(NODE_MODULES, '.bin', 'tsc'), ['-p', '.', '--noEmit', 'false'], { cwd: app });
    const outdir = path.join(app, 'cdk.out');
    const synth = runScript(process.execPath, ['bin/payments-pipeline.js'], {
      cwd: app,
      env: { PATH: process.env.PATH, CDK_OUTDIR: outdir },
    });
    const template = path.join(outdir, 'PaymentsPipeline.template.json');
    return {
      files,
      compile: { status: compiled.status, output: compiled.stdout + compiled.stderr },
      synth: { status: synth.status, stderr: synth.stderr },
      pipelineTemplate: fs.existsSync(template) ? JSON.parse(fs.readFileSync(template, 'utf8')) : null,
    };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** Packs the package into `workDir`, leaving no build output in the repository. */
function pack(workDir: string): { tarball: string; files: string[] } {
  const result = runScript('npm', ['pack', '--json', '--pack-destination', workDir], {
    cwd: PACKAGE_DIR,
    env: { PATH: TOOLS_PATH, HOME: workDir },
  });
  fs.rmSync(path.join(PACKAGE_DIR, 'lib'), { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`npm pack failed:\n${result.stderr}`);
  const [info] = JSON.parse(result.stdout);
  return { tarball: path.join(workDir, info.filename), files: info.files.map((f: { path: string }) => f.path) };
}

/** A fresh app of `cdk init`'s shape with the tarball installed, the example's files and an image. */
function newApp(workDir: string, tarball: string): string {
  const app = path.join(workDir, 'payments');
  const installed = path.join(app, 'node_modules', '@clair-pipeline', 'scan');
  fs.mkdirSync(installed, { recursive: true });
  const unpacked = runScript('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  if (unpacked.status !== 0) throw new Error(`tar could not unpack ${tarball}:\n${unpacked.stderr}`);
  for (const dependency of ['aws-cdk-lib', 'constructs', '@types/node', '@types/jest']) {
    fs.mkdirSync(path.dirname(path.join(app, 'node_modules', dependency)), { recursive: true });
    fs.symlinkSync(path.join(NODE_MODULES, dependency), path.join(app, 'node_modules', dependency));
  }
  fs.copyFileSync(path.join(INIT_TEMPLATE, 'tsconfig.json'), path.join(app, 'tsconfig.json'));
  const manifest = { name: 'payments', version: '0.1.0', dependencies: { '@clair-pipeline/scan': `file:${tarball}` } };
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify(manifest));
  fs.writeFileSync(path.join(app, 'cdk.json'), JSON.stringify({ app: 'node bin/payments-pipeline.js' }));
  const example = exampleFiles(fs.readFileSync(path.join(PACKAGE_DIR, 'README.md'), 'utf8'));
  for (const [file, code] of Object.entries(example)) {
    fs.mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
    fs.writeFileSync(path.join(app, file), code);
  }
  fs.mkdirSync(path.join(app, 'image'));
  fs.writeFileSync(path.join(app, 'image', 'Dockerfile'), 'FROM scratch\n');
  return app;
}

/**
 * The version of the npm that packs (the first on the tools' PATH): from the package.json of the
 * npm package its command links to (npm's own start costs about 0.25 s of CPU), or, if the command
 * is not such a link, from `npm --version`.
 */
function npmVersion(): string {
  const command = TOOLS_PATH.split(':')
    .map((dir) => path.join(dir || '.', 'npm'))
    .find((file) => fs.existsSync(file));
  if (command) {
    const manifest = path.join(path.dirname(fs.realpathSync(command)), '..', 'package.json');
    const found = fs.existsSync(manifest) ? JSON.parse(fs.readFileSync(manifest, 'utf8')) : undefined;
    if (found?.name === 'npm' && typeof found.version === 'string') return found.version;
  }
  const result = runScript('npm', ['--version'], { env: { PATH: TOOLS_PATH } });
  if (result.status !== 0) throw new Error(`npm --version failed:\n${result.stderr}`);
  return result.stdout.trim();
}
