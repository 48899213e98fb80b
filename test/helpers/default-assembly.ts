import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { APP_PROPS, buildApp } from '../../pipeline/build-app';
import { defaultContext } from './default-config';

/** Environment variable through which the global setup passes the assembly directory. */
export const DEFAULT_ASSEMBLY_ENV = 'CLAIR_PIPELINE_TEST_ASSEMBLY';

/** How long a test file waits for another worker's synthesis before it gives up. */
const SYNTH_WAIT_MS = 300_000;

/**
 * The directory of the default app's cloud assembly: synthesized once per test run, gates
 * included (a gate finding fails every test that reads it), by whichever worker asks first; the
 * others wait for it. Synthesis is the slow part of the suite.
 */
export function defaultAssemblyDir(): string {
  const dir = process.env[DEFAULT_ASSEMBLY_ENV];
  if (!dir) {
    throw new Error(`${DEFAULT_ASSEMBLY_ENV} is not set: run the tests with jest (npm test), whose global setup sets it`);
  }
  const manifest = path.join(dir, 'manifest.json');
  const lock = `${dir}.lock`;
  let mine = false;
  try {
    fs.mkdirSync(lock); // atomic: exactly one worker wins
    mine = true;
  } catch {
    // another worker is synthesizing (or has); wait below
  }
  if (mine) {
    synthesizeDefaultApp(dir);
  }
  const deadline = Date.now() + SYNTH_WAIT_MS;
  while (!fs.existsSync(manifest)) {
    if (fs.existsSync(path.join(lock, 'failed'))) throw new Error('synthesis of the default app failed in another test file');
    if (Date.now() > deadline) throw new Error(`the default app was not synthesized within ${SYNTH_WAIT_MS} ms`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
  return dir;
}

function synthesizeDefaultApp(dir: string): void {
  const tmp = `${dir}.partial`;
  const app = new App({ ...APP_PROPS, outdir: tmp, context: defaultContext() });
  // The placeholder banner and the report's placeholder warning have their own tests.
  const [stderrWrite, consoleError] = [process.stderr.write, console.error];
  process.stderr.write = () => true;
  console.error = () => undefined;
  try {
    buildApp(app);
    app.synth();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir); // appears complete or not at all
  } catch (error) {
    fs.writeFileSync(path.join(`${dir}.lock`, 'failed'), String(error));
    throw error;
  } finally {
    process.stderr.write = stderrWrite;
    console.error = consoleError;
  }
}

/** A stack template of the default app by display path, e.g. `ClairPipeline/Clair-Prod/Service`. */
export function defaultTemplate(displayPath: string): Template {
  return Template.fromJSON(JSON.parse(fs.readFileSync(templateFile(defaultAssemblyDir(), displayPath), 'utf8')));
}

/** The default app's validation report (cdk-nag and guard results, with acknowledgements). */
export function defaultValidationReport(): any {
  return JSON.parse(fs.readFileSync(path.join(defaultAssemblyDir(), 'validation-report.json'), 'utf8'));
}

/** Display paths of every stack of the default app, e.g. `ClairPipeline/Clair-Dev/Data`. */
export function defaultStackPaths(dir: string = defaultAssemblyDir()): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  return Object.values<any>(manifest.artifacts).flatMap((artifact) => {
    if (artifact.type === 'aws:cloudformation:stack') return [artifact.displayName as string];
    if (artifact.type === 'cdk:cloud-assembly') return defaultStackPaths(path.join(dir, artifact.properties.directoryName));
    return [];
  });
}

function templateFile(dir: string, displayPath: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  for (const artifact of Object.values<any>(manifest.artifacts)) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.displayName === displayPath) {
      return path.join(dir, artifact.properties.templateFile);
    }
    if (artifact.type === 'cdk:cloud-assembly') {
      const found = tryTemplateFile(path.join(dir, artifact.properties.directoryName), displayPath);
      if (found) return found;
    }
  }
  throw new Error(`no stack ${displayPath} in ${dir}`);
}

function tryTemplateFile(dir: string, displayPath: string): string | undefined {
  try {
    return templateFile(dir, displayPath);
  } catch {
    return undefined;
  }
}
