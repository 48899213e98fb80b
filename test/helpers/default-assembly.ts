import * as fs from 'fs';
import * as path from 'path';
import type { Template } from 'aws-cdk-lib/assertions';
import { companyContext, defaultContext } from './default-config';
import { manyAccountsAndRegions, twoAccountsOneRegion } from './deployment-fixtures';
import {
  clairOptions,
  costInventory,
  hyphenatedNames,
  noSampleAppInProdNoAddress,
  oneEnvironment,
} from './shape-fixtures';

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
 * The deployment fixtures (test/helpers/deployment-fixtures.ts), by name: for the tests of the
 * deployment plan, and of the stacks' accounts, regions and IAM (the gated synths prove the gates).
 */
export const DEPLOYMENT_FIXTURE_APPS = { twoAccountsOneRegion, manyAccountsAndRegions };

/** The name of a deployment fixture. */
export type DeploymentFixtureApp = keyof typeof DEPLOYMENT_FIXTURE_APPS;

/**
 * The apps synthesized once per test run without their security gates, in the background after
 * the fixture apps, in this order, by name: the deployment fixtures, then the configurations that
 * tests read only for their shape (test/helpers/shape-fixtures.ts: the pipeline's stages and
 * actions, the resources the cost model counts, what synth says, a Clair stage's templates).
 */
export const UNGATED_FIXTURE_APPS = {
  ...DEPLOYMENT_FIXTURE_APPS,
  oneEnvironment,
  hyphenatedNames,
  noSampleAppInProdNoAddress,
  costInventory,
  clairOptions,
};

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
  // Loaded on first use: aws-cdk-lib is heavy, and the global setup and the JSON-only tests
  // import this module too.
  const assertions: typeof import('aws-cdk-lib/assertions') = require('aws-cdk-lib/assertions');
  return assertions.Template.fromJSON(stackTemplate(defaultAssemblyDir(), displayPath));
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
  /** The name of the Stage that holds it (e.g. `Clair-Dev`), or undefined for the app's own stacks. */
  readonly stage?: string;
}

/** Every stack of the default app, or of the app in `dir`, nested stage assemblies included, read from the manifests. */
export function defaultStacks(dir: string = defaultAssemblyDir(), stage?: string): DefaultStack[] {
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
          stage,
        },
      ];
    }
    if (artifact.type === 'cdk:cloud-assembly') {
      // A Stage's assembly: its display name is the Stage's path, e.g. `ClairPipeline/Clair-Dev`.
      const nested = path.join(dir, artifact.properties.directoryName);
      return defaultStacks(nested, artifact.properties.displayName.split('/').pop());
    }
    return [];
  });
}

/** A stack's template (its JSON) of the app in `dir`, by display path, e.g. `ClairPipeline`. */
export function stackTemplate(dir: string, displayPath: string): any {
  const stack = defaultStacks(dir).find((candidate) => candidate.displayPath === displayPath);
  if (!stack) throw new Error(`no stack ${displayPath} in the app in ${dir}`);
  return JSON.parse(fs.readFileSync(stack.templateFile, 'utf8'));
}

/** One stage of the pipeline as synthesized: its name and its actions' names, in order. */
export interface PipelineStage {
  readonly name: string;
  readonly actions: string[];
}

/**
 * The stages of the pipeline of the app in `dir`, from the pipeline stack's template (its one
 * AWS::CodePipeline::Pipeline's `Stages[].Name` and `Actions[].Name`): what CodePipeline runs.
 */
export function pipelineStages(dir: string): PipelineStage[] {
  const resources = Object.values<any>(stackTemplate(dir, 'ClairPipeline').Resources);
  const pipelines = resources.filter((resource) => resource.Type === 'AWS::CodePipeline::Pipeline');
  if (pipelines.length !== 1) throw new Error(`expected one pipeline in ClairPipeline, found ${pipelines.length}`);
  return pipelines[0].Properties.Stages.map((stage: any) => ({
    name: stage.Name,
    actions: stage.Actions.map((action: any) => action.Name),
  }));
}

/**
 * The path of every construct of the app in `dir`, from its tree.json: what `node.findAll()` of
 * the app gave when it was synthesized (the root's path is the empty string).
 */
export function constructPaths(dir: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const tree = Object.values<any>(manifest.artifacts).find((artifact) => artifact.type === 'cdk:tree');
  if (!tree) throw new Error(`the app in ${dir} has no construct tree`);
  const paths: string[] = [];
  const walk = (node: any): void => {
    // CDK writes subtrees to files of their own only beyond 500,000 constructs: not read here.
    if (node.fileName) throw new Error(`the construct tree of ${dir} is split over files: read them too`);
    paths.push(node.path);
    for (const child of Object.values(node.children ?? {})) walk(child);
  };
  walk(JSON.parse(fs.readFileSync(path.join(dir, tree.properties.file), 'utf8')).tree);
  return paths;
}

/** Where, in each background-synthesized assembly, the background synthesis keeps what that synth wrote to stderr. */
export const SYNTH_STDERR_FILE = 'synth-stderr.txt';

/**
 * What the synth of the app in `dir` (one of the run's fixture apps, test/global-setup.ts) wrote
 * to stderr: the warnings `cdk synth` would print.
 */
export function synthStderr(dir: string): string {
  return fs.readFileSync(path.join(dir, SYNTH_STDERR_FILE), 'utf8');
}

/** Every manifest's missing context (lookups synth would need credentials for), nested assemblies included. */
export function missingLookups(dir: string): unknown[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const nested = Object.values<any>(manifest.artifacts)
    .filter((artifact) => artifact.type === 'cdk:cloud-assembly')
    .flatMap((artifact) => missingLookups(path.join(dir, artifact.properties.directoryName)));
  return [...(manifest.missing ?? []), ...nested];
}
