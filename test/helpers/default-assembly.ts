import * as fs from 'fs';
import * as path from 'path';
import type { Template } from 'aws-cdk-lib/assertions';

/** Environment variable through which the global setup passes the assembly directory. */
export const DEFAULT_ASSEMBLY_ENV = 'CLAIR_PIPELINE_TEST_ASSEMBLY';

/** How long a test file waits for the background synthesis before it gives up. */
const SYNTH_WAIT_MS = 300_000;

/**
 * The directory of the default app's cloud assembly, synthesized once per test run, gates
 * included (a gate finding fails every test that reads it), in the background by
 * test/global-setup.ts. Waits for it; fails with the synthesis error if it failed.
 */
export function defaultAssemblyDir(): string {
  const dir = process.env[DEFAULT_ASSEMBLY_ENV];
  if (!dir) {
    throw new Error(
      `${DEFAULT_ASSEMBLY_ENV} is not set: run the tests with jest (npm test), whose global setup sets it`,
    );
  }
  const deadline = Date.now() + SYNTH_WAIT_MS;
  while (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    if (fs.existsSync(`${dir}.failed`)) {
      throw new Error(`synthesis of the default app failed:\n${fs.readFileSync(`${dir}.failed`, 'utf8')}`);
    }
    if (Date.now() > deadline) throw new Error(`the default app was not synthesized within ${SYNTH_WAIT_MS} ms`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  return dir;
}

/** A stack template of the default app by display path, e.g. `ClairPipeline/Clair-Prod/Service`. */
export function defaultTemplate(displayPath: string): Template {
  const stack = defaultStacks().find((candidate) => candidate.displayPath === displayPath);
  if (!stack) throw new Error(`no stack ${displayPath} in the default app`);
  // Loaded on first use: aws-cdk-lib is heavy, and the global setup and the JSON-only tests
  // import this module too.
  const assertions: typeof import('aws-cdk-lib/assertions') = require('aws-cdk-lib/assertions');
  return assertions.Template.fromJSON(JSON.parse(fs.readFileSync(stack.templateFile, 'utf8')));
}

/** The default app's validation report (cdk-nag and guard results, with acknowledgements). */
export function defaultValidationReport(): any {
  return JSON.parse(fs.readFileSync(path.join(defaultAssemblyDir(), 'validation-report.json'), 'utf8'));
}

/** One stack of the default app. */
export interface DefaultStack {
  /** Display path, e.g. `ClairPipeline/Clair-Dev/Data`. */
  readonly displayPath: string;
  /** Absolute path of its template. */
  readonly templateFile: string;
  /** The CloudFormation stack name, e.g. `Clair-Dev-Data`. */
  readonly stackName: string;
  /** Its account. */
  readonly account: string;
  /** Its region. */
  readonly region: string;
}

/** Every stack of the default app, nested stage assemblies included, read from the manifests. */
export function defaultStacks(dir: string = defaultAssemblyDir()): DefaultStack[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  return Object.entries<any>(manifest.artifacts).flatMap(([artifactId, artifact]): DefaultStack[] => {
    if (artifact.type === 'aws:cloudformation:stack') {
      const [account, region] = artifact.environment.replace('aws://', '').split('/');
      return [
        {
          displayPath: artifact.displayName,
          templateFile: path.join(dir, artifact.properties.templateFile),
          // The manifest omits the stack name where it is the artifact id.
          stackName: artifact.properties.stackName ?? artifactId,
          account,
          region,
        },
      ];
    }
    if (artifact.type === 'cdk:cloud-assembly') return defaultStacks(path.join(dir, artifact.properties.directoryName));
    return [];
  });
}
