/**
 * Synthesizes the fixture apps (gates included), then the ungated fixture apps, into the directory
 * given as the only argument, each into a subdirectory named after it (FIXTURE_APPS,
 * UNGATED_FIXTURE_APPS), atomically: a subdirectory appears complete or not at all. On failure it
 * writes the error to `<subdirectory>.failed` so waiting tests fail with it instead of timing out.
 * Started in the background by test/global-setup.ts, so synthesis overlaps the tests that do not
 * need it; one process for all, so aws-cdk-lib loads once. When nothing a synth reads changed since
 * a run that synthesized them cleanly, the assemblies that run kept are copied instead
 * (test/helpers/fixture-assembly-cache.ts); the project's modules and aws-cdk-lib are then never
 * loaded.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  FIXTURE_APPS,
  SYNTH_STDERR_FILE,
  UNGATED_FIXTURE_APPS,
  UngatedFixtureApp,
  ungatedSubdirectory,
} from './default-assembly';
import { fixtureInputsKey, keepAssemblies, restoreAssemblies } from './fixture-assembly-cache';
import type { UngatedSynth } from './synthesize-without-gates';

const root = process.argv[2];
// Nothing is printed (the process's stderr goes nowhere): what each synth writes to stderr, the
// warnings `cdk synth` prints (console.error writes there too), is kept in its assembly instead,
// for the tests of those warnings (synthStderr in test/helpers/default-assembly.ts).
let written: string[] | undefined;
process.stderr.write = (chunk: string | Uint8Array) => {
  written?.push(String(chunk));
  return true;
};

const key = fixtureInputsKey();
const names = [
  ...Object.keys(FIXTURE_APPS),
  ...Object.keys(UNGATED_FIXTURE_APPS).map((name) => ungatedSubdirectory(name as UngatedFixtureApp)),
];
if (!restoreAssemblies(key, names, root)) {
  synthesizeAll();
  // Kept only when every app synthesized and no error was raised, even a caught one.
  const errorFile = process.env.CDK_ERROR_FILE;
  if (!process.exitCode && !(errorFile && fs.existsSync(errorFile))) keepAssemblies(key, names, root);
}

/**
 * Synthesizes into `<root>/<name>` through `<name>.partial`, with what the synth wrote to stderr in
 * its SYNTH_STDERR_FILE, or writes `<name>.failed`.
 */
function synthesizeInto(name: string, synthesize: (outdir: string) => void): void {
  const dir = path.join(root, name);
  const partial = `${dir}.partial`;
  written = [];
  try {
    synthesize(partial);
    fs.writeFileSync(path.join(partial, SYNTH_STDERR_FILE), written.join(''));
    fs.renameSync(partial, dir);
  } catch (error) {
    fs.writeFileSync(`${dir}.failed`, error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  } finally {
    written = undefined;
  }
}

/** Synthesizes every fixture app: the gated ones, then the ungated ones, each in the order listed. */
function synthesizeAll(): void {
  const { App }: typeof import('aws-cdk-lib') = require('aws-cdk-lib');
  const { APP_PROPS }: typeof import('../../pipeline/app-props') = require('../../pipeline/app-props');
  const { buildApp }: typeof import('../../pipeline/build-app') = require('../../pipeline/build-app');
  const { gateWithCachedGuard }: typeof import('./gates') = require('./gates');
  const { loadUngatedSynth }: typeof import('./synthesize-without-gates') = require('./synthesize-without-gates');
  for (const [name, context] of Object.entries(FIXTURE_APPS)) {
    synthesizeInto(name, (outdir) => {
      const app = new App({ ...APP_PROPS, outdir, context: context() });
      gateWithCachedGuard(app);
      buildApp(app);
      app.synth();
    });
  }
  // Loaded once, after the gated apps are built, inside the first synth so that a failure to load
  // fails the tests that wait for these apps.
  let synthesizeWithoutGates: UngatedSynth | undefined;
  for (const [name, config] of Object.entries(UNGATED_FIXTURE_APPS)) {
    synthesizeInto(ungatedSubdirectory(name as UngatedFixtureApp), (outdir) =>
      (synthesizeWithoutGates ??= loadUngatedSynth())(config(), outdir),
    );
  }
}
