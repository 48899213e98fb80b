import * as fs from 'fs';
import * as path from 'path';
import type { Template } from 'aws-cdk-lib/assertions';
import { companyContext, defaultContext } from './default-config';
import { manyAccountsAndRegions, twoAccountsOneRegion } from './deployment-fixtures';

/** Environment variable through which the global setup passes the directory of the assemblies. */
export const FIXTURE_ASSEMBLIES_ENV = 'CLAIR_PIPELINE_TEST_ASSEMBLIES';

/**
 * The apps synthesized once per test run, in the background (test/global-setup.ts), gates
 * included, by name: `shipped`, the default app (cdk.json as shipped, a fixture), and `company`,
 * a company's configuration (test/fixtures/company-clair-pipeline.json).
 */
export const FIXTURE_APPS = { shipped: defaultContext, company: companyContext };

/** The name of a fixture app. */
export type FixtureApp = keyof typeof FIXTURE_APPS;

/** How long a test file waits for the background synthesis before it gives up. */
const SYNTH_WAIT_MS = 300_000;

/**
 * The deployment fixtures (test/helpers/deployment-fixtures.ts), synthesized once per test run
 * without their security gates, in the background after the fixture apps, by name: for the tests
 * of the stacks' accounts, regions and IAM (the gated synths prove the gates).
 */
export const UNGATED_FIXTURE_APPS = { twoAccountsOneRegion, manyAccountsAndRegions };

/** The name of an ungated fixture app. */
export type UngatedFixtureApp = keyof typeof UNGATED_FIXTURE_APPS;

/** The subdirectory of the run's assemblies that holds an ungated fixture app. */
export function ungatedSubdirectory(name: UngatedFixtureApp): string {
  return `ungated-${name}`;
}

/**
 * The directory of a fixture app's cloud assembly, synthesized once per test run, gates included
 * (a gate finding fails every test that reads it), in the background by test/global-setup.ts.
 * Waits for it; fails with the synthesis error if it failed.
 */
export function fixtureAssemblyDir(name: FixtureApp): string {
  return backgroundAssemblyDir(name);
}

/** The directory of an ungated fixture app's cloud assembly (see {@link UNGATED_FIXTURE_APPS}); waits for it. */
export function ungatedAssemblyDir(name: UngatedFixtureApp): string {
  return backgroundAssemblyDir(ungatedSubdirectory(name));
}

/** Waits for the background synthesis to write the assembly `subdirectory`; fails with its error if it failed. */
function backgroundAssemblyDir(subdirectory: string): string {
  const root = process.env[FIXTURE_ASSEMBLIES_ENV];
  if (!root) {
    throw new Error(
      `${FIXTURE_ASSEMBLIES_ENV} is not set: run the tests with jest (npm test), whose global setup sets it`,
    );
  }
  const dir = path.join(root, subdirectory);
  const deadline = Date.now() + SYNTH_WAIT_MS;
  while (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    if (fs.existsSync(`${dir}.failed`)) {
      throw new Error(`synthesis of the ${subdirectory} app failed:\n${fs.readFileSync(`${dir}.failed`, 'utf8')}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`the ${subdirectory} app was not synthesized within ${SYNTH_WAIT_MS} ms`);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  return dir;
}

/** The directory of the default app's cloud assembly (the shipped configuration). */
export function defaultAssemblyDir(): string {
  return fixtureAssemblyDir('shipped');
}

/** A stack template of the default app (the shipped configuration) by display path, e.g. `ClairPipeline/Clair-Prod/Service`. */
export function defaultTemplate(displayPath: string): Template {
  const stack = defaultStacks().find((candidate) => candidate.displayPath === displayPath);
  if (!stack) throw new Error(`no stack ${displayPath} in the default app`);
  // Loaded on first use: aws-cdk-lib is heavy, and the global setup and the JSON-only tests
  // import this module too.
  const assertions: typeof import('aws-cdk-lib/assertions') = require('aws-cdk-lib/assertions');
  return assertions.Template.fromJSON(JSON.parse(fs.readFileSync(stack.templateFile, 'utf8')));
}

/** The validation report (cdk-nag and guard results, with acknowledgements) of the default app, or of the app in `dir`. */
export function defaultValidationReport(dir: string = defaultAssemblyDir()): any {
  return JSON.parse(fs.readFileSync(path.join(dir, 'validation-report.json'), 'utf8'));
}

/** One stack of a synthesized app. */
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

/** Every stack of the default app, or of the app in `dir`, nested stage assemblies included, read from the manifests. */
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

/** Every manifest's missing context (lookups synth would need credentials for), nested assemblies included. */
export function missingLookups(dir: string): unknown[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const nested = Object.values<any>(manifest.artifacts)
    .filter((artifact) => artifact.type === 'cdk:cloud-assembly')
    .flatMap((artifact) => missingLookups(path.join(dir, artifact.properties.directoryName)));
  return [...(manifest.missing ?? []), ...nested];
}
